"""The CLI's process ends without the interpreter's teardown once its command is done: the output is
complete, the exit code and the exit handlers are kept, and a thread the command left running is waited for."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# a module-level object whose finaliser reports the interpreter's teardown, and an exit handler
PRELUDE = ("import atexit, sys\n"
           "class Teardown:\n"
           "    def __del__(self):\n"
           "        sys.stdout.write('torn down\\n'); sys.stdout.flush()\n"
           "watch = Teardown()\n"
           "atexit.register(lambda: sys.stdout.write('exit handler ran\\n'))\n")


def _entry(code: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """``code``, then the entry point as the console script calls it (no arguments: the process's own)."""
    script = PRELUDE + code + "sys.argv = ['trendforge', *sys.argv[1:]]\nimport main\nsys.exit(main.main())\n"
    return subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, check=False)


def test_a_finished_command_ends_without_the_interpreters_teardown(data_dir: Path) -> None:
    done = _entry("", "--data-dir", str(data_dir), "--json", "events", "list", "--limit", "5")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("[") and "torn down" not in done.stdout


def test_the_exit_handlers_run_and_what_they_write_is_flushed(data_dir: Path) -> None:
    done = _entry("", "--data-dir", str(data_dir), "events", "list", "--limit", "5")
    assert done.stdout.endswith("exit handler ran\n")


def test_the_exit_code_of_a_refused_command_is_kept(data_dir: Path) -> None:
    done = _entry("", "--data-dir", str(data_dir), "payments", "refund", "nope")
    assert done.returncode == 1 and "no transaction 'nope'" in done.stderr


def test_a_thread_the_command_left_running_is_waited_for(data_dir: Path) -> None:
    thread = ("import threading\n"
              "def work():\n"  # still running when the command ends: it finishes once the main thread has
              "    threading.main_thread().join(); sys.stdout.write('thread finished\\n')\n"
              "threading.Thread(target=work, name='own-work').start()\n")
    done = _entry(thread, "--data-dir", str(data_dir), "events", "list", "--limit", "5")
    assert "thread finished" in done.stdout and "torn down" in done.stdout  # Python's own exit, which waits

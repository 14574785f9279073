"""httpx is imported without its command-line client: click, rich and pygments (installed as other
tools' dependencies) stay unloaded, ~100 modules and ~6 MB (services.httpx_import, called by main)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CLI_ONLY = ("click", "rich", "pygments")

MODULES_AT_EXIT = ("import atexit, json, sys\n"
                   "atexit.register(lambda: sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n'))\n"
                   "import main\nsys.exit(main.main(sys.argv[1:]))\n")


def loaded_by(argv: list[str]) -> set[str]:
    done = subprocess.run([sys.executable, "-c", MODULES_AT_EXIT, *argv], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, check=False)
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def test_a_command_that_uses_httpx_loads_none_of_httpxs_command_line(tmp_path: Path) -> None:
    argv = ["--data-dir", str(tmp_path / "home"), "releases", "list", "com.example.app"]
    loaded_by(argv)  # the first run migrates the new store (alembic's templates load pygments): a user's later runs do not
    modules = loaded_by(argv)
    assert "httpx" in modules  # the premise: this command talks HTTP (and fails for want of a Play key)
    assert {m for m in modules if m.split(".")[0] in CLI_ONLY} == set()


def test_httpx_still_works_without_its_command_line() -> None:
    code = ("from services.httpx_import import skip_httpx_command_line\nskip_httpx_command_line()\n"
            "import httpx\nprint(httpx.Client().get.__name__, httpx.main.__module__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    assert done.stdout.split() == ["get", "httpx"]  # httpx's own stand-in for its command, not httpx._main's

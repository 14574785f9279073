"""One job runtime: work leaves the event loop's thread only through services/runtime.py (its pool
is also asyncio.to_thread's). No other module in services/ or ui/ starts a thread or a thread pool,
runs a fresh asyncio loop, spins a nested Qt loop or sleeps; the few that still do are listed here
with the reason, and a new one fails this test."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCANNED = ("services", "ui")
RUNTIME = "services/runtime.py"
# what each pattern looks like in the code: a call (name or attribute) or a name used at all
CALLS = {"Thread": "a raw thread", "ThreadPoolExecutor": "a thread pool", "run": "asyncio.run",
         "sleep": "time.sleep", "processEvents": "a nested Qt loop that polls"}
NAMES = {"QThreadPool": "Qt's thread pool", "QEventLoop": "a nested Qt event loop", "QThreadExecutor": "qasync's pool"}
OWNERS = {"Thread": "threading", "run": "asyncio", "sleep": "time"}

# (path, pattern): why it stays. Long-lived servers and listeners are not jobs: they block in
# accept()/recv() for the life of the app, and are stopped by their owner.
ALLOWED = {
    ("services/desktop/notifications.py", "Thread"): "the D-Bus listener for notification clicks blocks in recv()",
    ("services/payments/providers/kofi_listener.py", "Thread"): "the Ko-fi webhook server blocks in accept()",
    ("ui/render/web_shots.py", "Thread"): "the loopback HTTP server a web screenshot loads from",
    ("services/workflows/temporal/gateway.py", "Thread"):
        "the Temporal SDK's client lives on its own asyncio loop (its worker and client are bound to it)",
    ("ui/app_runner.py", "QEventLoop"): "qasync.QEventLoop: the app's one loop",
    ("ui/cli/loop.py", "QEventLoop"): "qasync.QEventLoop: a CLI command's one loop",
    ("services/payments/providers/kofi_listener.py", "ThreadPoolExecutor"):
        "the Ko-fi server's bounded pool of request handlers (a server's threads, not jobs)",
    ("ui/app_runner.py", "processEvents"): "paints the window once before start-up work begins (not a loop)",
    ("ui/cli/commands/payments.py", "sleep"): "`payments listen` keeps the process alive while the Ko-fi server runs",
}


def uses(source: str) -> set[str]:
    """The patterns ``source`` uses (``Thread``, ``run`` for asyncio.run, ``QThreadPool`` ...)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in CALLS:
                owner = func.value.id if isinstance(func.value, ast.Name) else ""
                if func.attr not in OWNERS or owner == OWNERS[func.attr]:
                    found.add(func.attr)
            elif isinstance(func, ast.Name) and func.id in CALLS and func.id not in ("run", "sleep"):
                found.add(func.id)
        elif isinstance(node, ast.Name) and node.id in NAMES:
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and node.attr in NAMES:
            found.add(node.attr)
        elif isinstance(node, ast.alias) and node.name.rsplit(".", 1)[-1] in NAMES:
            found.add(node.name.rsplit(".", 1)[-1])
    return found


def _scan() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for folder in SCANNED:
        for p in sorted((ROOT / folder).rglob("*.py")):
            rel = p.relative_to(ROOT).as_posix()
            if rel != RUNTIME:
                found |= {(rel, what) for what in uses(p.read_text(encoding="utf-8"))}
    return found


def test_work_leaves_the_loop_only_through_the_job_runtime() -> None:
    new = sorted(f"{path}: {CALLS.get(what) or NAMES[what]}" for path, what in _scan() - ALLOWED.keys())
    assert new == [], "hand blocking work to services/runtime.py (offload, or asyncio.to_thread on the loop)"


def test_every_allowance_is_still_needed() -> None:
    assert sorted(ALLOWED.keys() - _scan()) == []


def test_the_scan_finds_each_mechanism() -> None:
    source = (
        "import threading, asyncio, time\n"
        "from PySide6.QtCore import QThreadPool, QEventLoop\n"
        "threading.Thread(target=f).start()\n"
        "asyncio.run(main())\n"
        "time.sleep(1)\n"
        "QCoreApplication.processEvents()\n"
    )
    assert uses(source) == {"Thread", "QThreadPool", "QEventLoop", "run", "sleep", "processEvents"}


def test_the_scan_leaves_other_runs_and_sleeps_alone() -> None:
    assert uses("subprocess.run(['ls'])\nawait asyncio.sleep(0.1)\nloop.run_until_complete(x)\n") == set()

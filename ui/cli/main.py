"""``trendforge [--data-dir DIR] [--json] COMMAND ...``

Exit codes: 0 success, 1 a domain error (one line on stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TextIO

import app
from app.errors import TrendForgeError
from app.redact import redact
from services.processes import end_tracked_groups
from ui.cli.context import CliContext
from ui.cli.remedies import with_remedy

Registrar = Callable[[Any, argparse.ArgumentParser], None]

# The modules of ui.cli.commands, in the order --help lists their commands, and the commands each
# registers: a command line imports (and registers) only the module of its command.
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "system": ("health", "metrics", "doctor"),
    "credentials": ("credentials",),
    "events": ("events",),
    "templates": ("templates",),
    "builds": ("keys", "build", "builds"),
    "releases": ("releases",),
    "payments": ("payments",),
    "trends": ("trends",),
    "workflows": ("workflow",),
    "worker": ("worker",),
}
_MODULE_OF = {command: module for module, commands in COMMAND_MODULES.items() for command in commands}


def _registrar(module: str) -> Registrar:
    register: Registrar = importlib.import_module(f"ui.cli.commands.{module}").register
    return register


def command_word(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names (its first word that is neither an option nor --data-dir's value)."""
    words = iter(argv)
    for word in words:
        if word == "--data-dir":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _common(defaults: bool) -> argparse.ArgumentParser:
    """--json, --data-dir and --database, accepted before or after the command."""
    p = argparse.ArgumentParser(add_help=False)
    kw = {} if defaults else {"default": argparse.SUPPRESS}
    p.add_argument("--json", action="store_true", help="machine-readable output", **kw)  # type: ignore[arg-type]
    p.add_argument("--data-dir", metavar="DIR", help="data directory (default: TRENDFORGE_HOME or the user data dir)", **kw)  # type: ignore[arg-type]
    p.add_argument("--database", metavar="URL", help="a shared store, postgresql+psycopg://USER@HOST/DB "
                   "(default: TRENDFORGE_DATABASE_URL, then the URL saved in Settings > Shared store, else SQLite in "
                   "the data directory)", **kw)  # type: ignore[arg-type]
    return p


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line, or (given ``argv`` naming a known command) just that command's part."""
    parser = argparse.ArgumentParser(
        prog="trendforge",
        description="TrendForge: turn internet trends into template-based Android apps and sell them.",
        parents=[_common(defaults=True)],
    )
    parser.add_argument("--version", action="version", version=app.VERSION_LINE)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    parent = _common(defaults=False)
    word = command_word(argv) if argv is not None else None
    modules = [_MODULE_OF[word]] if word in _MODULE_OF else list(COMMAND_MODULES)
    for module in modules:
        _registrar(module)(sub, parent)
    return parser


def _reader_gone() -> int:
    """The reader went away (`trendforge builds show X | head`): stop quietly with 0, as Unix tools do.

    Output is flushed before returning rather than left to the interpreter's shutdown flush, which would print
    "Exception ignored ... BrokenPipeError" and exit 120 (the frozen binary always met it there). What is still
    buffered goes to /dev/null so that last flush has nowhere to fail.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


def run(argv: Sequence[str], stdout: TextIO | None = None, stdin: TextIO | None = None) -> int:
    from services.files import owner_only_files

    owner_only_files()
    parser = build_parser(argv)
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # argparse: 0 for --help/--version, 2 for usage errors
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            return _reader_gone()
        return int(exc.code or 0)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_usage(sys.stderr)
        sys.stderr.write("trendforge: error: a command is required (or run without arguments for the GUI)\n")
        return 2
    ctx = CliContext(args, stdout=stdout, stdin=stdin)
    previous = _end_tools_on_signals()
    try:
        code = int(func(ctx))
        (stdout or sys.stdout).flush()
        return code
    except TrendForgeError as exc:
        first = (str(exc) or type(exc).__name__).splitlines()[0]
        CliContext.error(redact(with_remedy(first, exc.remedy)))
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("trendforge: interrupted\n")
        return 130
    except BrokenPipeError:
        return _reader_gone()
    finally:
        ctx.close()
        logging.shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def _end_tools_on_signals() -> dict[signal.Signals, Any]:
    """TERM, HUP (a closed terminal) and INT end the process groups of the tools this CLI started, then
    the CLI itself: by the same signal, as the shell expects; what it left unfinished is recovered on
    the next start. With no tool running, Ctrl-C stays a KeyboardInterrupt. Outside the main thread
    (an embedding test) nothing is installed."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous: dict[signal.Signals, Any] = {}
    for sig in ENDING_SIGNALS:
        previous[sig] = signal.signal(sig, _on_ending_signal)
    return previous


def _on_ending_signal(signum: int, _frame: object) -> None:
    ended = end_tracked_groups()
    if not ended and signum == signal.SIGINT:
        raise KeyboardInterrupt  # no tool running: Ctrl-C as ever (a command may clean up on it)
    if ended:
        sys.stderr.write(f"trendforge: stopped by {signal.Signals(signum).name}; its tools were ended\n")
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)

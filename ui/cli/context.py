"""What a CLI command gets: parsed options, lazily built services, and output helpers."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from app.terminal import terminal_safe

if TYPE_CHECKING:
    from services.bootstrap import Services
    from services.config import AppConfig


class CliContext:
    def __init__(self, args: argparse.Namespace, stdout: TextIO | None = None, stdin: TextIO | None = None) -> None:
        self.args = args
        self.json: bool = bool(getattr(args, "json", False))
        self.out = stdout or sys.stdout
        self.stdin = stdin or sys.stdin
        self._manager: Services | None = None

    @property
    def config(self) -> AppConfig:
        from services.config import AppConfig

        return AppConfig.from_env(getattr(self.args, "data_dir", None), database=getattr(self.args, "database", None))

    @property
    def services(self) -> Services:
        """Built on first use: the database and the core now, each area when the command asks for it."""
        if self._manager is None:
            from services.bootstrap import bootstrap

            self._manager = bootstrap(self.config)
        return self._manager

    def close(self) -> None:
        if self._manager is not None:
            self._manager.close()
            self._manager = None

    # -- output -------------------------------------------------------------------
    @staticmethod
    def error(text: str) -> None:
        """One line on stderr, prefixed ``trendforge:``; foreign control characters escaped."""
        sys.stderr.write(f"trendforge: {terminal_safe(text, one_line=True)}\n")

    def print(self, text: str = "") -> None:
        """Human output: control sequences from foreign text are escaped (``--json`` is written as is)."""
        self.out.write(terminal_safe(text) + "\n")

    def note(self, text: str) -> None:
        """Advice for the person at the terminal: on stderr, so ``--json`` output stays parseable."""
        sys.stderr.write(terminal_safe(text) + "\n")

    def emit(self, data: Any, human: Callable[[], None] | None = None) -> None:
        """``--json`` prints ``data``; otherwise ``human()`` (or ``data`` as text)."""
        if self.json or human is None:
            if self.json:
                self.out.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")
            else:
                self.print(str(data))
            return
        human()

    def table(self, rows: Sequence[Mapping[str, object]], columns: Iterable[str]) -> None:
        cols = list(columns)
        if not rows:
            self.print("(none)")
            return
        cells = [[_cell(r.get(c)) for c in cols] for r in rows]
        widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
        self.print("  ".join(c.upper().ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip())
        for row in cells:
            self.print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    text = terminal_safe(value if isinstance(value, str) else json.dumps(value, default=str), one_line=True)
    return text if len(text) <= 60 else text[:57] + "..."

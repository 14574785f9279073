"""No text of the GUI tells people to use the command line: every action has its button."""

from __future__ import annotations

import re
from pathlib import Path

UI = Path(__file__).resolve().parents[3] / "ui"
COMMAND = re.compile(r"`?trendforge (templates|payments|trends|build|builds|keys|workflow|credentials|releases|events)\b")


def test_no_gui_text_names_a_cli_command() -> None:
    found = [f"{p.relative_to(UI.parent)}:{n}: {line.strip()}"
             for p in sorted(UI.rglob("*.py")) if "cli" not in p.relative_to(UI).parts
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1) if COMMAND.search(line)]
    assert not found, "GUI text that names a CLI command:\n" + "\n".join(found)

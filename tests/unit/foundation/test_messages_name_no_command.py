"""No message from services/ or app/ names a CLI command or flag: errors carry a typed remedy
(app/remedies.py) that each interface renders its own way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
COMMAND = re.compile(
    r"\btrendforge [a-z]"
    r"|(?:^|[\s(`'\"])--[a-z][a-z-]+"
    r"|`(?:workflow|payments|templates|builds|keys|trends|events|credentials|releases|doctor)\b"
)


def _docstrings(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def command_texts(source: str) -> list[tuple[int, str]]:
    """(line, text) of each message in ``source`` that names a command or a flag.

    A lone token (``"--verbose"``, a tool's argument) is not a message; a docstring is not shown to anyone."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "X" for v in node.values)
            for v in node.values:
                skip.add(id(v))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            text = node.value
        else:
            continue
        if " " in text.strip() and COMMAND.search(text):
            found.append((node.lineno, text))
    return found


def test_no_message_in_services_or_app_names_a_command_or_flag() -> None:
    found = []
    for folder in ("services", "app"):
        for p in sorted((ROOT / folder).rglob("*.py")):
            rel = p.relative_to(ROOT).as_posix()
            found += [f"{rel}:{line}: {text}" for line, text in command_texts(p.read_text(encoding="utf-8"))]
    assert found == [], "give the error a remedy (app/remedies.py) instead of naming the command"


def test_the_scan_finds_a_command_a_flag_and_a_backticked_subcommand() -> None:
    source = (
        'a = "no key; run trendforge keys create x"\n'
        'b = f"pass --replace to update {name}"\n'
        'c = "use `workflow compensate` first"\n'
    )
    assert [line for line, _ in command_texts(source)] == [1, 2, 3]


def test_the_scan_leaves_tool_arguments_and_docstrings_alone() -> None:
    source = '"""Parse ``--console=plain`` output of trendforge builds."""\nargs = ["verify", "--verbose", "--print-certs"]\n'
    assert command_texts(source) == []

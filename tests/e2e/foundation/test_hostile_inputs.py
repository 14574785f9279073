"""Deep or huge values in files given to the CLI: each is refused with one line on stderr, no traceback."""

from __future__ import annotations

import json
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
ROOT = Path(__file__).resolve().parents[3]


def _package(path: Path, manifest_text: str) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("template.json", manifest_text)
    return path


def _manifest(**extra: object) -> str:
    m = json.loads((ROOT / "resources" / "samples" / "quotes-daily" / "template.json").read_text())
    m.pop("preview")
    text = json.dumps(m)
    return text[:-1] + "".join(f', "{k}": {v}' for k, v in extra.items()) + "}"


CASES: dict[str, tuple[Callable[[Path], list[str]], str]] = {
    "manifest with a 5000-digit number": (
        lambda d: ["templates", "import", str(_package(d / "p.zip", _manifest(big="1" * 5000)))], "more than 4300 digits"),
    "manifest nested 3000 deep": (
        lambda d: ["templates", "import", str(_package(d / "p.zip", _manifest(deep="[" * 3000 + "]" * 3000)))],
        "nests more than 64 levels"),
    "condition of 5000 nots": (
        lambda d: ["workflow", "import", _write(d / "w.json", json.dumps(
            {"name": "w", "steps": [{"name": "a", "action": "noop", "condition": "not " * 5000 + "true"}]}))],
        "the limit is 2000"),
    "condition of 3000 parentheses": (
        lambda d: ["workflow", "import", _write(d / "w.json", json.dumps(
            {"name": "w", "steps": [{"name": "a", "action": "noop", "condition": "(" * 3000 + "1" + ")" * 3000}]}))],
        "the limit is 2000"),
    "JSON definition nested 20000 deep": (
        lambda d: ["workflow", "import", _write(d / "w.json", '{"name": "w", "steps": ' + "[" * 20000 + "]" * 20000 + "}")],
        "nests more than 64 levels"),
    "TOML definition nested 20000 deep": (
        lambda d: ["workflow", "import", _write(d / "w.toml", 'name = "w"\nsteps = ' + "[" * 20000 + "]" * 20000)],
        "nests more than 64 levels"),
    "workflow version 10**30": (
        lambda d: ["workflow", "import", _write(d / "w.json", json.dumps(
            {"name": "w", "version": 10**30, "steps": [{"name": "a", "action": "noop"}]}))], "greater than the maximum"),
    "10 MB CSV trend title": (
        lambda d: ["trends", "import", "--source", "csv",
                   _write(d / "t.csv", "title,volume\n" + "A" * 10_000_000 + ",1\n")], "line 2: a field is longer"),
    "CSV trend rank 10**30": (
        lambda d: ["trends", "import", "--source", "csv", _write(d / "t.csv", f"title,volume,rank\nfoo,1,{10**30}\n")],
        "rank between 0 and"),
    "Gumroad sale of 10**30": (
        lambda d: ["payments", "import", "--provider", "gumroad", _write(d / "g.json", json.dumps(
            {"sales": [{"id": "s1", "created_at": "2026-11-10T00:00:00Z", "price": 10**30, "currency": "usd"}]}))],
        "out of range"),
}


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("case", list(CASES))
def test_refused_with_one_line(cli: CliRunner, tmp_path: Path, case: str) -> None:
    make_args, match = CASES[case]
    result = cli(*make_args(tmp_path))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("trendforge:")]
    assert len(lines) == 1 and match in lines[0], result.stderr

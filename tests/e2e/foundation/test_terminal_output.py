"""Human CLI output escapes terminal control sequences from feeds and packages; --json stays exact.

Every hostile sequence is in one data set, so each command runs once (a CLI start costs seconds here)."""

from __future__ import annotations

import csv
import json
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

from tests.support.hostile import TERMINAL, UNSAFE_CHARS

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
ROOT = Path(__file__).resolve().parents[3]
ALL = " ".join(TERMINAL)


def _raw(text: str) -> set[str]:
    return set(text) & (UNSAFE_CHARS - {"\n"})


def test_trends_list_and_show_escape_control_sequences(cli: CliRunner, tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    with f.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["title", "volume", "rank", "taken_at"])
        for i, title in enumerate([*TERMINAL, ALL]):
            w.writerow([f"x{i} {title}", 10 + i, 1, "2026-11-10T00:00:00Z"])
    assert cli("trends", "import", "--source", "csv", str(f)).returncode == 0
    listed = cli("trends", "list")
    assert listed.returncode == 0 and listed.stdout.count("x") >= len(TERMINAL) and not _raw(listed.stdout)
    rows = json.loads(cli("trends", "list", "--json").stdout)
    assert sorted(r["title"] for r in rows) == sorted(f"x{i} {t}" for i, t in enumerate([*TERMINAL, ALL]))  # exact
    worst = next(r for r in rows if r["title"].endswith(ALL))
    shown = cli("trends", "show", worst["id"])
    assert shown.returncode == 0 and "\\x1b]52;c;" in shown.stdout and not _raw(shown.stdout)


def test_templates_list_and_show_escape_control_sequences(cli: CliRunner, tmp_path: Path) -> None:
    m = json.loads((ROOT / "resources" / "samples" / "quotes-daily" / "template.json").read_text())
    for field in ("preview", "branding", "listing"):  # files this one-file package does not ship
        m.pop(field, None)
    m.update(title=f"x {ALL}", description=f"d {ALL}")
    pkg = tmp_path / "p.zip"
    with zipfile.ZipFile(pkg, "w") as zf:
        zf.writestr("template.json", json.dumps(m))
    imported = cli("templates", "import", str(pkg))
    assert imported.returncode == 0, imported.stderr
    listed = cli("templates", "list")
    assert listed.returncode == 0 and "quotes-daily" in listed.stdout and not _raw(listed.stdout)
    shown = cli("templates", "show", "quotes-daily")
    assert shown.returncode == 0 and "\\x1b[2J" in shown.stdout and not _raw(shown.stdout)
    data = json.loads(cli("templates", "show", "quotes-daily", "--json").stdout)
    assert data["title"] == f"x {ALL}" and data["description"] == f"d {ALL}"

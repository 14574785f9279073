"""Tests read only files inside the repository: a person who clones the project has nothing beside it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
OUTSIDE = re.compile(r"""\.\./shared|["']\.\.["']\s*/\s*["']shared["']|parent\s*/\s*["']shared["']""")


def test_no_test_reads_a_folder_beside_the_repository() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for folder in ("tests", "bench", "scripts")
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and p.suffix in {".py", ".sh"} and p.name != Path(__file__).name
        and OUTSIDE.search(p.read_text(encoding="utf-8", errors="replace"))
    ]
    assert offenders == []


def test_vendored_gradle_logs_are_present() -> None:
    logs = ROOT / "tests" / "data" / "gradle-logs"
    assert sorted(p.name for p in logs.iterdir() if p.name != "README.md") == [
        "agp-assemble-success.log",
        "gradle4-android-failed-noisy.log.gz",
        "gradle4-android-success-noisy.log.gz",
        "gradle6-test-failure.log",
    ]

"""Tests share helpers through the tests.support package, never by loading another folder's files by path."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[2]
# sys.path edits and file-location imports: how one folder used to reach another folder's fixtures
BY_PATH = re.compile(r"sys\.path\.(insert|append)\(|spec_from_file_location\(")


def by_path_loaders(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                  if p.resolve() != Path(__file__).resolve() and BY_PATH.search(p.read_text(encoding="utf-8")))


def test_no_test_file_loads_another_folders_code_by_path() -> None:
    assert by_path_loaders(TESTS) == []


def test_the_scan_finds_a_conftest_that_loads_fixtures_by_path(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('sys.path.insert(0, str(Path(__file__).parent / "x"))\n')
    (tmp_path / "plain.py").write_text("from tests.support import qasync_loop\n")
    assert by_path_loaders(tmp_path) == ["conftest.py"]

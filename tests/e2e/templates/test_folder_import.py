"""``trendforge templates import FOLDER``: a folder of packages imports each, and names what it skipped."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.support.templates_packages import SAMPLE_IDS, SAMPLES

pytestmark = pytest.mark.child_process


def test_the_samples_folder_imports_its_templates_and_notes_its_init(cli: Any) -> None:
    r = cli("templates", "import", str(SAMPLES))
    assert r.returncode == 0, r.stderr
    assert f"skipped {SAMPLES / '__init__.py'}: Python package scaffolding, not a template" in r.stdout.splitlines()
    assert {t["id"] for t in json.loads(cli("--json", "templates", "list").stdout)} == set(SAMPLE_IDS)


def test_a_folder_of_packages_takes_folders_and_zips_and_skips_the_rest_one_line_each(cli: Any,
                                                                                      tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    shutil.copytree(SAMPLES / "quotes-daily", folder / "quotes-daily", ignore=shutil.ignore_patterns("__pycache__"))
    with zipfile.ZipFile(folder / "trivia.zip", "w") as z:
        for f in sorted((SAMPLES / "trivia-quiz").rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                z.write(f, f.relative_to(SAMPLES / "trivia-quiz").as_posix())
    (folder / "README.txt").write_text("my templates\n")
    (folder / "drafts").mkdir()
    r = cli("--json", "templates", "import", str(folder))
    assert r.returncode == 0, r.stderr
    rows = {Path(row["source"]).name: row for row in json.loads(r.stdout)}
    assert {n for n, row in rows.items() if row["ok"]} == {"quotes-daily", "trivia.zip"}
    assert rows["README.txt"]["skipped"] and rows["drafts"]["skipped"]
    r = cli("templates", "import", str(folder), "--on-duplicate", "replace")
    skipped = [line for line in r.stdout.splitlines() if line.startswith("skipped ")]
    assert skipped == [f"skipped {folder / 'README.txt'}: not a template package (a folder with a template.json, or a .zip)",
                       f"skipped {folder / 'drafts'}: a folder without a template.json"]


def test_a_folder_holding_no_package_is_refused_in_one_line(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "empty" / "notes").mkdir(parents=True)
    r = cli("templates", "import", str(tmp_path / "empty"))
    assert r.returncode == 1
    assert "no template.json" in r.stderr and len(r.stderr.strip().splitlines()) == 1

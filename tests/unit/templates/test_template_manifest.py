"""The one reader of a package's template.json shared by templates, builds and the store checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import UserError
from services.template_manifest import read_manifest, read_manifest_json


def test_a_folder_without_a_manifest_reads_as_empty_when_allowed(tmp_path: Path) -> None:
    assert read_manifest(tmp_path, missing_ok=True) == {}


def test_a_missing_manifest_is_an_error_when_required(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"template\.json is not readable JSON"):
        read_manifest(tmp_path)


def test_broken_json_says_which_file(tmp_path: Path) -> None:
    (tmp_path / "template.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(UserError, match=r"template\.json is not readable JSON"):
        read_manifest(tmp_path, missing_ok=True)


def test_a_manifest_must_be_an_object(tmp_path: Path) -> None:
    (tmp_path / "template.json").write_text("[1, 2]", encoding="utf-8")
    assert read_manifest_json(tmp_path) == [1, 2]
    with pytest.raises(UserError, match="must hold a JSON object"):
        read_manifest(tmp_path)


def test_an_object_is_returned_as_written(tmp_path: Path) -> None:
    (tmp_path / "template.json").write_text('{"id": "x", "branding": {"icon": "i.png"}}', encoding="utf-8")
    assert read_manifest(tmp_path) == {"id": "x", "branding": {"icon": "i.png"}}

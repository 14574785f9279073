"""Reading a template package's ``template.json``: the one reader the templates, builds and store code share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.templates.rules import MANIFEST_NAME, PackageError


def read_manifest_json(folder: Path) -> object:
    """The parsed ``template.json`` of ``folder``, whatever JSON it holds; one clear error when it cannot be read."""
    path = folder / MANIFEST_NAME
    try:
        data: object = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PackageError(f"{path} is not readable JSON: {exc}") from exc
    return data


def read_manifest(folder: Path, *, missing_ok: bool = False) -> dict[str, Any]:
    """The ``template.json`` object of ``folder`` ({} when it has none and ``missing_ok``: a row without a package)."""
    if missing_ok and not (folder / MANIFEST_NAME).is_file():
        return {}
    data = read_manifest_json(folder)
    if not isinstance(data, dict):
        raise PackageError(f"{MANIFEST_NAME} of {folder.name} must hold a JSON object")
    return data

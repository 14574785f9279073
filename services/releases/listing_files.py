"""Store listings and release notes from files, in fastlane supply's metadata layout.

``DIR/<language>/title.txt``, ``short_description.txt``, ``full_description.txt`` and
``DIR/<language>/images/icon.png``, ``featureGraphic.png``, ``phoneScreenshots/*.png``.
Release notes: a text file (en-US), or a JSON object of language -> text.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath

from app.errors import UserError
from app.releases.listing import ImageType, LocaleListing, StoreListing
from app.store.images import image_problem

_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _text(folder: Path, name: str) -> str:
    path = folder / name
    return path.read_text(encoding="utf-8").strip() if path.is_file() else ""


def _images(folder: Path) -> dict[ImageType, tuple[PurePath, ...]]:
    out: dict[ImageType, tuple[PurePath, ...]] = {}
    images = folder / "images"
    for kind in (ImageType.ICON, ImageType.FEATURE_GRAPHIC):
        found = [images / f"{kind.value}{s}" for s in _IMAGE_SUFFIXES if (images / f"{kind.value}{s}").is_file()]
        if found:
            out[kind] = (found[0],)
    shots = images / ImageType.PHONE_SCREENSHOTS.value
    if shots.is_dir():
        files = sorted(p for p in shots.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)
        if files:
            out[ImageType.PHONE_SCREENSHOTS] = tuple(files)
    return out


def load_listing_dir(root: Path) -> StoreListing:
    root = Path(root).expanduser()
    if not root.is_dir():
        raise UserError(f"no listing folder at {root}; it holds one folder per language, e.g. {root}/en-US/title.txt")
    locales = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if not (folder / "title.txt").is_file():
            continue
        locales.append(LocaleListing(folder.name, _text(folder, "title.txt"), _text(folder, "short_description.txt"),
                                     _text(folder, "full_description.txt"), _images(folder)))
    if not locales:
        raise UserError(f"{root} has no language folder with a title.txt (e.g. {root}/en-US/title.txt)")
    return StoreListing(tuple(locales))


def load_notes(path: Path) -> dict[str, str]:
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserError(f"no release notes file at {path}")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise UserError(f"{path.name} is not JSON ({exc}); give a JSON object of language -> notes") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise UserError(f"{path.name} must be a JSON object of language -> notes, e.g. {{\"en-US\": \"Fixes\"}}")
        return {str(k): v for k, v in data.items()}
    return {"en-US": text}


def listing_of_package(package_dir: Path) -> StoreListing | None:
    """The store listing a template package declares in its template.json (see docs/template-format.md) as Play
    takes it: each locale's texts, its phone screenshots and the package's feature graphic. None when it has none."""
    from services.store.listing import load_listing

    declared = load_listing(package_dir)
    if declared is None:
        return None
    locales = []
    for text in declared.locales.values():
        images: dict[ImageType, tuple[PurePath, ...]] = {}
        if declared.feature_graphic is not None:
            images[ImageType.FEATURE_GRAPHIC] = (declared.feature_graphic,)
        if text.phone_screenshots:
            images[ImageType.PHONE_SCREENSHOTS] = tuple(text.phone_screenshots)
        locales.append(LocaleListing(text.locale, text.title, text.short_description, text.full_description, images))
    return StoreListing(tuple(locales)) if locales else None


def check_images(listing: StoreListing) -> None:
    """Refuse, before Play is asked anything, the first image Play would refuse: one line naming the file."""
    from services.store.listing import image_facts

    for loc in listing.locales:
        for kind, paths in sorted(loc.images.items()):
            for p in paths:
                problem = image_problem(kind, image_facts(Path(p)))
                if problem:
                    raise UserError(f"{p} {problem}")

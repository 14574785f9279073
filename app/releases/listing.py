"""A store listing per language (texts and images) and Play's limits on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from app.errors import UserError
from app.releases.model import check_language
from app.store.images import ImageType
from app.store.policy import FULL_DESCRIPTION_MAX as FULL_LIMIT
from app.store.policy import PHONE_SCREENSHOTS_MAX as SCREENSHOTS_MAX
from app.store.policy import PHONE_SCREENSHOTS_MIN as SCREENSHOTS_MIN
from app.store.policy import SHORT_DESCRIPTION_MAX as SHORT_LIMIT
from app.store.policy import TITLE_MAX as TITLE_LIMIT

__all__ = ["ImageType", "LocaleListing", "StoreListing"]


@dataclass(frozen=True)
class LocaleListing:
    language: str
    title: str
    short_description: str
    full_description: str
    images: dict[ImageType, tuple[PurePath, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_language(self.language)
        for what, text, limit in (("title", self.title, TITLE_LIMIT),
                                  ("short description", self.short_description, SHORT_LIMIT),
                                  ("full description", self.full_description, FULL_LIMIT)):
            if not text.strip():
                raise UserError(f"the {self.language} listing has no {what}")
            if len(text) > limit:
                raise UserError(f"the {self.language} {what} is {len(text)} characters; Play allows {limit}")
        shots = self.images.get(ImageType.PHONE_SCREENSHOTS, ())
        if shots and not SCREENSHOTS_MIN <= len(shots) <= SCREENSHOTS_MAX:
            raise UserError(f"the {self.language} listing has {len(shots)} phone screenshots; Play takes "
                            f"{SCREENSHOTS_MIN} to {SCREENSHOTS_MAX}")
        for kind in (ImageType.ICON, ImageType.FEATURE_GRAPHIC):
            if len(self.images.get(kind, ())) > 1:
                raise UserError(f"the {self.language} listing has more than one {kind.value}")
        for paths in self.images.values():
            for p in paths:
                if p.suffix.lower() not in (".png", ".jpg", ".jpeg"):
                    raise UserError(f"{p.name}: Play takes PNG or JPEG images only")

    def to_api(self) -> dict[str, Any]:
        return {"language": self.language, "title": self.title, "shortDescription": self.short_description,
                "fullDescription": self.full_description}

    def summary(self) -> dict[str, Any]:
        return {"language": self.language, "title": self.title,
                "images": {k.value: len(v) for k, v in sorted(self.images.items())}}


@dataclass(frozen=True)
class StoreListing:
    locales: tuple[LocaleListing, ...]

    def __post_init__(self) -> None:
        if not self.locales:
            raise UserError("the store listing has no language; add e.g. an en-US listing")
        langs = [loc.language for loc in self.locales]
        if len(set(langs)) != len(langs):
            raise UserError(f"the store listing names a language twice: {', '.join(langs)}")

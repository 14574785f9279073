"""Pure rules of the templates area: package limits, archive member names, manifest checks,
image sniffing, search query building and the trending score.

Everything here is deterministic and free of I/O so it can be unit- and property-tested.
"""

from __future__ import annotations

import math
import re
import struct
import unicodedata
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.currency import exponent, format_minor, to_minor
from app.errors import UserError
from app.search import fts_query as fts_query
from app.store.policy import DEFAULT_MIN_SDK, DEFAULT_TARGET_SDK

SCHEMA_VERSION = 1
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
SEMVER_RE = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
APP_ID_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*(\.[a-zA-Z][a-zA-Z0-9_]*)+$")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
MANIFEST_NAME = "template.json"


class PackageError(UserError):
    """A template package was refused; the message names the file and the reason."""


@dataclass(frozen=True)
class ImportLimits:
    """Caps applied before anything is written into the store."""

    max_files: int = 2000
    max_total_bytes: int = 200 * 1024 * 1024  # uncompressed, whole package
    max_file_bytes: int = 50 * 1024 * 1024
    max_manifest_bytes: int = 256 * 1024
    max_ratio: float = 100.0  # uncompressed / compressed, per member and for the archive
    ratio_floor_bytes: int = 1024 * 1024  # members smaller than this are not ratio-checked
    max_depth: int = 16
    max_name_length: int = 1024


DEFAULT_LIMITS = ImportLimits()


# -- archive member names ---------------------------------------------------------------


def check_member_name(name: str) -> str:
    """Return the safe relative POSIX path for an archive member or folder entry name.

    Refuses (``PackageError``) absolute paths, drive letters, ``..`` components, NUL and
    control characters, invisible and bidi-override characters, and names that are not valid
    UTF-8 (undecodable bytes show up as lone surrogates). Backslashes count as separators so Windows-made traversal is caught.
    The name is returned in Unicode NFC, so look-alike spellings compare equal.
    """
    if not name:
        raise PackageError("empty file name in package")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise PackageError(f"file name is not valid UTF-8: {name!r}") from None
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        raise PackageError(f"control character in file name: {name!r}")
    if any(unicodedata.category(c) == "Cf" for c in name):
        # bidi overrides (RLO makes 'exe.gnp' read 'png.exe'), zero-width and other invisible characters
        raise PackageError(f"invisible or text-direction character in file name: {name!r}; rename the file")
    # one spelling per name: an NFD 'é' (e + combining accent) and an NFC 'é' become the same name,
    # so a look-alike pair is caught as a duplicate instead of shipping two files that look identical
    name = unicodedata.normalize("NFC", name)
    if len(name) > DEFAULT_LIMITS.max_name_length:
        raise PackageError(f"file name longer than {DEFAULT_LIMITS.max_name_length} characters: {name[:60]!r}...")
    unified = name.replace("\\", "/")
    if _DRIVE_RE.match(unified):
        raise PackageError(f"drive letter in file name (absolute path): {name!r}")
    if unified.startswith("/"):
        raise PackageError(f"absolute path in package: {name!r}")
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise PackageError(f"path traversal ('..') in package: {name!r}")
    if not parts:
        raise PackageError(f"file name has no path: {name!r}")
    if any(":" in p for p in parts):
        # 'C:' after normalisation, or an NTFS stream ('a.txt:evil'): unsafe on Windows
        raise PackageError(f"drive letter or ':' in file name: {name!r}")
    if any(len(p.encode("utf-8")) > 255 for p in parts):
        raise PackageError(f"file name component longer than 255 bytes: {name[:60]!r}...")
    if len(parts) > DEFAULT_LIMITS.max_depth:
        raise PackageError(f"folder nesting deeper than {DEFAULT_LIMITS.max_depth}: {name[:60]!r}")
    return "/".join(parts)


def decode_zip_name(raw_name: str, utf8_flag: bool) -> str:
    """Zip names without the UTF-8 flag were decoded as cp437 by zipfile; accept them only
    if their bytes are valid UTF-8 (plain ASCII always is)."""
    if utf8_flag or raw_name.isascii():
        return raw_name
    try:
        raw = raw_name.encode("cp437")
    except UnicodeEncodeError:
        return raw_name
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError(f"file name is not valid UTF-8: {raw!r}") from None


def check_sizes(
    entries: Iterable[tuple[str, int, int]], limits: ImportLimits = DEFAULT_LIMITS
) -> None:
    """Check (name, uncompressed, compressed) sizes against the caps before extraction."""
    total = 0
    total_compressed = 0
    for count, (name, size, compressed) in enumerate(entries, start=1):
        if count > limits.max_files:
            raise PackageError(f"too many files in package (more than {limits.max_files})")
        if size > limits.max_file_bytes:
            raise PackageError(f"file too large: {name} ({size} bytes, limit {limits.max_file_bytes})")
        if name == MANIFEST_NAME and size > limits.max_manifest_bytes:
            raise PackageError(
                f"{MANIFEST_NAME} is too large ({size} bytes, limit {limits.max_manifest_bytes})"
            )
        if size >= limits.ratio_floor_bytes and size > limits.max_ratio * max(compressed, 1):
            raise PackageError(
                f"suspicious compression ratio for {name} ({size / max(compressed, 1):.0f}:1, "
                f"limit {limits.max_ratio:.0f}:1): possible zip bomb"
            )
        total += size
        total_compressed += compressed
        if total > limits.max_total_bytes:
            raise PackageError(
                f"package too large when unpacked (over {limits.max_total_bytes} bytes): possible zip bomb"
            )
    if total >= limits.ratio_floor_bytes and total > limits.max_ratio * max(total_compressed, 1):
        raise PackageError(
            f"suspicious overall compression ratio ({total / max(total_compressed, 1):.0f}:1): possible zip bomb"
        )


# -- manifest ------------------------------------------------------------------------------


def check_manifest(manifest: Mapping[str, Any]) -> None:
    """Rules the JSON schema cannot say (run after schema validation)."""
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise PackageError(
            f"unsupported schema_version {manifest.get('schema_version')!r}: this TrendForge reads version {SCHEMA_VERSION}"
        )
    min_sdk = int(manifest.get("min_sdk", DEFAULT_MIN_SDK))
    target_sdk = int(manifest.get("target_sdk", DEFAULT_TARGET_SDK))
    if target_sdk < min_sdk:
        raise PackageError(f"target_sdk ({target_sdk}) must be at least min_sdk ({min_sdk})")
    tags = manifest.get("tags", [])
    if len({str(t).lower() for t in tags}) != len(tags):
        raise PackageError("tags contain duplicates")
    preview = manifest.get("preview")
    if preview is not None:
        safe = check_member_name(str(preview))
        if not safe.lower().endswith(".png"):
            raise PackageError(f"preview must be a .png file, got {preview!r}")


def check_slug(value: str) -> None:
    if not SLUG_RE.match(value):
        raise PackageError(
            f"invalid template id {value!r}: use 2-63 lowercase letters, digits and '-', starting with a letter or digit"
        )


def keep_both_id(base: str, taken: set[str]) -> str:
    """The first free ``<base>-2``, ``<base>-3``... (shortened to stay a valid slug)."""
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: 63 - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1


PYTHON_SCAFFOLDING = frozenset({"__init__.py", "__pycache__"})


def is_python_scaffolding(name: str) -> bool:
    """``__init__.py`` / ``__pycache__`` beside the shipped samples (a Python package): never a template,
    and picked up by a shell glob such as ``resources/samples/*``."""
    return name in PYTHON_SCAFFOLDING or name.endswith(".pyc")


def keep_both_application_id(base: str, taken: set[str]) -> str:
    """A copy kept beside its original gets its own Android application id, ``<base>.copy2``,
    ``<base>.copy3``...: with the original's id it would install over the original on a phone
    and share its versionCodes and its Play listing."""
    n = 2
    while True:
        candidate = f"{base[:140]}.copy{n}"
        if candidate not in taken and APP_ID_RE.match(candidate):
            return candidate
        n += 1


# -- images -----------------------------------------------------------------------------------


def sniff_image(name: str, data: bytes) -> str:
    """Return the image format of ``data`` or raise if it does not match its extension."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext == "png":
        check_png(name, data)
        return "png"
    if ext in ("jpg", "jpeg"):
        if not (data[:3] == b"\xff\xd8\xff" and data.rstrip(b"\x00")[-2:] == b"\xff\xd9"):
            raise PackageError(f"{name} is not a JPEG image")
        return "jpeg"
    if ext == "gif":
        if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 14:
            raise PackageError(f"{name} is not a GIF image")
        return "gif"
    if ext == "webp":
        if not (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
            raise PackageError(f"{name} is not a WebP image")
        return "webp"
    raise PackageError(f"{name}: unsupported image type")


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_png(name: str, data: bytes, max_side: int = 8192) -> tuple[int, int]:
    """Walk the PNG chunks: signature, IHDR first with a valid CRC, sane size, IEND last."""
    if not data.startswith(PNG_SIGNATURE):
        raise PackageError(f"{name} is not a PNG image (bad signature)")
    pos = len(PNG_SIGNATURE)
    width = height = 0
    first = True
    seen_idat = False
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        crc_bytes = data[pos + 8 + length : pos + 12 + length]
        if len(body) != length or len(crc_bytes) != 4:
            raise PackageError(f"{name} is not a valid PNG image (truncated chunk)")
        if zlib.crc32(ctype + body) & 0xFFFFFFFF != struct.unpack(">I", crc_bytes)[0]:
            raise PackageError(f"{name} is not a valid PNG image (bad CRC in {ctype!r} chunk)")
        if first:
            if ctype != b"IHDR" or length != 13:
                raise PackageError(f"{name} is not a valid PNG image (IHDR missing)")
            width, height = struct.unpack(">II", body[:8])
            if not (0 < width <= max_side and 0 < height <= max_side):
                raise PackageError(f"{name}: image size {width}x{height} out of range (1..{max_side})")
            first = False
        if ctype == b"IDAT":
            seen_idat = True
        if ctype == b"IEND":
            if not seen_idat:
                raise PackageError(f"{name} is not a valid PNG image (no image data)")
            return width, height
        pos += 12 + length
    raise PackageError(f"{name} is not a valid PNG image (no IEND chunk)")


def is_image_name(name: str) -> bool:
    lower = name.lower()
    return any(lower.endswith(ext) for ext in IMAGE_EXTENSIONS)


# -- search -------------------------------------------------------------------------------------

# fts_query lives in app.search (one meaning of a typed search for every index); re-exported here.


# -- trending ------------------------------------------------------------------------------------

TRENDING_HALF_LIFE_DAYS = 7.0
RATING_PRIOR = 3.0
RATING_PRIOR_WEIGHT = 5


def bayesian_rating(avg: float | None, count: int) -> float:
    """Average rating pulled toward 3 stars until there are enough reviews."""
    total = (avg or 0.0) * count + RATING_PRIOR * RATING_PRIOR_WEIGHT
    return total / (count + RATING_PRIOR_WEIGHT)


def trending_score(
    *,
    recent_sales: int,
    recent_builds: int,
    build_success_rate: float | None,
    rating_avg: float | None,
    rating_count: int,
    days_since_activity: float | None,
) -> float:
    """``(3·sales + builds·(0.5 + 0.5·success) + 2·(bayes_rating - 3)) · 0.5^(days/7)``, floored at 0.

    * recent sales weigh most (someone paid), builds count half to fully depending on how
      many succeed, and ratings add or subtract up to 4 points once there are enough reviews
      (Bayesian average with a prior of 3 stars worth 5 reviews);
    * the sum decays with a 7-day half-life from the template's last activity, so a burst
      last month ranks below a smaller one this week.
    """
    success = 1.0 if build_success_rate is None else max(0.0, min(1.0, build_success_rate))
    activity = 3.0 * max(recent_sales, 0) + max(recent_builds, 0) * (0.5 + 0.5 * success)
    quality = 2.0 * (bayesian_rating(rating_avg, rating_count) - RATING_PRIOR)
    days = 0.0 if days_since_activity is None else max(days_since_activity, 0.0)
    decay = math.pow(0.5, days / TRENDING_HALF_LIFE_DAYS)
    return max(0.0, (activity + quality) * decay)


def check_rating(rating: int) -> None:
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise UserError(f"rating must be a whole number from 1 to 5, got {rating!r}")


# -- price ---------------------------------------------------------------------------------------

_PRICE_RE = re.compile(r"^\s*(\d{1,9})(?:[.,](\d{1,4}))?\s*$")


def currency_exponent(currency: str) -> int:
    """Digits after the decimal point (one source: :mod:`app.currency`)."""
    return exponent(currency)


def format_price(amount_minor: int, currency: str) -> str:
    """``199, "USD"`` -> ``"1.99 USD"``; free templates show ``"free"``."""
    if amount_minor == 0:
        return "free"
    return format_minor(amount_minor, currency)


def parse_price(text: str, currency: str) -> int:
    """``"1.99"`` (or ``"1,99"``) -> ``199`` minor units (no floats); raises ``UserError`` on bad input."""
    m = _PRICE_RE.match(text or "")
    if not m:
        raise UserError(f"price must be a number like 1.99, got {text!r}")
    whole, frac = m.group(1), m.group(2) or ""
    if frac and exponent(currency) == 0:
        raise UserError(f"{currency} has no minor units; give a whole number")
    return to_minor(f"{whole}.{frac}" if frac else whole, currency)

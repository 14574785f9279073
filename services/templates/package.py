"""Template packages on disk: safe unpacking of folders and zips into a staging dir,
manifest validation, and export back to a zip.

Nothing is written outside ``staging`` until the service moves the validated folder into
the store with one ``rename``. Every refusal is a :class:`PackageError` naming the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import zipfile
import zlib
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.store.policy import DEFAULT_MIN_SDK, DEFAULT_TARGET_SDK, ICON_SOURCE_MIN_PX
from app.templates.rules import (
    DEFAULT_LIMITS,
    MANIFEST_NAME,
    ImportLimits,
    PackageError,
    check_manifest,
    check_member_name,
    check_sizes,
    decode_zip_name,
    is_image_name,
    sniff_image,
)
from app.untrusted import load_json
from services.template_manifest import read_manifest_json

if TYPE_CHECKING:
    import jsonschema

_CHUNK = 64 * 1024
_SKIP_PREFIXES = ("__MACOSX/",)
_SKIP_NAMES = frozenset({".DS_Store", "Thumbs.db"})


@cache
def manifest_schema() -> dict[str, Any]:
    text = (resources.files("resources.schemas") / "template.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema  # when a package is first checked, not when the templates area is built

    return jsonschema.Draft202012Validator(manifest_schema())


def validate_manifest(manifest: Any) -> dict[str, Any]:
    """Schema + rule validation; returns the manifest with defaults filled in."""
    if not isinstance(manifest, dict):
        raise PackageError(f"{MANIFEST_NAME} must hold a JSON object")
    version = manifest.get("schema_version")
    if version != 1:
        raise PackageError(
            f"unsupported schema_version {version!r} in {MANIFEST_NAME}: this TrendForge reads version 1"
        )
    errors = sorted(_validator().iter_errors(manifest), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise PackageError(f"{MANIFEST_NAME} is invalid at {where}: {err.message}{more}")
    out = dict(manifest)
    out.setdefault("description", "")
    out.setdefault("tags", [])
    out.setdefault("min_sdk", DEFAULT_MIN_SDK)
    out.setdefault("target_sdk", DEFAULT_TARGET_SDK)
    out.setdefault("price", {"amount": 0, "currency": "USD"})
    check_manifest(out)
    return out


def parse_manifest_bytes(data: bytes, limits: ImportLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    if len(data) > limits.max_manifest_bytes:
        raise PackageError(f"{MANIFEST_NAME} is too large ({len(data)} bytes, limit {limits.max_manifest_bytes})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PackageError(f"{MANIFEST_NAME} is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        manifest = load_json(text, MANIFEST_NAME, PackageError)
    except json.JSONDecodeError as exc:
        raise PackageError(f"{MANIFEST_NAME} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    return validate_manifest(manifest)


def _write_stream(src: Any, target: Path, name: str, budget: list[int], limits: ImportLimits) -> None:
    """Copy ``src`` into a new file, counting real bytes (headers can lie)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    written = 0
    with os.fdopen(fd, "wb") as out:
        while True:
            chunk = src.read(_CHUNK)
            if not chunk:
                break
            written += len(chunk)
            budget[0] -= len(chunk)
            if written > limits.max_file_bytes:
                raise PackageError(f"file too large: {name} (over {limits.max_file_bytes} bytes)")
            if budget[0] < 0:
                raise PackageError(
                    f"package too large when unpacked (over {limits.max_total_bytes} bytes): possible zip bomb"
                )
            out.write(chunk)


def _target(staging: Path, safe: str) -> Path:
    target = staging.joinpath(*safe.split("/"))
    # Defence in depth: the checked name can never leave the staging dir.
    if not target.resolve().is_relative_to(staging.resolve()):
        raise PackageError(f"path escapes the package: {safe!r}")
    return target


def _strip_single_root(names: list[str]) -> str:
    """A zip of a folder often has every entry under ``<folder>/``: return that prefix."""
    if MANIFEST_NAME in names:
        return ""
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1:
        top = next(iter(tops))
        if f"{top}/{MANIFEST_NAME}" in names:
            return top + "/"
    return ""


def unpack_zip(archive: Path, staging: Path, limits: ImportLimits = DEFAULT_LIMITS) -> None:
    """Check every member, then extract into ``staging`` (an existing empty dir)."""
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise PackageError(f"{archive.name} is not a valid zip archive") from None
    except OSError as exc:
        raise PackageError(f"cannot read {archive.name}: {exc.strerror or exc}") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_files:
            raise PackageError(f"too many files in package ({len(infos)}, limit {limits.max_files})")
        members: list[tuple[zipfile.ZipInfo, str]] = []
        seen: set[str] = set()
        for info in infos:
            name = decode_zip_name(info.filename, bool(info.flag_bits & 0x800))
            if name.startswith(_SKIP_PREFIXES) or name.rsplit("/", 1)[-1] in _SKIP_NAMES:
                continue
            safe = check_member_name(name)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise PackageError(f"symbolic link in package: {name!r} (links are not allowed)")
            if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
                raise PackageError(f"special file in package: {name!r}")
            if info.flag_bits & 0x1:
                raise PackageError(f"encrypted file in package: {name!r}")
            key = safe.casefold() + ("/" if info.is_dir() else "")
            if key in seen:
                raise PackageError(f"duplicate file name in package: {name!r}")
            seen.add(key)
            members.append((info, safe))
        files = [(i, s) for i, s in members if not i.is_dir()]
        prefix = _strip_single_root([s for _, s in files])
        check_sizes(
            ((s[len(prefix):], i.file_size, i.compress_size) for i, s in files), limits
        )
        budget = [limits.max_total_bytes]
        for info, safe in members:
            if prefix and not safe.startswith(prefix):
                continue
            rel = safe[len(prefix):]
            if not rel:
                continue
            target = _target(staging, rel)
            if info.is_dir():
                _mkdir(target, staging, rel)
                continue
            _mkdir(target.parent, staging, rel)
            try:
                with zf.open(info) as src:
                    _write_stream(src, target, rel, budget, limits)
            except FileExistsError:
                raise PackageError(f"duplicate file name in package: {rel!r}") from None
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
                raise PackageError(f"damaged zip member {rel!r}: {exc}") from None


def _mkdir(path: Path, staging: Path, rel: str) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise PackageError(f"a file and a folder share a name in package: {rel!r}") from None
    if not path.resolve().is_relative_to(staging.resolve()):
        raise PackageError(f"path escapes the package: {rel!r}")


def copy_folder(source: Path, staging: Path, limits: ImportLimits = DEFAULT_LIMITS) -> None:
    """Copy a package folder into ``staging``, refusing links and special files."""
    entries: list[tuple[str, Path, int]] = []
    dirs: list[str] = []
    seen: set[str] = set()
    stack: list[tuple[Path, str]] = [(source, "")]
    while stack:
        folder, rel_dir = stack.pop()
        try:
            it = list(os.scandir(folder))
        except OSError as exc:
            raise PackageError(f"cannot read folder {folder}: {exc.strerror or exc}") from None
        for entry in it:
            rel = f"{rel_dir}{entry.name}"
            if entry.name in _SKIP_NAMES:
                continue
            safe = check_member_name(rel)
            if safe.casefold() in seen:
                raise PackageError(f"duplicate file name in package: {rel!r} (another name differs only in case or "
                                   "Unicode form)")
            seen.add(safe.casefold())
            if entry.is_symlink():
                raise PackageError(f"symbolic link in package: {rel!r} (links are not allowed)")
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                dirs.append(safe)
                stack.append((Path(entry.path), rel + "/"))
            elif stat.S_ISREG(st.st_mode):
                entries.append((safe, Path(entry.path), st.st_size))
                if len(entries) > limits.max_files:
                    raise PackageError(f"too many files in package (more than {limits.max_files})")
            else:
                raise PackageError(f"special file in package: {rel!r}")
    check_sizes(((s, size, size) for s, _, size in entries), limits)
    for d in sorted(dirs):
        _mkdir(_target(staging, d), staging, d)
    budget = [limits.max_total_bytes]
    for safe, path, _ in entries:
        target = _target(staging, safe)
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            raise PackageError(f"cannot read {safe}: {exc.strerror or exc}") from None
        with os.fdopen(fd, "rb") as src:
            _write_stream(src, target, safe, budget, limits)


def load_staged(staging: Path, limits: ImportLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Validate an unpacked package: manifest, preview, every image."""
    manifest_path = staging / MANIFEST_NAME
    if not manifest_path.is_file():
        raise PackageError(f"no {MANIFEST_NAME} at the top of the package")
    size = manifest_path.stat().st_size
    if size > limits.max_manifest_bytes:
        raise PackageError(f"{MANIFEST_NAME} is too large ({size} bytes, limit {limits.max_manifest_bytes})")
    manifest = parse_manifest_bytes(manifest_path.read_bytes(), limits)
    preview = manifest.get("preview")
    if preview:
        preview_path = _target(staging, check_member_name(preview))
        if not preview_path.is_file():
            raise PackageError(f"preview image {preview!r} named in {MANIFEST_NAME} is missing from the package")
    icon = (manifest.get("branding") or {}).get("icon")
    if icon:
        from services.store.icons import icon_problem  # the imaging library, for a package that brings an icon

        problem = icon_problem(_target(staging, check_member_name(icon)))
        if problem:
            raise PackageError(f"branding.icon {icon!r} {problem}; use a square PNG of at least "
                               f"{ICON_SOURCE_MIN_PX}x{ICON_SOURCE_MIN_PX}")
    for path in staging.rglob("*"):
        if path.is_file() and is_image_name(path.name):
            rel = path.relative_to(staging).as_posix()
            sniff_image(rel, path.read_bytes())
    return manifest


# Fields only the package's template.json holds (not columns): kept when the row's fields are edited.
PACKAGE_ONLY_FIELDS = ("branding", "listing", "permission_reasons")


def package_only_fields(folder: Path) -> dict[str, Any]:
    if not (folder / MANIFEST_NAME).is_file():
        return {}
    try:
        data = read_manifest_json(folder)
    except PackageError:
        return {}
    return {k: data[k] for k in PACKAGE_ONLY_FIELDS if isinstance(data, dict) and k in data}


def copy_package_files(source: Path, staging: Path, *, skip: tuple[str, ...] = ()) -> None:
    """A stored package's files (not its manifest, not ``skip``) into a new package's staging folder."""
    for entry in source.iterdir():
        if entry.name == MANIFEST_NAME or entry.name in skip or entry.name.startswith(".") or entry.is_symlink():
            continue
        if entry.is_dir():
            shutil.copytree(entry, staging / entry.name, symlinks=False,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "__init__.py"))
        elif entry.is_file() and entry.name != "__init__.py":
            shutil.copyfile(entry, staging / entry.name)


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Replace ``template.json`` atomically (write a sibling, then rename over)."""
    tmp = folder / f".{MANIFEST_NAME}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(folder / MANIFEST_NAME)


def export_zip(folder: Path, dest: Path, root: str) -> None:
    """Zip ``folder`` to ``dest`` (through a temp file) with every entry under ``root/``."""
    tmp = dest.with_name(f".{dest.name}.part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.rglob("*")):
                if path.is_symlink() or path.name.startswith(f".{MANIFEST_NAME}"):
                    continue
                rel = path.relative_to(folder).as_posix()
                if path.is_dir():
                    continue
                zf.write(path, f"{root}/{rel}")
        tmp.replace(dest)
    finally:
        if tmp.exists():
            tmp.unlink()


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)

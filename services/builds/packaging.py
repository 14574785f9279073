"""Pure-Python packaging steps: white-label resources, add dex, lay out an AAB, zip a web bundle."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ElementTree

import defusedxml.ElementTree as SafeET

from app.errors import UserError

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def prepare_android_sources(package_dir: Path, work: Path, app_name: str, content: dict[str, Any]) -> Path:
    """Copy ``android/`` into ``work/src``, set ``app_name`` in strings.xml, write assets/content.json."""
    source = package_dir / "android"
    if not (source / "AndroidManifest.xml").is_file():
        raise UserError(f"template package {package_dir} has no android/AndroidManifest.xml")
    if not (source / "res").is_dir():
        raise UserError(f"template package {package_dir} has no android/res folder")
    dest = work / "src"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    set_app_name(dest / "res" / "values" / "strings.xml", app_name)
    assets = dest / "assets"
    assets.mkdir(exist_ok=True)
    (assets / "content.json").write_text(json.dumps(content, ensure_ascii=False, indent=1), encoding="utf-8")
    return dest


def set_app_name(strings_xml: Path, app_name: str) -> None:
    root: Element
    if strings_xml.is_file():
        parsed = SafeET.parse(strings_xml).getroot()
        if parsed is None:
            raise UserError(f"{strings_xml} is empty")
        root = parsed
    else:
        strings_xml.parent.mkdir(parents=True, exist_ok=True)
        root = Element("resources")
    for el in root.findall("string"):
        if el.get("name") == "app_name":
            el.text = escape_android_string(app_name)
            break
    else:
        el = Element("string", {"name": "app_name"})
        el.text = escape_android_string(app_name)
        root.append(el)
    ElementTree(root).write(strings_xml, encoding="utf-8", xml_declaration=True)


def escape_android_string(text: str) -> str:
    """Android string resources treat ' " @ ? and a leading # specially."""
    out = text.replace("\\", "\\\\").replace("'", "\\'").replace('"', '\\"')
    if out[:1] in ("@", "?", "#"):
        out = "\\" + out
    return out


def add_stored(archive: Path, files: dict[str, Path]) -> None:
    """Add files to a zip uncompressed (dex files must be stored for zipalign/mmap)."""
    with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_STORED) as zf:
        existing = set(zf.namelist())
        for name, path in files.items():
            if name in existing:
                raise UserError(f"{archive.name} already has {name}")
            zf.write(path, name, compress_type=zipfile.ZIP_STORED)


def _bundletool_config(version: str = "1.15.6") -> bytes:
    """A minimal BundleConfig protobuf: field 1 (bundletool) { field 2 (version): string }."""
    v = version.encode()
    inner = b"\x12" + bytes([len(v)]) + v
    return b"\x0a" + bytes([len(inner)]) + inner


def _zinfo(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = compress
    info.external_attr = 0
    info.create_system = 0
    return info


def layout_bundle(proto_apk: Path, dex_files: list[Path], out: Path) -> list[str]:
    """Turn a ``--proto-format`` link output plus dex files into an unsigned AAB. Returns entry names."""
    names: list[str] = []
    with zipfile.ZipFile(proto_apk) as src, zipfile.ZipFile(out, "w") as dst:
        dst.writestr(_zinfo("BundleConfig.pb", zipfile.ZIP_DEFLATED), _bundletool_config())
        names.append("BundleConfig.pb")
        for item in src.infolist():
            if item.is_dir():
                continue
            name = item.filename
            if name == "AndroidManifest.xml":
                target = "base/manifest/AndroidManifest.xml"
            elif name == "resources.pb" or name.startswith(("res/", "assets/", "lib/")):
                target = f"base/{name}"
            else:
                target = f"base/root/{name}"
            dst.writestr(_zinfo(target, zipfile.ZIP_DEFLATED), src.read(item))
            names.append(target)
        for i, dex in enumerate(dex_files):
            target = "base/dex/classes.dex" if i == 0 else f"base/dex/classes{i + 1}.dex"
            dst.writestr(_zinfo(target, zipfile.ZIP_DEFLATED), dex.read_bytes())
            names.append(target)
    return names


def web_bundle(package_dir: Path, out: Path, manifest: dict[str, Any], content: dict[str, Any]) -> list[str]:
    """Zip ``web/`` with a ``manifest.json`` (and the content as ``content.json``)."""
    web = package_dir / "web"
    if not web.is_dir() or not any(web.rglob("*")):
        raise UserError(f"template package {package_dir} has no web/ assets to bundle")
    names: list[str] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in web.rglob("*") if p.is_file()):
            rel = path.relative_to(web).as_posix()
            if rel in ("manifest.json", "content.json"):
                continue
            zf.writestr(_zinfo(rel, zipfile.ZIP_DEFLATED), path.read_bytes())
            names.append(rel)
        files = {n: sha256_bytes(zf.read(n)) for n in names}
        zf.writestr(_zinfo("content.json", zipfile.ZIP_DEFLATED), json.dumps(content, ensure_ascii=False, indent=1))
        names.append("content.json")
        zf.writestr(
            _zinfo("manifest.json", zipfile.ZIP_DEFLATED),
            json.dumps({**manifest, "files": files}, indent=2, sort_keys=True),
        )
        names.append("manifest.json")
    return names


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()

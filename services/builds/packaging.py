"""Pure-Python packaging steps: white-label resources, add dex, lay out an AAB, zip a web bundle."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

from app.errors import UserError
from app.store.branding import Branding, app_json
from services.resource_dirs import resource_dir

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def runtime_android_dir() -> Path:
    """The shared runtime's Android sources (manifest, styles, smali of the WebView activity)."""
    return resource_dir("resources.runtime") / "android"


def uses_runtime(package_dir: Path) -> bool:
    """A template without its own ``android/AndroidManifest.xml`` is hosted by the shared runtime."""
    return not (package_dir / "android" / "AndroidManifest.xml").is_file()


def prepare_android_sources(package_dir: Path, work: Path, app_name: str, content: dict[str, Any],
                            branding: Branding | None = None) -> Path:
    """Lay out ``work/src`` for aapt2/smali and return it.

    The base is the shared runtime (or the template's own ``android/`` when it has a manifest); the
    template's ``android/`` files go over it, ``web/`` becomes ``assets/web/`` with the content beside
    it as ``content.json`` (also at ``assets/content.json`` for templates with their own code), the
    label is set, and the launcher icons and colours are generated from the branding.
    """
    source = package_dir / "android"
    runtime = uses_runtime(package_dir)
    web = package_dir / "web"
    if runtime and not (web / "index.html").is_file():
        raise UserError(f"template package {package_dir} has neither web/index.html (for the TrendForge runtime) "
                        "nor android/AndroidManifest.xml (its own app)")
    dest = work / "src"
    if dest.exists():
        shutil.rmtree(dest)
    if runtime:
        shutil.copytree(runtime_android_dir(), dest)
        if source.is_dir():
            shutil.copytree(source, dest, dirs_exist_ok=True)
    else:
        if not (source / "res").is_dir():
            raise UserError(f"template package {package_dir} has no android/res folder")
        shutil.copytree(source, dest)
    set_app_name(dest / "res" / "values" / "strings.xml", app_name)
    assets = dest / "assets"
    assets.mkdir(exist_ok=True)
    content_json = json.dumps(content, ensure_ascii=False, indent=1)
    (assets / "content.json").write_text(content_json, encoding="utf-8")
    brand = branding or Branding()
    if web.is_dir():
        shutil.copytree(web, assets / "web", dirs_exist_ok=True)
        (assets / "web" / "content.json").write_text(content_json, encoding="utf-8")
        (assets / "web" / "app.json").write_text(app_json(app_name, brand), encoding="utf-8")
    res = dest / "res"
    if runtime or brand.icon:
        from services.store import icons  # the imaging library, when a build packages its resources

        (res / "values" / "tf_branding.xml").write_text(icons.branding_values_xml(brand), encoding="utf-8")
    if brand.icon:
        icons.write_launcher_icons(package_dir / brand.icon, res, brand)
        if not runtime:
            ensure_icon_attribute(dest / "AndroidManifest.xml")
    elif runtime:
        raise UserError("the template has no launcher icon: name a square PNG (512x512 or larger) in "
                        "branding.icon of template.json")
    return dest


_ANDROID_NS = "http://schemas.android.com/apk/res/android"


def ensure_icon_attribute(manifest: Path) -> None:
    """A template with its own manifest but no ``android:icon`` gets the generated launcher icon."""
    from xml.etree.ElementTree import ElementTree, register_namespace  # with a build, not with the Builds area

    import defusedxml.ElementTree as SafeET
    tree = SafeET.parse(manifest)
    root = tree.getroot()
    app = root.find("application") if root is not None else None
    if root is None or app is None:
        raise UserError(f"{manifest.name} has no <application> element")
    key = f"{{{_ANDROID_NS}}}icon"
    if app.get(key):
        return
    app.set(key, "@mipmap/ic_launcher")
    register_namespace("android", _ANDROID_NS)
    ElementTree(root).write(manifest, encoding="utf-8", xml_declaration=True)


def set_app_name(strings_xml: Path, app_name: str) -> None:
    from xml.etree.ElementTree import Element, ElementTree  # with a build, not with the Builds area

    import defusedxml.ElementTree as SafeET

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


def web_bundle(package_dir: Path, out: Path, manifest: dict[str, Any], content: dict[str, Any],
               branding: Branding | None = None) -> list[str]:
    """Zip ``web/`` with a ``manifest.json``, the content as ``content.json`` and ``app.json``."""
    web = package_dir / "web"
    if not web.is_dir() or not any(web.rglob("*")):
        raise UserError(f"template package {package_dir} has no web/ assets to bundle")
    generated = ("manifest.json", "content.json", "app.json")
    names: list[str] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in web.rglob("*") if p.is_file()):
            rel = path.relative_to(web).as_posix()
            if rel in generated:
                continue
            zf.writestr(_zinfo(rel, zipfile.ZIP_DEFLATED), path.read_bytes())
            names.append(rel)
        files = {n: sha256_bytes(zf.read(n)) for n in names}
        zf.writestr(_zinfo("content.json", zipfile.ZIP_DEFLATED), json.dumps(content, ensure_ascii=False, indent=1))
        zf.writestr(_zinfo("app.json", zipfile.ZIP_DEFLATED),
                    app_json(str(manifest.get("app_name", "")), branding or Branding()))
        names += ["content.json", "app.json"]
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

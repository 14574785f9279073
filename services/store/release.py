"""Facts for the release check, read from a template package: its Android manifest (the template's own or
the runtime's), its icon, its web UI's local references, its permission reasons and its listing."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from app.errors import UserError
from app.store.branding import Branding
from app.store.check import DANGEROUS_PERMISSIONS
from services.store.icons import icon_problem
from services.store.listing import check_listing, load_listing
from services.template_manifest import read_manifest_json

ANDROID = "{http://schemas.android.com/apk/res/android}"
_COMPONENTS = ("activity", "activity-alias", "service", "receiver", "provider")


def manifest_path(package_dir: Path, runtime_android: Path) -> Path:
    own = package_dir / "android" / "AndroidManifest.xml"
    return own if own.is_file() else runtime_android / "AndroidManifest.xml"


def manifest_facts(path: Path) -> tuple[tuple[str, ...], bool, tuple[str, ...], bool]:
    """(components with intent filters but no exported, debuggable, permissions, has an icon)."""
    import defusedxml.ElementTree as SafeET  # with a release check, not with the Releases area

    try:
        root = SafeET.parse(path).getroot()
    except (SafeET.ParseError, OSError) as exc:
        raise UserError(f"{path.name} cannot be read: {exc}") from None
    if root is None:
        raise UserError(f"{path.name} is empty")
    app = root.find("application")
    unexported: list[str] = []
    debuggable = False
    has_icon = False
    if app is not None:
        debuggable = (app.get(f"{ANDROID}debuggable") or "").lower() == "true"
        has_icon = bool(app.get(f"{ANDROID}icon"))
        for tag in _COMPONENTS:
            for el in app.iter(tag):
                if el.find("intent-filter") is not None and el.get(f"{ANDROID}exported") is None:
                    unexported.append(f"<{tag} {el.get(f'{ANDROID}name') or '?'}>")
    permissions = tuple(el.get(f"{ANDROID}name") or "" for el in root.iter("uses-permission"))
    return tuple(unexported), debuggable, permissions, has_icon


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "src" or (name == "href" and tag in ("link",))):
                self.refs.append(value)


def web_problems(package_dir: Path, runtime: bool) -> list[tuple[str, str]]:
    """Files the web UI's HTML pages reference that the package does not ship (and remote ones the runtime blocks)."""
    web = package_dir / "web"
    if not (web / "index.html").is_file():
        if runtime:
            return [("web/index.html", "missing; the app's UI is web/index.html (with its CSS and JS beside it)")]
        return []
    out: list[tuple[str, str]] = []
    for page in sorted(web.rglob("*.html")):
        parser = _Refs()
        try:
            parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        except (OSError, ValueError) as exc:
            out.append((page.relative_to(package_dir).as_posix(), f"cannot be read: {exc}"))
            continue
        rel_page = page.relative_to(package_dir).as_posix()
        for ref in parser.refs:
            parts = urlsplit(ref)
            if parts.scheme in ("http", "https") or ref.startswith("//"):
                if runtime:
                    out.append((rel_page, f"loads {ref}, which the app cannot fetch (it serves only its own files); "
                                          "ship the file in web/"))
                continue
            if parts.scheme or not parts.path:
                continue  # data:, blob:, #fragment
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_relative_to(web.resolve()):
                out.append((rel_page, f"references {ref}, outside web/; keep every file of the UI inside web/"))
            elif not target.is_file() and target.name not in ("content.json", "app.json"):
                out.append((rel_page, f"references {ref}, which the package does not ship; add it to web/"))
    return out


def package_manifest(package_dir: Path) -> dict[str, Any]:
    data = read_manifest_json(package_dir)
    return data if isinstance(data, dict) else {}


def icon_fact(package_dir: Path, branding: Branding, manifest_has_icon: bool, runtime: bool) -> str | None:
    if branding.icon:
        problem = icon_problem(package_dir / branding.icon)
        if problem:
            return f"{branding.icon} {problem}; use a square PNG of at least 512x512"
        return None
    if runtime or not manifest_has_icon:
        return "no launcher icon; name a square PNG (512x512 or larger) in branding.icon"
    return None


def permissions_without_reason(permissions: tuple[str, ...], manifest: dict[str, Any]) -> tuple[str, ...]:
    reasons = manifest.get("permission_reasons") or {}
    return tuple(p for p in permissions if p in DANGEROUS_PERMISSIONS
                 and not str(reasons.get(p, "") if isinstance(reasons, dict) else "").strip())


def listing_facts(package_dir: Path) -> tuple[bool, list[tuple[str, str]]]:
    try:
        listing = load_listing(package_dir)
    except UserError as exc:
        return True, [("listing", str(exc))]
    if listing is None:
        return False, []
    return True, check_listing(listing)


def base_application_ids(samples_root: Path, runtime_manifest: Path) -> frozenset[str]:
    """The application ids of the bundled sample templates and of the runtime: never a maker's own app."""
    ids = {"com.trendforge.runtime"}
    for manifest in samples_root.glob("*/template.json"):
        app_id = package_manifest(manifest.parent).get("application_id")
        if isinstance(app_id, str):
            ids.add(app_id)
    return frozenset(ids)

"""The release check of a build request: facts from the package (services.store.release) and from the
builds already made for the application id, judged by app.store.check."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from app.builds.model import Platform
from app.builds.version import SemVer
from app.errors import UserError
from app.store.check import CheckReport, DeployKind, ReleaseFacts, check
from app.templates.rules import APP_ID_RE
from services.builds import packaging
from services.builds.pipeline import gradle_project
from services.builds.templates_port import BuildTemplate
from services.resource_dirs import resource_dir
from services.store import release


@dataclass(frozen=True)
class VersionHistory:
    """What was built before for one application id."""

    last_version_name: str | None = None
    last_version_code: int | None = None
    released_on_play: bool = False


@cache
def _base_ids() -> frozenset[str]:
    samples = resource_dir("resources.samples")
    return release.base_application_ids(samples, packaging.runtime_android_dir() / "AndroidManifest.xml")


def _lower(version: str | None, than: str | None) -> str | None:
    if version is None or than is None:
        return None
    try:
        a, b = SemVer.parse(version), SemVer.parse(than)
    except UserError:  # a malformed old row never blocks a build
        return None
    return than if (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch) else None


def _android_manifest(package_dir: Path) -> Path:
    gradle = gradle_project(package_dir)
    if gradle is not None and (gradle / "app" / "src" / "main" / "AndroidManifest.xml").is_file():
        return gradle / "app" / "src" / "main" / "AndroidManifest.xml"
    return release.manifest_path(package_dir, packaging.runtime_android_dir())


def release_report(template: BuildTemplate, package_dir: Path, platform: Platform, deploy: DeployKind,
                   version: str | None, application_id: str, app_name: str, history: VersionHistory) -> CheckReport:
    runtime = packaging.uses_runtime(package_dir) and gradle_project(package_dir) is None
    manifest = release.package_manifest(package_dir)
    unexported: tuple[str, ...] = ()
    debuggable = False
    permissions: tuple[str, ...] = ()
    has_icon = False
    icon = None
    if platform is not Platform.WEB:
        unexported, debuggable, permissions, has_icon = release.manifest_facts(_android_manifest(package_dir))
        icon = release.icon_fact(package_dir, template.branding, has_icon, runtime)
    present, listing = release.listing_facts(package_dir)
    facts = ReleaseFacts(
        template_id=template.id, platform=platform.value, deploy=deploy, target_sdk=template.target_sdk,
        app_name=app_name, application_id=application_id,
        application_id_valid=bool(APP_ID_RE.match(application_id)), base_application_ids=_base_ids(),
        version_name=version, version_lower_than=_lower(version, history.last_version_name),
        last_version_code=history.last_version_code, released_on_play=history.released_on_play,
        icon_problem=icon, unexported=unexported, debuggable=debuggable,
        permissions_without_reason=release.permissions_without_reason(permissions, manifest),
        listing_present=present, listing_problems=tuple(listing),
        web_problems=tuple(release.web_problems(package_dir, runtime or platform is Platform.WEB)),
    )
    return check(facts)

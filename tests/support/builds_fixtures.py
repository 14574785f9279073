"""Fixtures of the builds tests (integration and GUI): sample template packages, one shared keystore, the service.

The folders' conftest.py files import the fixtures they use from here."""

from __future__ import annotations

import gc
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.errors import NotFoundError
from app.templates.model import TemplateInfo, TemplateStatus
from services.bootstrap import Services
from services.builds.keys import generate_keystore
from services.builds.service import BuildsService
from tests.support.qasync_loop import builds_stopped

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"
SAMPLE_IDS = ("quotes-daily", "trivia-quiz", "wallpaper-pack")
# apps the Play stand-in's service account may publish: makers' own ids (a sample's own id is not for Play)
PLAY_APP_IDS = ("com.indie.trivia", "com.indie.quotes", "com.indie.wallpapers")

@dataclass
class FolderSource:
    """A tiny in-test template catalogue (get/package_dir: what builds use) over copies of the sample packages."""

    root: Path

    def package_dir(self, template_id: str) -> Path:
        path = self.root / template_id
        if not (path / "template.json").is_file():
            raise NotFoundError(f"no template {template_id!r}")
        return path

    def get(self, template_id: str) -> TemplateInfo:
        m = json.loads((self.package_dir(template_id) / "template.json").read_text())
        price = m.get("price") or {}
        return TemplateInfo(
            id=m.get("id", template_id), title=m.get("title", ""), category=m.get("category", ""),
            description=m.get("description", ""), tags=tuple(m.get("tags", ())), version=m.get("version", "1.0.0"),
            app_name=m.get("app_name", ""), application_id=m.get("application_id", ""), min_sdk=m.get("min_sdk", 21),
            target_sdk=m.get("target_sdk", 29), price_amount=price.get("amount", 0), price_currency=price.get("currency", "USD"),
            content=m.get("content", {}), status=TemplateStatus(m.get("status", "active")),
        )


def make_package(root: Path, template_id: str, **overrides: Any) -> Path:
    """A copy of a sample package (web UI, icon source, template.json) under ``template_id``.

    Unknown ids start from Quotes Daily with their own application id. The samples have no
    ``android/`` folder: the shared runtime hosts their web UI.
    """
    dest = root / template_id
    if dest.exists():
        shutil.rmtree(dest)
    base = SAMPLES / template_id if (SAMPLES / template_id).is_dir() else SAMPLES / "quotes-daily"
    shutil.copytree(base, dest, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    manifest = json.loads((base / "template.json").read_text(encoding="utf-8"))
    manifest["id"] = template_id
    if base.name != template_id:
        manifest["application_id"] = "com.example." + template_id.replace("-", "")
    manifest.update(overrides)
    (dest / "template.json").write_text(json.dumps(manifest))
    return dest


@dataclass(frozen=True)
class SharedKey:
    path: Path
    password: str
    fingerprint: str


@pytest.fixture(scope="session")
def shared_keystore(tmp_path_factory: pytest.TempPathFactory, qapp: Any) -> SharedKey:
    """One keystore for the whole session (generating RSA keys is slow-ish)."""
    path = tmp_path_factory.mktemp("keys") / "upload.p12"
    facts = generate_keystore(path, "upload", "test-store-pass-1", "CN=Test Upload, O=TrendForge Tests, C=US")
    return SharedKey(path, "test-store-pass-1", facts.fingerprint)


@pytest.fixture(scope="session")
def other_keystore(tmp_path_factory: pytest.TempPathFactory, qapp: Any) -> SharedKey:
    path = tmp_path_factory.mktemp("keys2") / "other.p12"
    facts = generate_keystore(path, "other", "other-store-pass-2", "CN=Someone Else, C=US")
    return SharedKey(path, "other-store-pass-2", facts.fingerprint)


@pytest.fixture
def packages(tmp_path: Path) -> Path:
    root = tmp_path / "packages"
    root.mkdir()
    for template_id in SAMPLE_IDS:
        make_package(root, template_id)
    return root


@pytest.fixture
def folder_templates(packages: Path) -> FolderSource:
    return FolderSource(packages)


@pytest.fixture
def builds(services: Services, packages: Path, shared_keystore: SharedKey, qapp: Any) -> Iterator[BuildsService]:
    svc = services.builds
    svc.templates = FolderSource(packages)
    svc.import_key("upload", shared_keystore.path, shared_keystore.password)
    yield svc
    builds_stopped(svc)  # a build the test left running is cancelled and its end recorded, as on close
    # collect this app's Qt objects here, on the Qt thread, not later from whatever thread triggers a GC
    gc.collect()


@pytest.fixture
def package_factory(packages: Path) -> Any:
    """``package_factory(template_id, **manifest_overrides)`` adds or replaces a package."""

    def make(template_id: str, **overrides: Any) -> Path:
        return make_package(packages, template_id, **overrides)

    return make

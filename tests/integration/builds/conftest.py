"""Fixtures of the builds tests: sample template packages, one shared keystore, the service."""

from __future__ import annotations

import gc
import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.errors import NotFoundError
from app.templates.model import TemplateInfo, TemplateStatus
from services.bootstrap import ServiceManager
from services.builds.keys import generate_keystore
from services.builds.service import BuildsService

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "resources" / "samples"
SAMPLE_IDS = ("quotes-daily", "trivia-quiz", "wallpaper-pack")

# minimal manifests for the tests (the templates area owns the real template.json files)
MANIFESTS: dict[str, dict[str, Any]] = {
    "quotes-daily": {"title": "Quotes Daily", "category": "lifestyle", "app_name": "Quotes Daily",
                     "application_id": "com.trendforge.quotes", "content": {"quotes": ["Ship it.", "Stay curious."]}},
    "trivia-quiz": {"title": "Trivia Quiz", "category": "games", "app_name": "Trivia Quiz",
                    "application_id": "com.trendforge.trivia",
                    "content": {"questions": [{"q": "2+2?", "choices": ["3", "4"], "answer": 1}]}},
    "wallpaper-pack": {"title": "Wallpaper Pack", "category": "personalization", "app_name": "Wallpaper Pack",
                       "application_id": "com.trendforge.wallpapers", "content": {"wallpapers": ["sunset.png"]}},
}


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
    dest = root / template_id
    if dest.exists():
        shutil.rmtree(dest)
    base = SAMPLES / template_id if (SAMPLES / template_id).is_dir() else SAMPLES / "quotes-daily"
    shutil.copytree(base / "android", dest / "android")
    web = dest / "web"
    web.mkdir()
    (web / "index.html").write_text(f"<!doctype html><title>{template_id}</title><h1>{template_id}</h1>")
    (web / "style.css").write_text("body{font-family:sans-serif}")
    manifest = {"schema_version": 1, "id": template_id, "description": "", "tags": [], "version": "1.0.0",
                "min_sdk": 21, "target_sdk": 29, "price": {"amount": 199, "currency": "USD"},
                **MANIFESTS.get(template_id, {**MANIFESTS["quotes-daily"], "application_id": "com.example." + template_id.replace("-", "")}), **overrides}
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
def builds(services: ServiceManager, packages: Path, shared_keystore: SharedKey, qapp: Any) -> Iterator[BuildsService]:
    svc = services.builds
    svc.templates = FolderSource(packages)
    svc.import_key("upload", shared_keystore.path, shared_keystore.password)
    yield svc
    svc.shutdown()
    # collect this app's Qt objects here, on the Qt thread, not later from whatever thread triggers a GC
    gc.collect()


@pytest.fixture
def package_factory(packages: Path) -> Any:
    """``package_factory(template_id, **manifest_overrides)`` adds or replaces a package."""

    def make(template_id: str, **overrides: Any) -> Path:
        return make_package(packages, template_id, **overrides)

    return make


# --- the Google Play stand-in (tests/support/play_standin.py), on 127.0.0.1 -----------------------------
sys.path.insert(0, str(ROOT / "tests" / "support"))
from play_standin import Account, PlayStandIn  # noqa: E402


@dataclass(frozen=True)
class PlayFixture:
    standin: PlayStandIn
    account: Account


@pytest.fixture
def play(services: ServiceManager, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlayFixture]:
    """The stand-in, with a service account that may publish the sample apps, its key in the secret store."""
    st = PlayStandIn().start()
    monkeypatch.setenv("TRENDFORGE_PLAY_BASE_URL", st.url)
    account = st.add_account()
    for manifest in MANIFESTS.values():
        st.add_app(str(manifest["application_id"]), grant=account)
    services.releases.store_key(st.key_json(account))
    try:
        yield PlayFixture(st, account)
    finally:
        st.stop()

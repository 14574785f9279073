"""Fixtures of the builds tests: sample template packages, one shared keystore, the service."""

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
from services.bootstrap import ServiceManager
from services.builds.keys import generate_keystore
from services.builds.service import BuildsService

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "resources" / "samples"
SAMPLE_IDS = ("quotes-daily", "trivia-quiz", "wallpaper-pack")

@dataclass
class FolderSource:
    """A tiny in-test template source (get/package_dir) over copies of the sample packages."""

    root: Path

    def package_dir(self, template_id: str) -> Path:
        path = self.root / template_id
        if not (path / "template.json").is_file():
            raise NotFoundError(f"no template {template_id!r}")
        return path

    def get(self, template_id: str) -> dict[str, Any]:
        return dict(json.loads((self.package_dir(template_id) / "template.json").read_text()))


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


# --- a stand-in for the Google Play Android Publisher API v3 (edits flow), on 127.0.0.1 -------------
import http.server  # noqa: E402
import re  # noqa: E402
import threading  # noqa: E402


class PlayState:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        self.edits: dict[str, dict[str, Any]] = {}
        self.committed: list[dict[str, Any]] = []
        self.fail_commit = False
        self.app_in_draft = False
        self.uploads: list[int] = []
        self.token = "play-test-token"


class _PlayHandler(http.server.BaseHTTPRequestHandler):
    state: PlayState

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, code: int, body: dict[str, Any] | None = None) -> None:
        data = json.dumps(body or {}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, code: int, message: str) -> None:
        self._send(code, {"error": {"code": code, "message": message, "status": "FAILED_PRECONDITION"}})

    def _handle(self, method: str) -> None:
        st = self.state
        path = self.path.split("?")[0]
        st.calls.append((method, path))
        if self.headers.get("Authorization") != f"Bearer {st.token}":
            return self._error(401, "Request had invalid authentication credentials.")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        m = re.fullmatch(r"(/upload)?/androidpublisher/v3/applications/([\w.]+)/edits(?:/([\w-]+(?::\w+)?))?(.*)", path)
        if not m:
            return self._error(404, "not found")
        upload, package, edit_id, rest = m.groups()
        if method == "POST" and edit_id is None and not rest:
            new = f"edit-{len(st.edits) + 1}"
            st.edits[new] = {"package": package, "tracks": {}, "bundles": [], "state": "open"}
            return self._send(200, {"id": new, "expiryTimeSeconds": "9999999999"})
        edit_id, _, action = (edit_id or "").partition(":")
        edit = st.edits.get(edit_id)
        if edit is None or edit["state"] != "open":
            return self._error(404, f"edit {edit_id} not found")
        if method == "DELETE" and not rest and not action:
            edit["state"] = "deleted"
            self.send_response(204)
            self.end_headers()
            return None
        if upload and method == "POST" and rest in ("/bundles", "/apks"):
            if not body.startswith(b"PK"):
                return self._error(400, "the upload is not a zip")
            code = 100 + len(st.uploads)
            st.uploads.append(len(body))
            edit["bundles"].append(code)
            return self._send(200, {"versionCode": code, "sha256": "0" * 64})
        tm = re.fullmatch(r"/tracks/([\w-]+)", rest)
        if method == "PUT" and tm:
            payload = json.loads(body or b"{}")
            for release in payload.get("releases", []):
                if st.app_in_draft and release.get("status") != "draft":
                    return self._error(400, "Only releases with status draft may be created on draft app.")
            edit["tracks"][tm[1]] = payload
            return self._send(200, payload)
        if method == "POST" and action == "validate":
            return self._send(200, {"id": edit_id})
        if method == "POST" and action == "commit":
            if st.fail_commit:
                return self._error(400, "Version code 100 has already been used.")
            edit["state"] = "committed"
            st.committed.append(edit)
            return self._send(200, {"id": edit_id})
        return self._error(404, f"unsupported {method} {path}")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


@pytest.fixture
def play_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, PlayState]]:
    state = PlayState()
    handler = type("Handler", (_PlayHandler,), {"state": state})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("TRENDFORGE_PLAY_BASE_URL", url)
    try:
        yield url, state
    finally:
        server.shutdown()
        server.server_close()

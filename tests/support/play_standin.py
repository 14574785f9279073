"""A loopback stand-in for Google's OAuth token endpoint and the Android Publisher API v3.

It follows Google's documented behaviour closely enough to test against:

- ``POST /token``: the JWT bearer grant. The assertion's RS256 signature is checked with the
  public half of the service account's key (found by ``kid``), its issuer, scope, audience and
  expiry; a revoked key or an unknown account gets ``400 invalid_grant``, as Google answers.
- the API checks ``Authorization: Bearer``; an unknown or expired token gets 401, an account
  without access to the app 403, an unknown app 404.
- edits: insert, get, delete, validate, commit (a committed edit is gone: 404 afterwards);
  tracks, listings and images inside an edit; uploads ``uploadType=media`` and ``resumable``
  (POST to start, then PUT chunks with Content-Range, 308 with Range while incomplete).
- an upload's manifest is read with aapt2: a targetSdkVersion below 36, a versionCode the app
  has used, or a foreign package is refused.
- a track update with ``userFraction`` outside (0, 1), or with a status that takes none, is refused.
- store images as Play Console takes them: the icon a 512x512 32-bit PNG, the feature graphic
  1024x500 and phone screenshots (each side 320..3840 px, at most 2:1) JPEG or 24-bit PNG without
  alpha, 2 to 8 screenshots per language.
- faults on demand: 429 with Retry-After, 500, or a dropped connection (before or after the work).

Its clock can be moved forward (``advance``) to expire access tokens without waiting; JWTs are
checked against the real time, because google-auth signs them with the real time.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import http.server
import io
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from PIL import Image, UnidentifiedImageError

SCOPE = "https://www.googleapis.com/auth/androidpublisher"
GOOGLE_AUDIENCE = "https://oauth2.googleapis.com/token"
MIN_TARGET_SDK = 36
TOKEN_LIFETIME = 3599
STATUSES = ("draft", "completed", "inProgress", "halted")
STANDARD_TRACKS = ("production", "beta", "alpha", "internal")


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@dataclass
class Account:
    email: str
    key_id: str
    private_pem: str
    public_key: rsa.RSAPublicKey
    revoked: bool = False


@dataclass
class App:
    package: str
    tracks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    listings: dict[str, dict[str, Any]] = field(default_factory=dict)
    images: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    used_codes: set[int] = field(default_factory=set)
    draft: bool = False
    custom_tracks: set[str] = field(default_factory=set)  # closed testing tracks made in Play Console

    def track_names(self) -> list[str]:
        return sorted(set(STANDARD_TRACKS) | self.custom_tracks)


@dataclass
class Edit:
    id: str
    package: str
    tracks: dict[str, list[dict[str, Any]]]
    listings: dict[str, dict[str, Any]]
    images: dict[str, dict[str, list[dict[str, Any]]]]
    uploaded: set[int] = field(default_factory=set)
    state: str = "open"


@dataclass
class Fault:
    """Answer the next matching request with ``kind``: "429", "500", "401_quoting_token", "drop" (no answer, nothing done)
    or "drop_after" (the work is done, then the connection closes without an answer)."""

    method: str
    path_pattern: str
    kind: str
    times: int = 1
    retry_after: str = "1"


@dataclass
class Upload:
    package: str
    edit_id: str
    kind: str
    total: int
    data: bytearray = field(default_factory=bytearray)


class PlayStandIn:
    def __init__(self, aapt2: str | None = None) -> None:
        self.aapt2 = aapt2 or shutil.which("aapt2") or "aapt2"
        self.accounts: dict[str, Account] = {}
        self.grants: dict[str, set[str]] = {}
        self.apps: dict[str, App] = {}
        self.edits: dict[str, Edit] = {}
        self.tokens: dict[str, tuple[str, float]] = {}
        self.uploads: dict[str, Upload] = {}
        self.faults: list[Fault] = []
        self.calls: list[tuple[str, str]] = []
        self.statuses: list[int] = []
        self.token_requests = 0
        self.commits: list[str] = []
        self.upload_bytes: list[int] = []
        self.offset = 0.0
        self.lock = threading.RLock()
        self.url = ""
        self._server: http.server.ThreadingHTTPServer | None = None

    # -- set-up ----------------------------------------------------------------------------------
    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the stand-in's clock (access-token expiry) forward."""
        self.offset += seconds

    def add_account(self, email: str = "publisher@trendforge-test.iam.gserviceaccount.com") -> Account:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        account = Account(email, uuid.uuid4().hex, pem, key.public_key())
        self.accounts[account.key_id] = account
        self.grants.setdefault(email, set())
        return account

    def key_json(self, account: Account) -> str:
        """The service-account JSON key Google Cloud Console would hand out, pointing at this stand-in."""
        return json.dumps({
            "type": "service_account", "project_id": "trendforge-test", "private_key_id": account.key_id,
            "private_key": account.private_pem, "client_email": account.email, "client_id": "1234567890",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": f"{self.url}/token",
        })

    def add_app(self, package: str, *, grant: Account | None = None) -> App:
        app = self.apps.setdefault(package, App(package))
        if grant is not None:
            self.grants.setdefault(grant.email, set()).add(package)
        return app

    def seed(self, package: str, track: str, *releases: dict[str, Any]) -> None:
        """Put releases on a track as if committed earlier (their version codes count as used)."""
        app = self.apps[package]
        if track not in STANDARD_TRACKS:
            app.custom_tracks.add(track)
        app.tracks[track] = [copy.deepcopy(r) for r in releases]
        app.used_codes |= {int(c) for r in releases for c in r.get("versionCodes", [])}

    def add_track(self, package: str, name: str) -> None:
        """A closed testing track, as made in Play Console (Testing > Closed testing > Create track)."""
        self.apps[package].custom_tracks.add(name)

    def track(self, package: str, name: str) -> list[dict[str, Any]]:
        """What Play has committed on a track (as a user would see it in Play Console)."""
        return copy.deepcopy(self.apps[package].tracks.get(name, []))

    def fault(self, method: str, path_pattern: str, kind: str, *, times: int = 1, retry_after: str = "1") -> None:
        self.faults.append(Fault(method, path_pattern, kind, times, retry_after))

    # -- the server ------------------------------------------------------------------------------
    def start(self) -> PlayStandIn:
        standin = self

        class Handler(_Handler):
            state = standin

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- manifest checks (aapt2) -----------------------------------------------------------------
    def read_manifest(self, data: bytes, kind: str) -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / ("upload.aab" if kind == "bundles" else "upload.apk")
            src.write_bytes(data)
            entry = "base/manifest/AndroidManifest.xml" if kind == "bundles" else "AndroidManifest.xml"
            try:
                with zipfile.ZipFile(src) as zf:
                    manifest = zf.read(entry)
            except (zipfile.BadZipFile, KeyError):
                return {}
            holder = Path(tmp) / "manifest.zip"
            with zipfile.ZipFile(holder, "w") as zf:
                zf.writestr("AndroidManifest.xml", manifest)
            out = subprocess.run([self.aapt2, "dump", "xmltree", "--file", "AndroidManifest.xml", str(holder)],
                                 capture_output=True, text=True, timeout=60, check=False).stdout
        package = re.search(r'A: package="([^"]+)"', out)
        code = re.search(r"versionCode\(0x0101021b\)=(\d+)", out)
        target = re.search(r"targetSdkVersion\(0x01010270\)=(\d+)", out)
        return {"package": package[1] if package else "", "versionCode": int(code[1]) if code else 0,
                "targetSdk": int(target[1]) if target else 0}


class _Reply(Exception):  # noqa: N818 - raised to answer, not an error
    def __init__(self, code: int, body: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.body = body
        self.headers = headers or {}


def _error(code: int, message: str, status: str) -> _Reply:
    return _Reply(code, {"error": {"code": code, "message": message, "status": status}})


class _Handler(http.server.BaseHTTPRequestHandler):
    state: PlayStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, code: int, body: dict[str, Any] | None, headers: dict[str, str]) -> None:
        with self.state.lock:
            self.state.statuses.append(code)
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        if body is not None:
            self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(2)

    def _handle(self, method: str) -> None:
        st = self.state
        parsed = urllib.parse.urlsplit(self.path)
        path, query = parsed.path, dict(urllib.parse.parse_qsl(parsed.query))
        body = self._body()
        with st.lock:
            st.calls.append((method, path))
            fault = next((f for f in st.faults if f.method == method and re.search(f.path_pattern, path)), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    st.faults.remove(fault)
        if fault is not None and fault.kind == "429":
            return self._send(429, {"error": {"code": 429, "message": "Quota exceeded.", "status": "RESOURCE_EXHAUSTED"}},
                              {"Retry-After": fault.retry_after})
        if fault is not None and fault.kind == "500":
            return self._send(500, {"error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}}, {})
        if fault is not None and fault.kind == "drop":
            return self._drop()
        if fault is not None and fault.kind == "401_quoting_token":  # a provider that echoes the credential back
            return self._send(401, {"error": {"code": 401, "status": "UNAUTHENTICATED", "message":
                                              f"invalid credentials: {self.headers.get('Authorization', '')}"}}, {})
        try:
            with st.lock:
                if path == "/token" and method == "POST":
                    reply = self._token(body)
                else:
                    reply = self._api(method, path, query, body)
        except _Reply as r:
            reply = r
        if fault is not None and fault.kind == "drop_after":
            return self._drop()
        return self._send(reply.code, reply.body, reply.headers)

    # -- OAuth token endpoint --------------------------------------------------------------------
    def _token(self, body: bytes) -> _Reply:
        st = self.state
        st.token_requests += 1
        form = dict(urllib.parse.parse_qsl(body.decode()))
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return _Reply(400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type."})
        parts = form.get("assertion", "").split(".")
        if len(parts) != 3:
            return _Reply(400, {"error": "invalid_request", "error_description": "Invalid JWT."})
        try:
            header = json.loads(_b64decode(parts[0]))
            claims = json.loads(_b64decode(parts[1]))
        except ValueError:
            return _Reply(400, {"error": "invalid_request", "error_description": "Invalid JWT."})
        account = st.accounts.get(str(header.get("kid", "")))
        if header.get("alg") != "RS256" or account is None or account.revoked:
            return _Reply(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        try:
            account.public_key.verify(_b64decode(parts[2]), f"{parts[0]}.{parts[1]}".encode(),
                                      padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return _Reply(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        if claims.get("iss") != account.email:
            return _Reply(400, {"error": "invalid_grant", "error_description": "Invalid JWT: iss does not match the key."})
        if claims.get("aud") not in (GOOGLE_AUDIENCE, f"{st.url}/token"):
            return _Reply(400, {"error": "invalid_grant", "error_description": "Invalid JWT: aud is wrong."})
        if SCOPE not in str(claims.get("scope", "")).split():
            return _Reply(400, {"error": "invalid_scope", "error_description": "Invalid OAuth scope."})
        now = time.time()
        iat, exp = float(claims.get("iat", 0)), float(claims.get("exp", 0))
        if not (iat - 300 <= now <= exp) or exp - iat > 3600:
            return _Reply(400, {"error": "invalid_grant", "error_description":
                                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."})
        token = "ya29." + uuid.uuid4().hex
        st.tokens[token] = (account.email, st.now() + TOKEN_LIFETIME)
        return _Reply(200, {"access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "Bearer"})

    # -- the Android Publisher API ---------------------------------------------------------------
    def _caller(self) -> str:
        st = self.state
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else ""
        entry = st.tokens.get(token)
        if entry is None or st.now() >= entry[1]:
            raise _error(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                              "login cookie or other valid authentication credential.", "UNAUTHENTICATED")
        return entry[0]

    def _api(self, method: str, path: str, query: dict[str, str], body: bytes) -> _Reply:
        st = self.state
        email = self._caller()
        session = query.get("upload_id")
        if session is not None and method == "PUT":
            return self._upload_chunk(session, body)
        m = re.fullmatch(r"(/upload)?/androidpublisher/v3/applications/([\w.]+)/edits(?:/([\w-]+))?(:\w+)?(/.*)?", path)
        if not m:
            raise _error(404, f"Not found: {path}", "NOT_FOUND")
        upload, package, edit_id, action, rest = m.groups()
        rest = rest or ""
        if package not in st.apps:
            raise _error(404, f"Package not found: {package}.", "NOT_FOUND")
        if package not in st.grants.get(email, set()):
            raise _error(403, "The caller does not have permission", "PERMISSION_DENIED")
        app = st.apps[package]
        if edit_id is None:
            if method != "POST" or action or rest:
                raise _error(404, "Not found", "NOT_FOUND")
            new = Edit(uuid.uuid4().hex[:20], package, copy.deepcopy(app.tracks), copy.deepcopy(app.listings),
                       copy.deepcopy(app.images))
            st.edits[new.id] = new
            return _Reply(200, {"id": new.id, "expiryTimeSeconds": str(int(st.now()) + 3600)})
        edit = st.edits.get(edit_id)
        if edit is None or edit.package != package or edit.state != "open":
            raise _error(404, "This Edit has been deleted." if edit and edit.state == "deleted"
                         else f"Edit {edit_id} has expired or was committed.", "NOT_FOUND")
        if action == ":validate" and method == "POST":
            self._validate(app, edit)
            return _Reply(200, {"id": edit.id})
        if action == ":commit" and method == "POST":
            self._validate(app, edit)
            app.tracks, app.listings, app.images = edit.tracks, edit.listings, edit.images
            app.used_codes |= edit.uploaded
            edit.state = "committed"
            st.commits.append(edit.id)
            return _Reply(200, {"id": edit.id})
        if not rest:
            if method == "GET":
                return _Reply(200, {"id": edit.id, "expiryTimeSeconds": str(int(st.now()) + 3600)})
            if method == "DELETE":
                edit.state = "deleted"
                return _Reply(204)
        if rest in ("/bundles", "/apks"):
            kind = rest[1:]
            if upload and method == "POST":
                return self._upload_start(app, edit, kind, query, body)
            if method == "GET":
                codes = sorted(app.used_codes | edit.uploaded)
                return _Reply(200, {"kind": f"androidpublisher#{kind}ListResponse",
                                    kind: [{"versionCode": c, "sha256": "0" * 64} for c in codes]})
        if rest == "/tracks" and method == "GET":  # every track, those without releases too (as Play documents)
            return _Reply(200, {"kind": "androidpublisher#tracksListResponse",
                                "tracks": [{"track": n, "releases": edit.tracks.get(n, [])} for n in app.track_names()]})
        tm = re.fullmatch(r"/tracks/([\w.-]+)", rest)
        if tm:
            name = tm[1]
            if name not in app.track_names():
                raise _error(404, f"Track not found: {name}.", "NOT_FOUND")
            if method == "GET":
                return _Reply(200, {"track": name, "releases": edit.tracks.get(name, [])})
            if method in ("PUT", "PATCH"):
                payload = json.loads(body or b"{}")
                releases = self._check_releases(app, edit, payload.get("releases", []))
                edit.tracks[name] = releases
                return _Reply(200, {"track": name, "releases": releases})
        if rest == "/listings" and method == "GET":
            return _Reply(200, {"kind": "androidpublisher#listingsListResponse", "listings": list(edit.listings.values())})
        lm = re.fullmatch(r"/listings/([\w-]+)", rest)
        if lm and method in ("PUT", "PATCH"):
            return _Reply(200, self._listing(edit, lm[1], json.loads(body or b"{}")))
        if lm and method == "GET":
            if lm[1] not in edit.listings:
                raise _error(404, f"Listing not found: {lm[1]}.", "NOT_FOUND")
            return _Reply(200, edit.listings[lm[1]])
        im = re.fullmatch(r"/listings/([\w-]+)/(icon|featureGraphic|phoneScreenshots)", rest)
        if im:
            lang, kind = im[1], im[2]
            images = edit.images.setdefault(lang, {}).setdefault(kind, [])
            if method == "DELETE":
                deleted = list(images)
                images.clear()
                return _Reply(200, {"deleted": deleted})
            if method == "GET":
                return _Reply(200, {"images": list(images)})
            if upload and method == "POST":
                return _Reply(200, {"image": self._image(edit, lang, kind, images, body)})
        raise _error(404, f"unsupported {method} {path}", "NOT_FOUND")

    # -- uploads ---------------------------------------------------------------------------------
    def _upload_start(self, app: App, edit: Edit, kind: str, query: dict[str, str], body: bytes) -> _Reply:
        st = self.state
        mode = query.get("uploadType", "")
        if mode == "media":
            return _Reply(200, self._process(app, edit, kind, body))
        if mode == "resumable":
            total = int(self.headers.get("X-Upload-Content-Length") or -1)
            if total < 0:
                raise _error(400, "X-Upload-Content-Length is required for a resumable upload.", "INVALID_ARGUMENT")
            upload_id = uuid.uuid4().hex
            st.uploads[upload_id] = Upload(app.package, edit.id, kind, total)
            location = (f"{st.url}/upload/androidpublisher/v3/applications/{app.package}/edits/{edit.id}/{kind}"
                        f"?uploadType=resumable&upload_id={upload_id}")
            return _Reply(200, {}, {"Location": location})
        raise _error(400, f"Invalid uploadType {mode!r}.", "INVALID_ARGUMENT")

    def _upload_chunk(self, upload_id: str, body: bytes) -> _Reply:
        st = self.state
        up = st.uploads.get(upload_id)
        if up is None:
            raise _error(404, "No such upload session.", "NOT_FOUND")
        rng = self.headers.get("Content-Range", "")
        status = re.fullmatch(r"bytes \*/(\d+)", rng)
        if status is None:
            m = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", rng)
            if m is None or int(m[1]) != len(up.data) or int(m[2]) - int(m[1]) + 1 != len(body):
                raise _error(400, f"Content-Range {rng!r} does not continue the upload at byte {len(up.data)}.",
                             "INVALID_ARGUMENT")
            up.data.extend(body)
        if len(up.data) < up.total:
            headers = {"Range": f"bytes=0-{len(up.data) - 1}"} if up.data else {}
            return _Reply(308, None, headers)
        edit = st.edits.get(up.edit_id)
        if edit is None or edit.state != "open":
            raise _error(404, "The edit of this upload is gone.", "NOT_FOUND")
        del st.uploads[upload_id]
        return _Reply(200, self._process(st.apps[up.package], edit, up.kind, bytes(up.data)))

    def _process(self, app: App, edit: Edit, kind: str, data: bytes) -> dict[str, Any]:
        st = self.state
        facts = st.read_manifest(data, kind)
        if not facts.get("package"):
            raise _error(400, f"The uploaded file is not a valid {'bundle' if kind == 'bundles' else 'APK'}.",
                         "INVALID_ARGUMENT")
        if facts["package"] != app.package:
            raise _error(403, f"APK has the wrong package name: {facts['package']}, expected {app.package}.",
                         "PERMISSION_DENIED")
        if facts["targetSdk"] < MIN_TARGET_SDK:
            raise _error(403, f"Your app currently targets API level {facts['targetSdk']} and must target at least "
                              f"API level {MIN_TARGET_SDK} to ensure it is built on the latest APIs optimized for "
                              "security and performance.", "PERMISSION_DENIED")
        code = facts["versionCode"]
        if code in app.used_codes or code in edit.uploaded:
            raise _error(403, f"Version code {code} has already been used.", "PERMISSION_DENIED")
        edit.uploaded.add(code)
        st.upload_bytes.append(len(data))
        return {"versionCode": code, "sha1": hashlib.sha1(data).hexdigest(),
                "sha256": hashlib.sha256(data).hexdigest()}

    def _image(self, edit: Edit, lang: str, kind: str, images: list[dict[str, Any]], body: bytes) -> dict[str, Any]:
        if not (body.startswith(b"\x89PNG\r\n\x1a\n") or body.startswith(b"\xff\xd8\xff")):
            raise _error(400, "Image must be a PNG or JPEG.", "INVALID_ARGUMENT")
        _check_image(kind, body)
        if kind == "phoneScreenshots" and len(images) >= 8:
            raise _error(400, "Too many phone screenshots (at most 8).", "INVALID_ARGUMENT")
        if kind in ("icon", "featureGraphic") and images:
            raise _error(400, f"Only one {kind} is allowed; delete the existing one first.", "INVALID_ARGUMENT")
        image = {"id": uuid.uuid4().hex[:12], "sha1": hashlib.sha1(body).hexdigest(),
                 "sha256": hashlib.sha256(body).hexdigest(), "url": f"https://play.invalid/{uuid.uuid4().hex}"}
        images.append(image)
        return image

    # -- rules -----------------------------------------------------------------------------------
    def _check_releases(self, app: App, edit: Edit, releases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        known = app.used_codes | edit.uploaded
        for rel in releases:
            status = rel.get("status")
            if status not in STATUSES:
                raise _error(400, f"Invalid release status {status!r}.", "INVALID_ARGUMENT")
            fraction = rel.get("userFraction")
            if status in ("inProgress", "halted"):
                if fraction is None:
                    raise _error(400, "A userFraction is required for a release with status inProgress or halted.",
                                 "INVALID_ARGUMENT")
                if not 0.0 < float(fraction) < 1.0:
                    raise _error(400, f"userFraction {fraction} must be in the range (0, 1).", "INVALID_ARGUMENT")
            elif fraction is not None:
                raise _error(400, f"A userFraction is only allowed for a release with status inProgress or halted, "
                                  f"not {status}.", "INVALID_ARGUMENT")
            if app.draft and status != "draft":
                raise _error(400, "Only releases with status draft may be created on draft app.", "FAILED_PRECONDITION")
            for note in rel.get("releaseNotes", []):
                if len(note.get("text", "")) > 500:
                    raise _error(400, f"Release notes for {note.get('language')} are longer than 500 characters.",
                                 "INVALID_ARGUMENT")
            for code in rel.get("versionCodes", []):
                if int(code) not in known:
                    raise _error(400, f"Version code {code} was not uploaded to this app.", "INVALID_ARGUMENT")
        if sum(1 for r in releases if r.get("status") in ("inProgress", "halted")) > 1:
            raise _error(400, "A track can have only one staged release.", "INVALID_ARGUMENT")
        return copy.deepcopy(releases)

    def _listing(self, edit: Edit, lang: str, payload: dict[str, Any]) -> dict[str, Any]:
        for key, limit in (("title", 30), ("shortDescription", 80), ("fullDescription", 4000)):
            if len(str(payload.get(key, ""))) > limit:
                raise _error(400, f"{key} is longer than {limit} characters.", "INVALID_ARGUMENT")
        listing = {"language": lang, "title": payload.get("title", ""),
                   "shortDescription": payload.get("shortDescription", ""),
                   "fullDescription": payload.get("fullDescription", ""), "video": payload.get("video", "")}
        edit.listings[lang] = listing
        return listing

    def _validate(self, app: App, edit: Edit) -> None:
        for lang, kinds in edit.images.items():
            shots = kinds.get("phoneScreenshots", [])
            if shots and len(shots) < 2:
                raise _error(400, f"The {lang} listing needs at least 2 phone screenshots.", "FAILED_PRECONDITION")


def _check_image(kind: str, body: bytes) -> None:
    """Play Console's graphic-asset rules, as the upload endpoint applies them (its own reading, with Pillow)."""
    try:
        with Image.open(io.BytesIO(body)) as im:
            w, h, fmt, bands, info = im.width, im.height, im.format, im.getbands(), dict(im.info)
    except (UnidentifiedImageError, OSError):
        raise _error(400, "Image could not be read.", "INVALID_ARGUMENT") from None
    alpha = "A" in bands or "transparency" in info
    if kind == "icon":
        if fmt != "PNG" or bands != ("R", "G", "B", "A") or (w, h) != (512, 512) or len(body) > 1024 * 1024:
            raise _error(400, f"Icon must be a 512x512 32-bit PNG of at most 1024 KB (got a {w}x{h} {fmt}).",
                         "INVALID_ARGUMENT")
        return
    opaque = fmt == "JPEG" or (fmt == "PNG" and bands == ("R", "G", "B") and not alpha)
    if not opaque:
        raise _error(400, f"Image for {kind} must be a JPEG or 24-bit PNG with no alpha.", "INVALID_ARGUMENT")
    if kind == "featureGraphic" and (w, h) != (1024, 500):
        raise _error(400, f"Feature graphic must be 1024x500 (got {w}x{h}).", "INVALID_ARGUMENT")
    if kind == "phoneScreenshots" and (min(w, h) < 320 or max(w, h) > 3840 or max(w, h) > 2 * min(w, h)):
        raise _error(400, f"Screenshot dimensions {w}x{h} are invalid: each side 320 to 3840 px, the long side at "
                          "most twice the short side.", "INVALID_ARGUMENT")


@contextlib.contextmanager
def running_standin() -> Iterator[PlayStandIn]:
    st = PlayStandIn().start()
    try:
        yield st
    finally:
        st.stop()

"""Every hostile or broken package is refused with a specific error and changes nothing."""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import ConflictError, UserError
from app.remedies import ChooseOnDuplicate
from app.templates.rules import ImportLimits, PackageError
from services.bootstrap import Services
from services.templates.service import TemplatesService
from tests.support import templates_packages

SAMPLES, build_zip, sample_manifest, snapshot = templates_packages.SAMPLES, templates_packages.build_zip, templates_packages.sample_manifest, templates_packages.snapshot


@pytest.fixture
def seeded(services: Services) -> Services:
    """A store that already holds one template and a review, so 'unchanged' means something."""
    services.templates.import_path(SAMPLES / "trivia-quiz")
    services.templates.add_review("trivia-quiz", 4, "fine", reviewer="ana")
    return services


def assert_refused(services: Services, path: Path, match: str, exc: type[Exception] = PackageError) -> None:
    before = snapshot(services)
    with pytest.raises(exc, match=match):
        services.templates.import_path(path)
    assert snapshot(services) == before
    results = services.templates.import_paths([path])
    assert not results[0].ok and results[0].error
    assert snapshot(services) == before


class _RawNameInfo(zipfile.ZipInfo):
    """Writes the file name bytes as given, without the UTF-8 flag (like old zip tools)."""

    raw: bytes = b""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # type: ignore[override]
        return self.raw, self.flag_bits & ~0x800


def _zip_with_infos(path: Path, infos: list[tuple[zipfile.ZipInfo, bytes]]) -> Path:
    m = sample_manifest()
    m.pop("preview")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("template.json", json.dumps(m))
        for info, data in infos:
            zf.writestr(info, data)
    return path


@pytest.mark.parametrize(
    ("member", "match"),
    [
        ("../evil.txt", "traversal"),
        ("web/../../../evil.txt", "traversal"),
        ("..\\..\\evil.txt", "traversal"),
        ("/tmp/evil.txt", "absolute path"),
        ("C:/Windows/evil.dll", "drive letter"),
        ("C:\\evil.txt", "drive letter"),
    ],
)
def test_path_traversal_absolute_and_drive_letters(seeded: Services, tmp_path: Path, member: str, match: str) -> None:
    z = build_zip(tmp_path / "evil.zip", {member: b"pwned"})
    assert_refused(seeded, z, match)
    assert not (tmp_path / "evil.txt").exists()
    assert not Path("/tmp/evil.txt").exists() or Path("/tmp/evil.txt").read_bytes() != b"pwned"


def test_symlink_member_in_zip(seeded: Services, tmp_path: Path) -> None:
    info = zipfile.ZipInfo("web/link")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    z = _zip_with_infos(tmp_path / "link.zip", [(info, b"/etc/passwd")])
    assert_refused(seeded, z, "symbolic link")


def test_symlink_in_folder(seeded: Services, sample_copy: Any, tmp_path: Path) -> None:
    pkg = sample_copy("quotes-daily")
    os.symlink("/etc/passwd", pkg / "web" / "passwd")
    assert_refused(seeded, pkg, "symbolic link")


def test_zip_bomb_ratio(seeded: Services, tmp_path: Path) -> None:
    z = build_zip(tmp_path / "bomb.zip", {"web/zeros.bin": b"\0" * (8 * 1024 * 1024)})
    assert z.stat().st_size < 100_000
    assert_refused(seeded, z, "compression ratio")


def test_zip_bomb_total_size(services: Services, tmp_path: Path) -> None:
    # Small caps so the test stays fast; the same code path guards the 200 MB default.
    svc = TemplatesService(services.ctx, limits=ImportLimits(max_total_bytes=300_000, max_file_bytes=200_000))
    services.substitute(templates=svc)
    members = {f"web/r{i}.bin": os.urandom(150_000) for i in range(3)}
    z = build_zip(tmp_path / "big.zip", members)
    assert_refused(services, z, "too large when unpacked")
    one = build_zip(tmp_path / "one.zip", {"web/huge.bin": os.urandom(250_000)})
    assert_refused(services, one, "file too large")


def test_lying_zip_header_is_caught_while_extracting(services: Services, tmp_path: Path) -> None:
    svc = TemplatesService(services.ctx, limits=ImportLimits(max_file_bytes=100_000, ratio_floor_bytes=10**9))
    services.substitute(templates=svc)
    z = build_zip(tmp_path / "liar.zip", {"web/data.bin": b"A" * 400_000})
    raw = bytearray(z.read_bytes())
    # shrink the declared uncompressed size (local header and central directory) to 1000 bytes
    name = b"web/data.bin"
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = 0
        while (pos := raw.find(sig, pos)) >= 0:
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if raw[name_at:name_at + len(name)] == name:
                raw[pos + off:pos + off + 4] = (1000).to_bytes(4, "little")
            pos += 4
    z.write_bytes(bytes(raw))
    before = snapshot(services)
    with pytest.raises(PackageError):
        svc.import_path(z)
    assert snapshot(services) == before


def test_too_many_files(seeded: Services, tmp_path: Path) -> None:
    z = build_zip(tmp_path / "many.zip", {f"web/f{i}.txt": b"x" for i in range(2001)})
    assert_refused(seeded, z, "too many files")


def test_huge_manifest(seeded: Services, tmp_path: Path) -> None:
    m = sample_manifest()
    m.pop("preview")
    m["content"] = {"quotes": ["x" * 1000] * 400}
    z = build_zip(tmp_path / "huge.zip", {}, manifest=m)
    assert_refused(seeded, z, "template.json is too large")


def test_invalid_json(seeded: Services, sample_copy: Any) -> None:
    pkg = sample_copy()
    (pkg / "template.json").write_text('{"schema_version": 1, "id": ')
    assert_refused(seeded, pkg, "not valid JSON: .* line 1")


def test_manifest_not_utf8(seeded: Services, sample_copy: Any) -> None:
    pkg = sample_copy()
    (pkg / "template.json").write_bytes(b'{"title": "caf\xe9"}')
    assert_refused(seeded, pkg, "not UTF-8")


def test_wrong_schema_version(seeded: Services, sample_copy: Any) -> None:
    pkg = sample_copy()
    m = sample_manifest()
    m["schema_version"] = 2
    (pkg / "template.json").write_text(json.dumps(m))
    assert_refused(seeded, pkg, "unsupported schema_version 2")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"id": "Bad_Id"}, "invalid at id"),
        ({"version": "1.0"}, "invalid at version"),
        ({"application_id": "nodots"}, "invalid at application_id"),
        ({"price": {"amount": 1.99, "currency": "USD"}}, "invalid at price/amount"),
        ({"unexpected": True}, "Additional properties"),
        ({"min_sdk": 30, "target_sdk": 29}, "target_sdk"),
    ],
)
def test_schema_violations(seeded: Services, sample_copy: Any, change: dict[str, Any], match: str) -> None:
    pkg = sample_copy()
    (pkg / "template.json").write_text(json.dumps(sample_manifest() | change))
    assert_refused(seeded, pkg, match)


def test_missing_manifest_and_missing_preview(seeded: Services, sample_copy: Any, tmp_path: Path) -> None:
    pkg = sample_copy()
    (pkg / "preview.png").unlink()
    assert_refused(seeded, pkg, "preview image 'preview.png' .* missing")
    z = build_zip(tmp_path / "nomanifest.zip", {"web/index.html": b"<p>"}, manifest=False)
    assert_refused(seeded, z, "no template.json")


def test_not_a_zip_and_not_a_package(seeded: Services, tmp_path: Path) -> None:
    fake = tmp_path / "fake.zip"
    fake.write_text("this is not a zip")
    assert_refused(seeded, fake, "not a valid zip archive")
    other = tmp_path / "notes.txt"
    other.write_text("hi")
    assert_refused(seeded, other, "not a template package")
    assert_refused(seeded, tmp_path / "missing", "no such file", UserError)


def test_non_utf8_names_in_zip_and_folder(seeded: Services, sample_copy: Any, tmp_path: Path) -> None:
    info = _RawNameInfo("web/x")
    info.raw = b"web/caf\xe9.txt"
    z = _zip_with_infos(tmp_path / "latin1.zip", [(info, b"x")])
    with zipfile.ZipFile(z) as zf:  # the archive really carries a non-UTF-8 name
        assert not zf.infolist()[-1].flag_bits & 0x800
    assert_refused(seeded, z, "not valid UTF-8")
    pkg = sample_copy()
    fd = os.open(os.fsencode(pkg / "web") + b"/caf\xe9.txt", os.O_CREAT | os.O_WRONLY, 0o644)
    os.close(fd)
    assert_refused(seeded, pkg, "not valid UTF-8")


def test_fake_images(seeded: Services, sample_copy: Any) -> None:
    pkg = sample_copy()
    (pkg / "preview.png").write_text("<html>I am not a picture</html>")
    assert_refused(seeded, pkg, "preview.png is not a PNG image")
    pkg2 = sample_copy()
    (pkg2 / "web" / "icon.jpg").write_bytes(b"\x89PNG\r\n\x1a\n fake")
    assert_refused(seeded, pkg2, "web/icon.jpg is not a JPEG")


def test_duplicate_member_names(seeded: Services, tmp_path: Path) -> None:
    z = tmp_path / "dup.zip"
    m = sample_manifest()
    m.pop("preview")
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("template.json", json.dumps(m))
        zf.writestr("web/a.txt", b"1")
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("web/a.txt", b"2")
    assert_refused(seeded, z, "duplicate file name")


def test_duplicate_ids_error_replace_keep_both(seeded: Services, sample_copy: Any) -> None:
    svc = seeded.templates
    pkg = sample_copy("trivia-quiz")
    assert_refused(seeded, pkg, "already exists", ConflictError)
    with pytest.raises(ConflictError) as refused:
        svc.import_path(pkg)
    assert refused.value.remedy == ChooseOnDuplicate()  # replace it, or keep both
    results = svc.import_paths([pkg])
    assert results[0].duplicate

    m = sample_manifest("trivia-quiz")
    m["title"] = "Trivia Quiz v2"
    m["version"] = "2.0.0"
    (pkg / "template.json").write_text(json.dumps(m))
    res = svc.import_path(pkg, on_duplicate="replace")
    assert res.replaced and res.template_id == "trivia-quiz"
    info = svc.get("trivia-quiz")
    assert info.title == "Trivia Quiz v2" and info.version == "2.0.0"
    assert info.rating_count == 1  # reviews survive a replace
    assert json.loads((svc.package_dir("trivia-quiz") / "template.json").read_text())["version"] == "2.0.0"

    res2 = svc.import_path(pkg, on_duplicate="keep-both")
    assert res2.template_id == "trivia-quiz-2" and res2.renamed_from == "trivia-quiz"
    stored = json.loads((svc.package_dir("trivia-quiz-2") / "template.json").read_text())
    assert stored["id"] == "trivia-quiz-2"
    assert svc.import_path(pkg, on_duplicate="keep-both").template_id == "trivia-quiz-3"
    assert sorted(p.name for p in svc.store_dir.iterdir()) == ["trivia-quiz", "trivia-quiz-2", "trivia-quiz-3"]


def test_failed_commit_rolls_the_store_back(seeded: Services, sample_copy: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """If the DB commit fails after the rename, the package folder is moved back out."""
    from services.db import uow as uow_module

    before = snapshot(seeded)

    def broken_commit(self: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(uow_module.UnitOfWork, "commit", broken_commit)
    with pytest.raises(RuntimeError, match="disk full"):
        seeded.templates.import_path(sample_copy("trivia-quiz"), on_duplicate="replace")
    with pytest.raises(RuntimeError, match="disk full"):
        seeded.templates.import_path(sample_copy("quotes-daily"))
    monkeypatch.undo()
    assert snapshot(seeded) == before


# -- property: whatever the member name, nothing lands outside the package -----------------------

_segments = st.sampled_from(["..", ".", "", "web", "a", "C:", "d:", "/", "\\", "..\\..", "x.txt", "ü", "a:b"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(_segments, min_size=1, max_size=6), sep=st.sampled_from(["/", "\\"]))
def test_property_member_names_never_escape(services: Services, tmp_path: Path, parts: list[str], sep: str) -> None:
    svc = services.templates
    name = sep.join(parts) + "/payload.txt"
    buf = io.BytesIO()
    m = sample_manifest()
    m.pop("preview")
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("template.json", json.dumps(m))
        zf.writestr(name, b"payload")
    z = tmp_path / "prop.zip"
    z.write_bytes(buf.getvalue())
    before = snapshot(services)
    try:
        res = svc.import_path(z)
    except PackageError:
        assert snapshot(services) == before
        return
    folder = svc.package_dir(res.template_id or "")
    found = [p for p in folder.rglob("payload.txt")]
    assert len(found) == 1 and found[0].resolve().is_relative_to(folder.resolve())
    outside = [p for p in tmp_path.rglob("payload.txt") if not p.resolve().is_relative_to(folder.resolve())]
    assert outside == []
    svc.delete(res.template_id or "")
    svc.purge(res.template_id or "")
    assert snapshot(services)["files"] == {}


def test_nfc_nfd_look_alike_members_are_one_name(seeded: Services, tmp_path: Path) -> None:
    z = build_zip(tmp_path / "lookalike.zip", {"web/caf\u00e9.html": b"nfc", "web/cafe\u0301.html": b"nfd"})
    assert_refused(seeded, z, "duplicate file name")


def test_nfc_nfd_look_alike_files_in_a_folder(seeded: Services, sample_copy: Any) -> None:
    folder = sample_copy("quotes-daily")
    (folder / "web" / "caf\u00e9.html").write_bytes(b"nfc")
    (folder / "web" / "cafe\u0301.html").write_bytes(b"nfd")
    assert_refused(seeded, folder, "differs only in case or Unicode form")


def test_bidi_override_member_is_refused(seeded: Services, tmp_path: Path) -> None:
    z = build_zip(tmp_path / "rlo.zip", {"web/\u202egnp.exe": b"x"})
    assert_refused(seeded, z, "text-direction")


@pytest.mark.parametrize(
    ("manifest_text", "match"),
    [
        ('{"schema_version": ' + "1" * 5000 + "}", "more than 4300 digits"),
        ('{"schema_version": 1, "content": ' + "[" * 3000 + "]" * 3000 + "}", "nests more than 64 levels"),
        ('{"schema_version": 1, "content": ' + '{"a":' * 100 + "1" + "}" * 100 + "}", "nests more than 64 levels"),
    ],
    ids=["5000-digit number", "3000 deep", "100 deep (below Python's limit)"],
)
def test_deep_or_huge_manifest_values_are_refused(seeded: Services, tmp_path: Path, manifest_text: str, match: str) -> None:
    z = tmp_path / "deep.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("template.json", manifest_text)
    assert_refused(seeded, z, match)

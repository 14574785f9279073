"""Pure rules of the templates area: member names, size caps, images, search, trending, price."""

from __future__ import annotations

import posixpath
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import UserError
from app.templates.model import TemplateInfo, TemplateStatus
from app.templates.rules import (
    ImportLimits,
    PackageError,
    bayesian_rating,
    check_manifest,
    check_member_name,
    check_png,
    check_rating,
    check_sizes,
    decode_zip_name,
    format_price,
    fts_query,
    keep_both_id,
    parse_price,
    sniff_image,
    trending_score,
)

SAMPLES = Path(__file__).resolve().parents[3] / "resources" / "samples"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.txt", "traversal"),
        ("web/../../evil.txt", "traversal"),
        ("..\\..\\evil.txt", "traversal"),
        ("/etc/passwd", "absolute"),
        ("\\\\server\\share\\x", "absolute"),
        ("C:/Windows/evil.dll", "drive letter"),
        ("c:evil.txt", "drive letter"),
        ("D:\\evil.txt", "drive letter"),
        ("bad\x00name", "control character"),
        ("bad\udcffname.txt", "UTF-8"),
        ("", "empty"),
        ("./", "no path"),
        ("a/" * 20 + "x", "nesting"),
        ("x" * 300, "255 bytes"),
        ("web/\u202egnp.exe", "text-direction"),  # RLO: shows as 'exe.png'
        ("web/\u2066a\u2069.html", "text-direction"),
        ("web/zero\u200bwidth.html", "invisible"),
        ("web/c1\x9bcontrol.txt", "control character"),
    ],
)
def test_hostile_member_names_are_refused_with_the_reason(name: str, reason: str) -> None:
    with pytest.raises(PackageError, match=reason):
        check_member_name(name)


@pytest.mark.parametrize(
    ("name", "safe"),
    [("template.json", "template.json"), ("./web/index.html", "web/index.html"),
     ("android\\res\\values\\strings.xml", "android/res/values/strings.xml"), ("a//b/./c", "a/b/c"),
     ("web/ünïcode.html", "web/ünïcode.html"),
     ("web/cafe\u0301.html", "web/caf\u00e9.html")],  # NFD is stored as NFC: one spelling per name
)
def test_ordinary_names_are_normalised(name: str, safe: str) -> None:
    assert check_member_name(name) == safe


_segment = st.sampled_from(["..", ".", "", "a", "web", "C:", "c:", "..\\x", "x\\..", "/", "\\", "%2e%2e", "…", "ü"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_segment, min_size=1, max_size=8), st.sampled_from(["/", "\\"]), st.booleans())
def test_any_accepted_name_stays_inside_the_package(parts: list[str], sep: str, lead: bool) -> None:
    name = (sep if lead else "") + sep.join(parts)
    try:
        safe = check_member_name(name)
    except PackageError:
        return
    assert not safe.startswith("/")
    assert ".." not in safe.split("/")
    assert "\\" not in safe
    assert not (len(safe) > 1 and safe[1] == ":")
    joined = posixpath.normpath(posixpath.join("/pkg", safe))
    assert joined.startswith("/pkg/")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=80))
def test_arbitrary_text_never_escapes(name: str) -> None:
    try:
        safe = check_member_name(name)
    except PackageError:
        return
    assert posixpath.normpath(posixpath.join("/pkg", safe)).startswith("/pkg/")
    safe.encode("utf-8")  # accepted names are always valid UTF-8


def test_zip_names_without_utf8_flag_must_decode_as_utf8() -> None:
    assert decode_zip_name("plain.txt", False) == "plain.txt"
    assert decode_zip_name("ü.txt", True) == "ü.txt"
    mojibake = "ü.txt".encode().decode("cp437")  # UTF-8 bytes but no flag (some zip tools)
    assert decode_zip_name(mojibake, False) == "ü.txt"
    latin1 = b"caf\xe9.txt".decode("cp437")  # Latin-1 bytes: not UTF-8
    with pytest.raises(PackageError, match="not valid UTF-8"):
        decode_zip_name(latin1, False)


def test_size_caps() -> None:
    limits = ImportLimits(max_files=3, max_total_bytes=10_000_000, max_file_bytes=5_000_000,
                          max_manifest_bytes=1000)
    check_sizes([("a", 10, 5), ("b", 10, 5)], limits)
    with pytest.raises(PackageError, match="too many files"):
        check_sizes([(str(i), 1, 1) for i in range(4)], limits)
    with pytest.raises(PackageError, match="file too large"):
        check_sizes([("big.bin", 6_000_000, 6_000_000)], limits)
    with pytest.raises(PackageError, match=r"template\.json is too large"):
        check_sizes([("template.json", 2000, 2000)], limits)
    with pytest.raises(PackageError, match="compression ratio"):
        check_sizes([("zeros.bin", 4_000_000, 4_000)], limits)
    with pytest.raises(PackageError, match="too large when unpacked"):
        check_sizes([(f"f{i}", 4_000_000, 4_000_000) for i in range(3)], limits)
    # many small, highly compressible files: the overall ratio catches them
    with pytest.raises(PackageError, match="overall compression ratio"):
        check_sizes([(f"f{i}", 900_000, 1_000) for i in range(3)], ImportLimits())


def test_png_check_accepts_real_pngs_and_refuses_fakes() -> None:
    data = (SAMPLES / "quotes-daily" / "preview.png").read_bytes()
    assert check_png("preview.png", data) == (360, 640)
    with pytest.raises(PackageError, match="bad signature"):
        check_png("p.png", b"<html>not a png</html>")
    with pytest.raises(PackageError, match=r"bad CRC|truncated"):
        check_png("p.png", data[:40] + b"\x00" * 10 + data[50:])
    with pytest.raises(PackageError, match=r"no IEND|truncated"):
        check_png("p.png", data[: len(data) // 2])
    with pytest.raises(PackageError, match="not a JPEG"):
        sniff_image("a.jpg", b"GIF89a.....")
    with pytest.raises(PackageError, match="not a WebP"):
        sniff_image("a.webp", b"RIFF0000WAVE")
    assert sniff_image("a.gif", b"GIF89a" + b"\x00" * 20) == "gif"


def _manifest(**over: object) -> dict[str, object]:
    base: dict[str, object] = {"schema_version": 1, "id": "x-y", "title": "T", "category": "games",
                               "version": "1.0.0", "app_name": "A", "application_id": "com.a.b", "content": {}}
    base.update(over)
    return base


def test_manifest_rules_beyond_the_schema() -> None:
    check_manifest(_manifest())
    with pytest.raises(PackageError, match="schema_version"):
        check_manifest(_manifest(schema_version=2))
    with pytest.raises(PackageError, match="target_sdk"):
        check_manifest(_manifest(min_sdk=30, target_sdk=29))
    with pytest.raises(PackageError, match="duplicates"):
        check_manifest(_manifest(tags=["a", "A"]))
    with pytest.raises(PackageError, match="traversal"):
        check_manifest(_manifest(preview="../x.png"))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_fts_query_is_always_valid_fts5(text: str) -> None:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE f USING fts5(a, tokenize='unicode61 remove_diacritics 2')")
    con.execute("INSERT INTO f VALUES ('quotes daily motivation')")
    q = fts_query(text)
    if q is None:
        assert not text.strip() or not any(c.isalpha() for c in text)
        return
    (n,) = con.execute("SELECT count(*) FROM f WHERE f MATCH ?", (q,)).fetchone()
    assert n in (0, 1)


def test_fts_query_prefix_and_injection() -> None:
    assert fts_query("quo") == '"quo"*'
    assert fts_query('daily "quo') == '"daily" AND "quo"*'
    assert fts_query("a OR b NOT c") == '"a" AND "OR" AND "b" AND "NOT" AND "c"*'
    assert fts_query("  -- ** ") is None


def test_trending_score_rules() -> None:
    base = dict(recent_sales=0, recent_builds=0, build_success_rate=None, rating_avg=None, rating_count=0,
                days_since_activity=0.0)
    assert trending_score(**base) == 0.0  # type: ignore[arg-type]
    sale = trending_score(**{**base, "recent_sales": 1})  # type: ignore[arg-type]
    build = trending_score(**{**base, "recent_builds": 1})  # type: ignore[arg-type]
    failed_build = trending_score(**{**base, "recent_builds": 1, "build_success_rate": 0.0})  # type: ignore[arg-type]
    assert sale == 3.0 and build == 1.0 and failed_build == 0.5
    week_old = trending_score(**{**base, "recent_sales": 1, "days_since_activity": 7.0})  # type: ignore[arg-type]
    assert week_old == pytest.approx(1.5)  # one half-life
    loved = trending_score(**{**base, "rating_avg": 5.0, "rating_count": 20})  # type: ignore[arg-type]
    hated = trending_score(**{**base, "rating_avg": 1.0, "rating_count": 20})  # type: ignore[arg-type]
    assert loved > 0 and hated == 0.0
    assert bayesian_rating(5.0, 1) < bayesian_rating(5.0, 50) < 5.0


def test_keep_both_ids_and_ratings_and_price() -> None:
    assert keep_both_id("quotes", {"quotes"}) == "quotes-2"
    assert keep_both_id("quotes", {"quotes", "quotes-2", "quotes-3"}) == "quotes-4"
    long = "a" * 63
    assert len(keep_both_id(long, {long})) <= 63
    for bad in (0, 6, True):
        with pytest.raises(UserError):
            check_rating(bad)  # type: ignore[arg-type]
    check_rating(5)
    assert parse_price("1.99", "USD") == 199 and parse_price("2", "USD") == 200 and parse_price("0,5", "EUR") == 50
    assert parse_price("500", "JPY") == 500
    with pytest.raises(UserError):
        parse_price("1.999", "USD")
    with pytest.raises(UserError):
        parse_price("abc", "USD")
    assert format_price(199, "USD") == "1.99 USD" and format_price(0, "USD") == "free"


def test_template_info_manifest_round_trip() -> None:
    info = TemplateInfo(id="a-b", title="T", category="games", description="d", tags=("x",), version="1.2.3",
                        app_name="A", application_id="com.a.b", min_sdk=21, target_sdk=29, price_amount=99,
                        price_currency="USD", content={"k": [1]}, status=TemplateStatus.ACTIVE, preview="p.png")
    m = info.manifest()
    assert m["price"] == {"amount": 99, "currency": "USD"} and m["preview"] == "p.png" and m["tags"] == ["x"]
    d = info.to_dict()
    assert d["status"] == "active" and d["price_amount"] == 99

"""TrendsService on a real SQLite file: CSV import with history, search, related, archive, settings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.errors import NotFoundError, UserError
from app.events import Event
from services.bootstrap import Services


def write_csv(path: Path, rows: list[str], header: str = "title,volume,rank,taken_at,category") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def history_rows(title: str, values: list[float], category: str = "") -> list[str]:
    return [f"{title},{v},1,2026-11-{1 + i:02d}T00:00:00Z,{category}" for i, v in enumerate(values)]


A = [1.0, 3, 2, 5, 4, 8, 6, 9, 7, 10, 9, 12]


def test_import_csv_with_history_and_related(services: Services, tmp_path: Path) -> None:
    seen: list[Event] = []
    services.bus.subscribe("trend*", seen.append)
    rows = (
        history_rows("Eras Tour", [v * 1000 for v in A], "music")
        + history_rows("Taylor Swift tickets", [5000.0] * len(A), "music")
        + history_rows("Friendship bracelets", [v * 300 + 50 for v in A], "crafts")
        + history_rows("Mortgage rates", [40.0 - v for v in A])
    )
    out = services.trends.import_csv("csv", write_csv(tmp_path / "t.csv", rows))
    assert out["rows"] == 4 * len(A) and out["discovered"] == 4
    trends = {t["title"]: t for t in services.trends.list_trends(source="csv")}
    assert set(trends) == {"Eras Tour", "Taylor Swift tickets", "Friendship bracelets", "Mortgage rates"}
    eras = trends["Eras Tour"]
    assert len(services.trends.show(eras["id"])["snapshots"]) == len(A)
    rel = {r["title"]: r for r in services.trends.related(eras["id"])}
    # bracelets move with the tour (co-movement 1.0); mortgage rates move against it
    assert rel["Friendship bracelets"]["comovement"] == pytest.approx(1.0)
    assert "Mortgage rates" not in rel
    # searching by words, by alias and by id prefix
    assert [t["title"] for t in services.trends.list_trends(search="bracelet")] == ["Friendship bracelets"]
    assert services.trends.show(eras["id"][:8])["title"] == "Eras Tour"
    assert [e.type for e in seen].count("trend.discovered") == 4


def test_import_csv_rejects_bad_files_and_stores_nothing(services: Services, tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "bad.csv", ["Good row,10,1,,", "Bad row,lots,2,,"])
    with pytest.raises(UserError, match=r"line 3: volume and rank must be numbers; nothing was imported"):
        services.trends.import_csv("reddit", bad)
    with pytest.raises(UserError, match=r"line 3: taken_at: not an ISO-8601 time: 'yesterday'"):
        services.trends.import_csv("reddit", write_csv(tmp_path / "t.csv", ["Good row,10,1,,", "Old row,5,2,yesterday,"]))
    with pytest.raises(UserError, match="no 'title' column"):
        services.trends.import_csv("reddit", write_csv(tmp_path / "x.csv", ["a,b"], header="foo,bar"))
    with pytest.raises(UserError, match="no such file"):
        services.trends.import_csv("reddit", tmp_path / "missing.csv")
    with pytest.raises(UserError, match="unknown source"):
        services.trends.import_csv("myspace", bad)
    assert services.trends.list_trends() == []
    assert services.trends.counts() == {"trends": 0, "snapshots": 0}


def test_import_accepts_provider_column_names(services: Services, tmp_path: Path) -> None:
    p = write_csv(tmp_path / "tiktok.csv", ["fyp,9000000,1", "aiart,120000,2"], header="hashtag_name,video_views,rank")
    assert services.trends.import_csv("tiktok", p)["rows"] == 2
    assert {t["title"] for t in services.trends.list_trends(source="tiktok")} == {"fyp", "aiart"}


def test_archive_and_unarchive(services: Services, tmp_path: Path) -> None:
    services.trends.import_csv("csv", write_csv(tmp_path / "a.csv", ["Solar eclipse,100,1,,"]))
    (t,) = services.trends.list_trends()
    seen: list[str] = []
    services.bus.subscribe("trend.*", lambda e: seen.append(e.type))
    services.trends.archive(t["id"])
    assert services.trends.list_trends() == []
    assert [x["id"] for x in services.trends.list_trends(archived=True)] == [t["id"]]
    services.trends.archive(t["id"])  # idempotent: no second event
    services.trends.unarchive(t["id"])
    assert seen == ["trend.archived", "trend.unarchived"]
    with pytest.raises(NotFoundError):
        services.trends.archive("ffffffff")


def test_settings_defaults_and_validation(make_services: Callable[..., Services]) -> None:
    m = make_services()
    s = m.trends.get_settings()
    assert s["enabled_sources"] == ["reddit", "google_trends"] and s["interval_minutes"] == 60
    assert "AndroidApps" in s["subreddits"]
    m.trends.update_settings(enabled_sources=["reddit", "x"], subreddits=["r/gaming", "apps", "Gaming"], interval_minutes=15)
    with pytest.raises(UserError, match="between 5 and 1440"):
        m.trends.update_settings(interval_minutes=1)
    with pytest.raises(UserError, match="not a subreddit"):
        m.trends.update_settings(subreddits=["no spaces allowed"])
    with pytest.raises(UserError, match="import-only"):
        m.trends.update_settings(enabled_sources=["csv"])
    m2 = make_services()  # restart on the same files: settings persisted
    assert m2.trends.get_settings()["enabled_sources"] == ["reddit", "x"]
    assert m2.trends.get_settings()["subreddits"] == ["gaming", "apps"]
    assert m2.trends.interval_minutes() == 15


def test_matching_templates_uses_the_templates_service(services: Services, tmp_path: Path) -> None:
    services.trends.import_csv("csv", write_csv(tmp_path / "a.csv", ["Daily motivation quotes,100,1,,lifestyle"]))
    (t,) = services.trends.list_trends()
    assert services.trends.templates_available()
    assert services.trends.matching_templates(t["id"]) == []  # no templates imported yet
    samples = Path(__file__).resolve().parents[3] / "resources" / "samples"
    for name in ("quotes-daily", "trivia-quiz"):
        result = services.templates.import_path(samples / name)
        assert result.error is None, result.error
    matches = services.trends.matching_templates(t["id"])
    assert matches and matches[0]["template_id"] == "quotes-daily"
    assert "category lifestyle" in matches[0]["reasons"]


def test_search_treats_wildcards_literally(services: Services, tmp_path: Path) -> None:
    services.trends.import_csv("csv", write_csv(tmp_path / "a.csv", ["100% juice,10,1,,", "Apple juice,10,2,,", "snake_case memes,5,3,,"]))
    assert [t["title"] for t in services.trends.list_trends(search="100%")] == ["100% juice"]
    assert [t["title"] for t in services.trends.list_trends(search="e_c")] == ["snake_case memes"]
    assert len(services.trends.list_trends(search="juice")) == 2
    with pytest.raises(NotFoundError, match="hexadecimal"):
        services.trends.show("%%%%")


def test_show_says_which_source_led(services: Services, tmp_path: Path) -> None:
    reddit = [5, 40, 90, 160, 200, 230, 250, 260]
    google = [0, 0, 50, 400, 900, 1600, 2000, 2300]
    services.trends.import_csv("reddit", write_csv(tmp_path / "r.csv", history_rows("Cozy games", [float(v) for v in reddit])))
    services.trends.import_csv("google_trends", write_csv(tmp_path / "g.csv", [r for r in history_rows("cozy games!", [float(v) for v in google]) if ",0.0," not in r]))
    (t,) = services.trends.list_trends()
    shown = services.trends.show(t["id"])
    assert set(shown["first_seen_by_source"]) == {"reddit", "google_trends"}
    assert shown["first_seen_by_source"]["reddit"] < shown["first_seen_by_source"]["google_trends"]
    (lead,) = shown["source_leads"]
    assert lead["leader"] == "reddit" and abs(lead["lag"]) == 2

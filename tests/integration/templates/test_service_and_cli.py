"""The templates service end to end on real SQLite and files, and the CLI as a subprocess."""

from __future__ import annotations

import json
import logging
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.errors import NotFoundError, UserError
from app.events import Event
from app.remedies import RestoreTemplate
from app.templates.model import SortKey, TemplateQuery, TemplateStatus
from services.bootstrap import Services
from services.events.store import EventQuery
from services.templates.seed import seed_synthetic
from tests.support import templates_packages


@pytest.fixture
def loaded(services: Services, sample_dirs: list[Path]) -> Services:
    results = services.templates.import_paths(sample_dirs)
    assert all(r.ok for r in results), results
    return services


def test_contract_get_and_package_dir_for_builds(loaded: Services) -> None:
    svc = loaded.templates
    info = svc.get("quotes-daily")  # type: ignore[attr-defined]
    assert info.application_id == "com.trendforge.quotes" and info.min_sdk == 23 and info.target_sdk == 36
    assert info.price_amount == 199 and info.price_currency == "USD" and info.content["quotes"]
    folder = loaded.templates.package_dir("quotes-daily")
    assert folder == loaded.config.data_dir / "templates" / "quotes-daily"
    assert (folder / "template.json").is_file() and (folder / "preview.png").is_file()
    assert (folder / "web" / "index.html").is_file()
    with pytest.raises(NotFoundError):
        loaded.templates.get("nope")


def test_search_is_ranked_filtered_and_prefix(loaded: Services) -> None:
    svc = loaded.templates
    assert [t.id for t in svc.find(TemplateQuery(search="quiz"))] == ["trivia-quiz"]
    assert [t.id for t in svc.find(TemplateQuery(search="wallp"))] == ["wallpaper-pack"]  # prefix while typing
    assert [t.id for t in svc.find(TemplateQuery(search="motivation"))] == ["quotes-daily"]  # tag
    assert [t.id for t in svc.find(TemplateQuery(search="personalization"))] == ["wallpaper-pack"]  # category
    assert svc.find(TemplateQuery(search="quiz", category="lifestyle")) == []
    assert [t.id for t in svc.find(TemplateQuery(category="games"))] == ["trivia-quiz"]
    assert [t.id for t in svc.find(TemplateQuery(tag="daily"))] == ["quotes-daily"]
    assert svc.find(TemplateQuery(search='") OR *')) == []  # FTS syntax is inert
    # ranking: a title hit beats a description-only hit
    svc.create({"id": "daily-quiz", "title": "Daily Quiz", "category": "games", "version": "1.0.0",
                "app_name": "DQ", "application_id": "com.x.dq", "content": {}})
    svc.update("quotes-daily", {"description": "quiz quiz quiz mention in the description only"})
    ranked = [t.id for t in svc.find(TemplateQuery(search="quiz"))]
    assert ranked.index("quotes-daily") > ranked.index("daily-quiz")
    assert svc.count(TemplateQuery(search="quiz")) == 3


def test_search_index_follows_updates_and_status(loaded: Services) -> None:
    svc = loaded.templates
    svc.update("trivia-quiz", {"title": "Brain Teasers", "tags": ["brain"]})
    assert svc.find(TemplateQuery(search="trivia"))[0].id == "trivia-quiz"  # still in the description
    assert [t.id for t in svc.find(TemplateQuery(search="teasers"))] == ["trivia-quiz"]
    assert svc.find(TemplateQuery(search="quiz")) == []  # old title and tag gone from the index
    svc.archive("trivia-quiz")
    assert svc.find(TemplateQuery(search="teasers")) == []
    assert [t.id for t in svc.find(TemplateQuery(search="teasers", statuses=(TemplateStatus.ARCHIVED,)))] == ["trivia-quiz"]


def test_crud_soft_delete_archive_and_events(loaded: Services) -> None:
    svc = loaded.templates
    seen: list[Event] = []
    loaded.bus.subscribe("*", seen.append)
    svc.archive("quotes-daily")
    with pytest.raises(UserError, match="already archived"):
        svc.archive("quotes-daily")
    svc.unarchive("quotes-daily")
    svc.delete("quotes-daily")
    with pytest.raises(NotFoundError, match="is deleted") as refused:
        svc.get("quotes-daily")
    assert refused.value.remedy == RestoreTemplate("quotes-daily")
    assert svc.get("quotes-daily", include_deleted=True).status is TemplateStatus.DELETED
    assert "quotes-daily" not in [t.id for t in svc.find()]
    assert (svc.store_dir / "quotes-daily").is_dir()  # package kept for restore
    svc.restore("quotes-daily")
    assert svc.get("quotes-daily").status is TemplateStatus.ACTIVE
    svc.delete("wallpaper-pack")
    svc.purge("wallpaper-pack")
    assert not (svc.store_dir / "wallpaper-pack").exists()
    assert not svc.exists("wallpaper-pack")
    types = [e.type for e in seen]
    assert types == ["template.archived", "template.unarchived", "template.deleted", "template.restored",
                     "template.deleted", "template.purged"]
    stored = [r.event.type for r in loaded.events.history(EventQuery(limit=1000))]
    assert "template.imported" in stored and "template.created" in stored


def test_create_update_validation(loaded: Services) -> None:
    svc = loaded.templates
    with pytest.raises(UserError, match="invalid at version"):
        svc.create({"id": "new-one", "title": "N", "category": "games", "version": "one",
                    "app_name": "N", "application_id": "com.n.n", "content": {}})
    with pytest.raises(UserError, match="already exists"):
        svc.create({"id": "quotes-daily", "title": "N", "category": "games", "version": "1.0.0",
                    "app_name": "N", "application_id": "com.n.n", "content": {}})
    with pytest.raises(UserError, match="cannot edit id"):
        svc.update("quotes-daily", {"id": "x"})
    with pytest.raises(UserError, match="invalid at application_id"):
        svc.update("quotes-daily", {"application_id": "bad"})
    assert svc.get("quotes-daily").application_id == "com.trendforge.quotes"
    info = svc.update("quotes-daily", {"price": {"amount": 299, "currency": "EUR"}, "tags": ["a", "b"]})
    assert info.price_amount == 299 and info.tags == ("a", "b")
    on_disk = json.loads((svc.package_dir("quotes-daily") / "template.json").read_text())
    assert on_disk["price"] == {"amount": 299, "currency": "EUR"} and on_disk["preview"] == "preview.png"


def test_reviews_one_per_reviewer_with_average(loaded: Services) -> None:
    svc = loaded.templates
    svc.add_review("trivia-quiz", 5, "great", reviewer="ana")
    svc.add_review("trivia-quiz", 2, "meh", reviewer="bo")
    svc.add_review("trivia-quiz", 4, "better now", reviewer="bo")  # replaces bo's review
    info = svc.get("trivia-quiz")
    assert info.rating_count == 2 and info.rating_avg == pytest.approx(4.5)
    assert {(r.reviewer, r.rating, r.text) for r in svc.reviews("trivia-quiz")} == {("ana", 5, "great"), ("bo", 4, "better now")}
    for bad in (0, 6):
        with pytest.raises(UserError, match="1 to 5"):
            svc.add_review("trivia-quiz", bad)
    with pytest.raises(NotFoundError):
        svc.add_review("nope", 3)
    assert next(t.id for t in svc.find(TemplateQuery(sort=SortKey.RATING))) == "trivia-quiz"


def test_stats_sources_and_trending(loaded: Services) -> None:
    svc = loaded.templates
    svc.register_stats_source(lambda ids: {i: {"builds": 4, "build_success_rate": 0.5} for i in ids if i == "trivia-quiz"})
    svc.register_stats_source(lambda ids: {"quotes-daily": {"revenue_minor": 1299, "currency": "USD", "sales": 3}})

    def broken(ids: list[str]) -> dict[str, dict[str, Any]]:
        raise RuntimeError("payments offline")

    svc.register_stats_source(broken)
    stats = svc.stats(["trivia-quiz", "quotes-daily", "wallpaper-pack"])
    assert stats["trivia-quiz"].builds == 4 and stats["trivia-quiz"].build_success_rate == 0.5
    assert stats["quotes-daily"].revenue_minor == 1299 and stats["quotes-daily"].sales == 3
    assert stats["wallpaper-pack"].builds == 0 and stats["wallpaper-pack"].last_activity is not None
    ranking = [s.id for s, _ in svc.trending(3)]
    assert ranking == ["quotes-daily", "trivia-quiz", "wallpaper-pack"]  # 3 sales > 4 half-failed builds


@pytest.mark.sqlite_only  # superseded reads are interrupted on SQLite (services.db.cancel)
def test_a_superseded_stats_read_is_dropped_and_no_source_is_logged_as_broken(
        loaded: Services, caplog: pytest.LogCaptureFixture) -> None:
    """A newer click interrupts the stats read of the one before while a source is reading: that is the
    interruption, not a broken source (it logged a traceback per superseded click)."""
    from services.db import cancel
    from services.templates.models import TemplateRow

    svc = loaded.templates
    token = cancel.QueryToken()

    def superseded_while_reading(ids: list[str]) -> dict[str, dict[str, Any]]:
        cancel.interrupt(token)  # what LatestQuery does when the next click comes
        with loaded.ctx.new_uow() as uow:
            uow.session.execute(select(TemplateRow.id)).all()
        return {}

    svc.register_stats_source(superseded_while_reading)
    with cancel.scope(token), pytest.raises(cancel.QueryInterrupted):
        svc.stats(["trivia-quiz"])
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_export_round_trip(loaded: Services, tmp_path: Path) -> None:
    svc = loaded.templates
    z = svc.export("wallpaper-pack", tmp_path / "out")
    assert z.name == "wallpaper-pack-1.0.0.zip"
    with zipfile.ZipFile(z) as zf:
        names = set(zf.namelist())
    assert {"wallpaper-pack/template.json", "wallpaper-pack/preview.png", "wallpaper-pack/web/index.html"} <= names
    svc.delete("wallpaper-pack")
    svc.purge("wallpaper-pack")
    res = svc.import_path(z)
    assert res.template_id == "wallpaper-pack" and svc.get("wallpaper-pack").category == "personalization"


def test_cache_is_invalidated_by_writes(loaded: Services) -> None:
    svc = loaded.templates
    svc.get("quotes-daily")
    hits = svc.metrics.cache_hits
    svc.get("quotes-daily")
    assert svc.metrics.cache_hits == hits + 1
    svc.update("quotes-daily", {"title": "Quotes Every Day"})
    assert svc.get("quotes-daily").title == "Quotes Every Day"


def test_restart_keeps_everything(make_services: Any, sample_dirs: list[Path]) -> None:
    first = make_services()
    first.templates.import_paths(sample_dirs)
    first.templates.add_review("quotes-daily", 3)
    first.close()
    second = make_services()
    assert second.templates.get("quotes-daily").rating_count == 1
    assert [t.id for t in second.templates.find(TemplateQuery(search="quotes"))] == ["quotes-daily"]


def test_many_synthetic_templates_page_and_count(services: Services) -> None:
    svc = services.templates
    seed_synthetic(services.ctx, 1200)
    svc.invalidate()
    assert svc.count() == 1200
    page1 = svc.find(TemplateQuery(limit=200))
    page2 = svc.find(TemplateQuery(limit=200, offset=200))
    assert len(page1) == len(page2) == 200 and not {t.id for t in page1} & {t.id for t in page2}
    assert svc.count(TemplateQuery(search="quiz")) > 0
    newest = svc.find(TemplateQuery(sort=SortKey.UPDATED, limit=1))[0]
    assert newest.id == "synthetic-000000"
    assert services.ctx.clock() - newest.updated_at < timedelta(minutes=5)


# -- the CLI as a subprocess ---------------------------------------------------------------------


def test_cli_imports_the_samples_and_lists_json(cli: Any, sample_dirs: list[Path], tmp_path: Path, data_dir: Path) -> None:
    r = cli("templates", "import", *map(str, sample_dirs))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("imported ") == 3
    r = cli("templates", "list", "--json")
    rows = json.loads(r.stdout)
    assert {row["id"] for row in rows} == {"quotes-daily", "trivia-quiz", "wallpaper-pack"}
    for row in rows:
        assert {"id", "title", "category", "tags", "status", "stats"} <= set(row)
        assert {"builds", "build_success_rate", "revenue_minor", "rating_avg", "rating_count", "last_activity"} <= set(row["stats"])
    r = cli("templates", "list", "--search", "quiz", "--json")
    assert [row["id"] for row in json.loads(r.stdout)] == ["trivia-quiz"]
    r = cli("--json", "templates", "list", "--category", "lifestyle")
    assert [row["id"] for row in json.loads(r.stdout)] == ["quotes-daily"]

    r = cli("templates", "review", "trivia-quiz", "--rating", "5", "--text", "fun", "--reviewer", "ana")
    assert r.returncode == 0 and "5/5" in r.stdout
    r = cli("templates", "show", "trivia-quiz", "--json")
    shown = json.loads(r.stdout)
    assert shown["status"] == "active" and shown["stats"]["rating_avg"] == 5.0 and shown["reviews"][0]["text"] == "fun"

    r = cli("templates", "import", str(sample_dirs[0]))
    assert r.returncode == 1 and "--on-duplicate" in r.stderr
    r = cli("templates", "import", str(sample_dirs[0]), "--on-duplicate", "keep-both")
    assert r.returncode == 0 and "quotes-daily-2" in r.stdout

    assert cli("templates", "archive", "trivia-quiz").returncode == 0
    assert "trivia-quiz" not in cli("templates", "list").stdout
    assert "trivia-quiz" in cli("templates", "list", "--archived").stdout
    assert cli("templates", "restore", "trivia-quiz").returncode == 0
    assert cli("templates", "delete", "wallpaper-pack").returncode == 0
    r = cli("templates", "show", "wallpaper-pack", "--json")
    assert json.loads(r.stdout)["status"] == "deleted"
    r = cli("templates", "export", "quotes-daily", str(tmp_path / "q.zip"))
    assert r.returncode == 0 and zipfile.is_zipfile(tmp_path / "q.zip")
    cats = json.loads(cli("templates", "categories", "--json").stdout)
    assert {c["category"]: c["count"] for c in cats} == {"games": 1, "lifestyle": 2}
    trending = json.loads(cli("templates", "trending", "--json").stdout)
    assert trending[0]["id"] == "trivia-quiz" and trending[0]["score"] > 0  # the only rated one
    assert json.loads(cli("templates", "reviews", "trivia-quiz", "--json").stdout)[0]["reviewer"] == "ana"
    r = cli("templates", "delete", "wallpaper-pack", "--purge")
    assert r.returncode == 0 and not (data_dir / "templates" / "wallpaper-pack").exists()
    r = cli("templates", "show", "missing")
    assert r.returncode == 1 and r.stderr.startswith("trendforge: no template 'missing'")


def test_cli_hostile_package_changes_nothing(cli: Any, tmp_path: Path, data_dir: Path) -> None:
    z = templates_packages.build_zip(tmp_path / "evil.zip", {"../../evil.txt": b"x"})
    r = cli("templates", "import", str(z))
    assert r.returncode == 1 and "path traversal" in r.stderr
    assert json.loads(cli("templates", "list", "--json").stdout) == []
    assert not (data_dir / "templates").exists() or list((data_dir / "templates").iterdir()) == []
    r = cli("templates", "review", "x", "--rating", "9")
    assert r.returncode == 2

"""Template list queries at scale: category counts kept by triggers, and plans that stop after a page."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event, text

from app.templates.model import TemplateQuery, TemplateStatus
from services.bootstrap import Services
from services.db.plans import query_plan, recorded_statements
from services.templates import service as template_service

CATEGORIES = ("games", "quotes", "tools", "wallpapers")


@pytest.fixture
def loaded(services: Services, sample_dirs: list[Path]) -> Services:
    assert all(r.ok for r in services.templates.import_paths(sample_dirs))
    # many more rows, copied from a sample in SQL (the triggers see them like any insert)
    with services.ctx.engine.begin() as conn:
        for n, category in enumerate(CATEGORIES):
            conn.execute(text(
                "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < :n) "
                "INSERT INTO templates (id, title, category, description, tags, version, app_name, application_id, "
                "min_sdk, target_sdk, price_amount, price_currency, content, preview, schema_version, status, "
                "has_package, source, rating_sum, rating_count, created_at, updated_at) "
                "SELECT 'bulk-' || :c || '-' || i, 'Bulk ' || i, :c, description, tags, version, app_name, "
                "application_id, min_sdk, target_sdk, price_amount, price_currency, content, preview, "
                "schema_version, CASE WHEN i % 5 = 0 THEN 'archived' ELSE 'active' END, false, source, 0, 0, "
                "created_at, updated_at FROM templates, k WHERE templates.id = 'quotes-daily'"
            ), {"n": 500 * (n + 1), "c": category})
        conn.exec_driver_sql("ANALYZE")
    services.templates.invalidate()
    return services


def _truth(services: Services, statuses: tuple[str, ...]) -> list[tuple[str, int]]:
    marks = ", ".join(f"'{s}'" for s in statuses)
    with services.ctx.engine.connect() as conn:
        return [(str(r[0]), int(r[1])) for r in conn.exec_driver_sql(
            f"SELECT category, count(*) FROM templates WHERE status IN ({marks}) GROUP BY category ORDER BY category")]


def test_category_counts_follow_every_kind_of_write(loaded: Services) -> None:
    svc = loaded.templates
    assert svc.categories() == _truth(loaded, ("active",))
    svc.update("quotes-daily", {"category": "oddities"})
    svc.archive("trivia-quiz")
    svc.delete("wallpaper-pack")
    svc.unarchive("trivia-quiz")
    svc.archive("trivia-quiz")
    svc.purge("wallpaper-pack")
    svc.create({"id": "new-one", "title": "N", "category": "games", "version": "1.0.0",
                "app_name": "N", "application_id": "com.n.n", "content": {}})
    assert svc.categories() == _truth(loaded, ("active",))
    assert svc.categories(include_archived=True) == _truth(loaded, ("active", "archived"))
    assert ("oddities", 1) in svc.categories()


def test_counts_without_search_come_from_the_summary(loaded: Services) -> None:
    svc = loaded.templates
    with loaded.ctx.engine.connect() as conn:
        active_games = conn.exec_driver_sql(
            "SELECT count(*) FROM templates WHERE status = 'active' AND category = 'games'").scalar_one()
        archived = conn.exec_driver_sql("SELECT count(*) FROM templates WHERE status = 'archived'").scalar_one()
    assert svc.count(TemplateQuery(category="games")) == active_games
    assert svc.count(TemplateQuery(statuses=(TemplateStatus.ARCHIVED,))) == archived


@pytest.mark.sqlite_only  # the plan SQLite's planner chooses
def test_categories_read_no_template_row(loaded: Services) -> None:
    with recorded_statements(loaded.ctx.engine) as seen:
        loaded.templates.categories()
    assert seen
    with loaded.ctx.engine.connect() as conn:
        plans = [line for sql, params in seen for line in query_plan(conn, sql, params)]
    assert plans and all("template_category_counts" in line for line in plans if line.startswith(("SCAN", "SEARCH"))), plans


@pytest.mark.sqlite_only  # the plan SQLite's planner chooses
@pytest.mark.parametrize(("query", "index"), [
    (TemplateQuery(), "ix_templates_status_title"),
    (TemplateQuery(category="tools"), "ix_templates_status_category_title"),
])
def test_title_pages_walk_an_index_in_order(loaded: Services, query: TemplateQuery, index: str) -> None:
    with recorded_statements(loaded.ctx.engine) as seen:
        loaded.templates.find(query)
    (sql, params), = [(q, p) for q, p in seen if "FROM templates t" in q]
    with loaded.ctx.engine.connect() as conn:
        plan = query_plan(conn, sql, params)
    assert any(index in line for line in plan), plan
    assert not any("TEMP B-TREE" in line for line in plan), plan


def _add_titled(services: Services, word: str, n: int) -> None:
    """``n`` more active templates titled '<word> i', copied from a sample in SQL."""
    with services.ctx.engine.begin() as conn:
        conn.execute(text(
            "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < :n) "
            "INSERT INTO templates (id, title, category, description, tags, version, app_name, application_id, "
            "min_sdk, target_sdk, price_amount, price_currency, content, preview, schema_version, status, "
            "has_package, source, rating_sum, rating_count, created_at, updated_at) "
            "SELECT :w || '-' || (SELECT count(*) FROM templates) || '-' || i, :w || ' ' || i, category, description, "
            "tags, version, app_name, application_id, min_sdk, target_sdk, price_amount, price_currency, content, "
            "preview, schema_version, 'active', false, source, 0, 0, created_at, updated_at "
            "FROM templates, k WHERE templates.id = 'quotes-daily'"
        ), {"n": n, "w": word})
    services.templates.invalidate()


def _vm_steps(services: Services, query: TemplateQuery) -> int:
    """SQLite virtual-machine instructions that ``find(query)`` runs (a count of work, not a timing)."""
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0

    def on(conn: object, *_args: object) -> None:
        conn.connection.dbapi_connection.set_progress_handler(step, 1)  # type: ignore[attr-defined]

    def off(conn: object, *_args: object) -> None:
        conn.connection.dbapi_connection.set_progress_handler(None, 1)  # type: ignore[attr-defined]

    engine = services.ctx.engine
    event.listen(engine, "before_cursor_execute", on)
    event.listen(engine, "after_cursor_execute", off)
    try:
        services.templates.invalidate()
        services.templates.find(query)
    finally:
        event.remove(engine, "before_cursor_execute", on)
        event.remove(engine, "after_cursor_execute", off)
    return steps[0]


@pytest.mark.sqlite_only  # counts SQLite's own instructions
def test_a_broad_search_does_not_count_every_match(services: Services, sample_dirs: list[Path],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # a broad search (more matches than are ranked) lists newest first; deciding that it is broad
    # must stop counting past the bound, or each keystroke costs every match (0.4 s at a million)
    monkeypatch.setattr(template_service, "RANK_MAX_MATCHES", 50)
    assert all(r.ok for r in services.templates.import_paths(sample_dirs))
    _add_titled(services, "zephyr", 1000)
    query = TemplateQuery(search="zeph", limit=20)
    fewer = _vm_steps(services, query)
    _add_titled(services, "zephyr", 4000)
    more = _vm_steps(services, query)
    assert len(services.templates.find(query)) == 20
    assert more < 1.2 * fewer, (fewer, more)

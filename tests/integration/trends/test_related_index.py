"""Related trends from the candidate index: no pass over every trend's history, plans on indexes."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sqlalchemy import text

from services.bootstrap import Services
from services.db.plans import query_plan, recorded_statements

A = [1.0, 3, 2, 5, 4, 8, 6, 9, 7, 10, 9, 12]
WORDS = ["cat", "dog", "pixel", "retro", "garden", "coffee", "neon", "quiz", "space", "vinyl", "yoga", "chess"]


def _rows(title: str, values: list[float]) -> list[str]:
    return [f"{title},{v},1,2026-11-{1 + i:02d}T00:00:00Z," for i, v in enumerate(values)]


@pytest.fixture
def many(services: Services, tmp_path: Path) -> Services:
    rng = random.Random(5)
    rows = _rows("Eras Tour", [v * 1000 for v in A]) + _rows("Friendship bracelets", [v * 300 + 50 for v in A])
    rows += _rows("Eras Tour merch", [rng.uniform(1, 100) for _ in A])
    for i in range(600):
        title = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}"
        rows += _rows(title, [rng.uniform(1, 1000) for _ in A])
    path = tmp_path / "many.csv"
    path.write_text("\n".join(["title,volume,rank,taken_at,category", *rows]) + "\n", encoding="utf-8")
    services.trends.import_csv("csv", path)
    return services


def _id(services: Services, title: str) -> str:
    return next(t["id"] for t in services.trends.list_trends(search=title, limit=None) if t["title"] == title)


def test_related_finds_co_movers_and_word_sharers(many: Services) -> None:
    rel = {r["title"]: r for r in many.trends.related(_id(many, "Eras Tour"), n=50)}
    assert rel["Friendship bracelets"]["comovement"] == pytest.approx(1.0)
    assert rel["Eras Tour merch"]["text"] > 0.5


@pytest.mark.sqlite_only  # the plan SQLite's planner chooses
def test_related_reads_no_snapshot_and_no_whole_table(many: Services) -> None:
    tid = _id(many, "Eras Tour")
    with recorded_statements(many.ctx.engine) as seen:
        many.trends.related(tid)
    assert seen and not any("trend_snapshots" in sql for sql, _ in seen)
    with many.ctx.engine.connect() as conn:
        plans = [line for sql, params in seen for line in query_plan(conn, sql, params)]
    assert not any(line.startswith("SCAN trends") or line.startswith("SCAN trend_terms") for line in plans), plans
    assert any("trend_terms" in line and "USING" in line for line in plans), plans


def test_sync_replaces_a_trends_terms_when_its_series_changes(many: Services, tmp_path: Path) -> None:
    tid = _id(many, "Friendship bracelets")
    # bracelets now fall while the tour keeps rising: they stop moving together
    later = [f"Friendship bracelets,{v},1,2026-11-{13 + i:02d}T00:00:00Z," for i, v in enumerate([90.0, 80, 70, 60, 50, 40])]
    tour = [f"Eras Tour,{v},1,2026-11-{13 + i:02d}T00:00:00Z," for i, v in enumerate([13000.0, 14000, 15000, 16000, 17000, 18000])]
    path = tmp_path / "later.csv"
    path.write_text("\n".join(["title,volume,rank,taken_at,category", *later, *tour]) + "\n", encoding="utf-8")
    before = _terms(many, tid)
    many.trends.import_csv("csv", path)
    after = _terms(many, tid)
    assert after != before and {t for t in after if t.startswith("w:")} == {"w:friendship", "w:bracelets"}


def _terms(services: Services, tid: str) -> set[str]:
    with services.ctx.engine.connect() as conn:
        return {r[0] for r in conn.execute(text("SELECT term FROM trend_terms WHERE trend_id = :t"), {"t": tid})}


def test_migration_indexes_trends_that_were_already_there(tmp_path: Path) -> None:
    from alembic import command

    from services.db import migrate
    from services.db.base import make_engine, sqlite_url

    eng = make_engine(sqlite_url(tmp_path / "old.db"))
    cfg = migrate._alembic_config()
    with eng.begin() as conn:
        cfg.attributes["connection"] = conn  # type: ignore[attr-defined]
        command.upgrade(cfg, "0500_trends")  # type: ignore[arg-type]
        conn.exec_driver_sql(
            "INSERT INTO trends (id, key, title, first_seen, last_seen) VALUES "
            "('aaaa1111', 'erastour', 'Eras Tour', '2026-11-01 00:00:00', '2026-11-12 00:00:00')")
        conn.exec_driver_sql(
            "INSERT INTO trend_snapshots (trend_id, source, taken_at, volume, rank) VALUES (?, 'csv', ?, ?, 1)",
            [("aaaa1111", f"2026-11-{1 + i:02d} 00:00:00.000000", v) for i, v in enumerate(A)])
    migrate.upgrade(eng)
    with eng.connect() as conn:
        terms = {r[0] for r in conn.exec_driver_sql("SELECT term FROM trend_terms WHERE trend_id = 'aaaa1111'")}
        recent = conn.exec_driver_sql("SELECT recent FROM trends").scalar_one()
    assert {"w:eras", "w:tour"} <= terms and any(t.startswith("m0:") for t in terms)
    assert json.loads(recent) == A

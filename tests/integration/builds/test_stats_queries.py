"""Build figures for the templates' stats read only the builds of the templates asked for.

The Templates panel asks for one template's figures at every click; they were computed from every
build the studio ever made (10,000 rows read and grouped per click). Real SQLite, builds recorded
as the service records them, ANALYZE as after a bulk import, then the plans of what ran.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from services.builds.models import BuildRecord
from services.db.plans import query_plan, recorded_statements

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def _record_builds(services: Any, n: int) -> None:
    states = ("signed", "signed", "failed", "cancelled")
    rows = [{"id": f"b{i:031x}", "template_id": f"tpl-{i % 40}", "application_id": f"com.example.t{i % 40}",
             "app_name": "T", "platform": "apk", "backend": "direct", "version_name": f"1.0.{i}",
             "version_code": i + 1, "state": states[i % 4], "step": "done", "percent": 100.0,
             "created_at": NOW - timedelta(minutes=i), "duration_s": 30.0 + i % 7, "options": {}} for i in range(n)]
    with services.ctx.engine.begin() as conn:
        conn.execute(insert(BuildRecord), rows)
        conn.exec_driver_sql("ANALYZE")


def test_template_build_figures_count_only_that_templates_builds(services: Any) -> None:
    _record_builds(services, 4000)
    figures = services.builds.template_stats(["tpl-1", "tpl-2"])
    assert set(figures) == {"tpl-1", "tpl-2"}
    assert figures["tpl-1"]["builds"] == 100
    assert figures["tpl-1"]["build_success_rate"] == 1.0  # tpl-1: i % 4 == 1, always signed
    assert figures["tpl-2"]["build_success_rate"] == 0.0  # tpl-2: always failed


def test_template_build_figures_search_the_template_index(services: Any) -> None:
    _record_builds(services, 4000)
    with recorded_statements(services.ctx.engine) as recorded:
        services.builds.template_stats(["tpl-3"])
    # the read the figures are computed from (recovery may look up active builds meanwhile)
    seen = [(q, p) for q, p in recorded if q.lstrip().startswith("SELECT builds.template_id, builds.platform, builds.state, builds.duration_s")]
    assert seen
    with services.ctx.engine.connect() as conn:
        for sql, params in seen:
            plan = query_plan(conn, sql, params)
            assert not any(line.startswith("SCAN builds") for line in plan), (sql, plan)


def test_the_builds_figures_are_folded_without_holding_every_build_as_a_row(services: Any) -> None:
    import tracemalloc

    _record_builds(services, 8000)
    services.builds.stats()  # first call: statements compiled, modules loaded
    services.builds.invalidate()
    tracemalloc.start()
    try:
        stats = services.builds.stats()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(s.builds for s in stats) == 8000
    assert sum(s.succeeded for s in stats) == 4000
    assert peak < 1.5 * 1024 * 1024  # every row at once (finished as a datetime): ~3 MB

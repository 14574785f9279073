"""The templates area's health: its table and search index answer.

``TemplatesService.health`` and the composition root's health report (which does not build the
area for it) both answer with :func:`store_health`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from app.health import Health, HealthState
from services.context import ServiceContext
from services.db.backend import backend_of
from services.templates import search_sql

NAME = "templates"


def store_dir(ctx: ServiceContext) -> Path:
    return ctx.data_dir / "templates"


def store_health(ctx: ServiceContext) -> Health:
    """Down unless the templates table and its full-text index (this database's kind) answer."""
    sql = search_sql.for_backend(backend_of(ctx.engine))
    try:
        with ctx.new_uow() as uow:
            n = uow.session.execute(text("SELECT count(*) FROM templates")).scalar_one()
            uow.session.execute(text(sql.count_matches), {"match": sql.match("x"), "cap": 1}).scalar_one()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return Health(NAME, HealthState.DOWN, f"templates store unavailable: {exc}")
    return Health(NAME, HealthState.OK, f"{n} templates in {store_dir(ctx)}")

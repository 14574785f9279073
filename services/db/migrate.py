"""Apply Alembic migrations (every branch head) at start-up."""

from __future__ import annotations

import re
from importlib import resources

from sqlalchemy import Engine, text

from services.db.backend import has_table, is_sqlite

MIGRATION_LOCK = 7_216_001  # a PostgreSQL advisory lock key: TrendForge's schema upgrades


def _script_location() -> str:
    return str(resources.files("services.db") / "migrations")


def _alembic_config() -> object:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", _script_location())
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", _script_location() + "/versions")
    return cfg


_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*=\s*(.+)$", re.MULTILINE)


def head_revisions() -> set[str]:
    """The heads of the migration graph, read from the version files without importing alembic.

    Importing alembic costs ~100 ms of start-up; when the database is already at these heads
    (the usual case) it is never imported. A test checks this agrees with alembic's own answer.
    """
    revisions, parents = _graph()
    return revisions - parents


def known_revisions() -> set[str]:
    """Every revision this version ships; a database at any other one was made by a newer TrendForge."""
    return _graph()[0]


def _graph() -> tuple[set[str], set[str]]:
    revisions: set[str] = set()
    parents: set[str] = set()
    folder = resources.files("services.db") / "migrations" / "versions"
    for entry in folder.iterdir():
        if not entry.name.endswith(".py") or entry.name.startswith("__"):
            continue
        text = entry.read_text(encoding="utf-8")
        rev = _REVISION.search(text)
        if rev is None:
            continue
        revisions.add(rev.group(1))
        down = _DOWN.search(text)
        if down is not None:
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)))
    return revisions, parents


def alembic_head_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())  # type: ignore[arg-type]
    return set(script.get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if not has_table(conn, "alembic_version"):
            return set()
        return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def upgrade(engine: Engine) -> None:
    """Bring the database to every head; a no-op when it is already there."""
    if current_revisions(engine) == head_revisions():
        return
    from alembic import command

    cfg = _alembic_config()
    with engine.begin() as conn:
        if not is_sqlite(conn):
            # machines of a studio starting at once: one migrates, the others wait and find it done
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            if has_table(conn, "alembic_version") and {
                    str(r[0]) for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")} == head_revisions():
                return
        cfg.attributes["connection"] = conn  # type: ignore[attr-defined]
        command.upgrade(cfg, "heads")  # type: ignore[arg-type]
        # new indexes need planner statistics to be chosen over the old ones
        conn.exec_driver_sql("ANALYZE")

"""Apply Alembic migrations (every branch head) at start-up."""

from __future__ import annotations

from importlib import resources

from sqlalchemy import Engine, text


def _script_location() -> str:
    return str(resources.files("services.db") / "migrations")


def _alembic_config() -> object:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", _script_location())
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", _script_location() + "/versions")
    return cfg


def head_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())  # type: ignore[arg-type]
    return set(script.get_heads())


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        has = conn.execute(
            text("SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'")
        ).first()
        if has is None:
            return set()
        return {row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))}


def upgrade(engine: Engine) -> None:
    """Bring the database to every head; a no-op when it is already there."""
    from alembic import command

    if current_revisions(engine) == head_revisions():
        return
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn  # type: ignore[attr-defined]
        command.upgrade(cfg, "heads")  # type: ignore[arg-type]

"""Which store a process opens: --database, then TRENDFORGE_DATABASE_URL, then the data dir's SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.config import AppConfig
from services.db.backend import Backend, DatabaseUrlError, backend_of, describe, driver_sql, parse_url
from services.db.base import make_engine, sqlite_url

PG = "postgresql+psycopg://maker@db.studio.lan:5432/trendforge"


def test_the_sqlite_file_is_the_default(tmp_path: Path) -> None:
    config = AppConfig.from_env(tmp_path, env={})
    assert config.database_url is None and not config.shared_store


def test_the_environment_selects_a_shared_store(tmp_path: Path) -> None:
    config = AppConfig.from_env(tmp_path, env={"TRENDFORGE_DATABASE_URL": f" {PG} "})
    assert config.database_url == PG and config.shared_store


def test_the_command_line_wins_over_the_environment(tmp_path: Path) -> None:
    other = "postgresql+psycopg://ci@127.0.0.1/other"
    config = AppConfig.from_env(tmp_path, env={"TRENDFORGE_DATABASE_URL": PG}, database=other)
    assert config.database_url == other


def test_a_plain_postgresql_url_is_read_through_psycopg_3() -> None:
    assert parse_url("postgresql://maker@db/trendforge").drivername == "postgresql+psycopg"


@pytest.mark.parametrize(("given", "says"), [
    ("mysql://u@h/db", "SQLite or PostgreSQL, not 'mysql'"),
    ("not a url", "is not a database URL"),
    ("postgresql+psycopg://u@h", "names no database"),
    ("postgresql+asyncpg://u@h/db", "through psycopg 3"),
    ("sqlite://", "must name a file"),
])
def test_an_unusable_url_is_one_line_saying_what_to_give(given: str, says: str) -> None:
    with pytest.raises(DatabaseUrlError, match=says) as caught:
        parse_url(given)
    assert "\n" not in str(caught.value)


def test_a_password_in_the_url_is_never_echoed() -> None:
    with pytest.raises(DatabaseUrlError) as caught:
        parse_url("mysql://maker:hunter22secret@h/db")
    assert "hunter22secret" not in str(caught.value)
    assert "hunter22secret" not in describe("postgresql+psycopg://maker:hunter22secret@h/db")


def test_one_place_decides_the_dialect(tmp_path: Path) -> None:
    sqlite_engine = make_engine(sqlite_url(tmp_path / "a.db"))
    pg_engine = make_engine(PG)  # no connection is made until one is needed
    try:
        assert backend_of(sqlite_engine) is Backend.SQLITE and backend_of(pg_engine) is Backend.POSTGRESQL
        assert driver_sql(sqlite_engine, "UPDATE t SET a = ? WHERE b = ?") == "UPDATE t SET a = ? WHERE b = ?"
        assert driver_sql(pg_engine, "UPDATE t SET a = ? WHERE b = ?") == "UPDATE t SET a = %s WHERE b = %s"
    finally:
        sqlite_engine.dispose()
        pg_engine.dispose()

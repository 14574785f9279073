"""Which store opens at start, decided in one place: --database, then TRENDFORGE_DATABASE_URL, then the URL
saved in Settings (the data dir's store.json), then the local SQLite file; a saved URL holds no password."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.config import AppConfig
from services.db.backend import DatabaseUrlError
from services.db.preflight import StoreError, open_store
from services.db.store_choice import StoreSource, read_saved, saved_file, write_saved
from tests.support.postgres import free_port

SAVED = "postgresql+psycopg://maker@db.studio.lan:5432/trendforge"
ENV = "postgresql+psycopg://ci@127.0.0.1/from_env"
FLAG = "postgresql+psycopg://ci@127.0.0.1/from_flag"


def test_the_saved_url_is_used_when_nothing_else_is_given(tmp_path: Path) -> None:
    write_saved(tmp_path, SAVED)
    config = AppConfig.from_env(tmp_path, env={})
    assert (config.database_url, config.store_source) == (SAVED, StoreSource.SETTING)


def test_the_environment_wins_over_the_saved_url(tmp_path: Path) -> None:
    write_saved(tmp_path, SAVED)
    config = AppConfig.from_env(tmp_path, env={"TRENDFORGE_DATABASE_URL": ENV})
    assert (config.database_url, config.store_source) == (ENV, StoreSource.ENV)


def test_the_command_line_wins_over_the_environment_and_the_saved_url(tmp_path: Path) -> None:
    write_saved(tmp_path, SAVED)
    config = AppConfig.from_env(tmp_path, env={"TRENDFORGE_DATABASE_URL": ENV}, database=FLAG)
    assert (config.database_url, config.store_source) == (FLAG, StoreSource.FLAG)


def test_saving_an_empty_url_goes_back_to_the_local_file(tmp_path: Path) -> None:
    write_saved(tmp_path, SAVED)
    write_saved(tmp_path, "  ")
    config = AppConfig.from_env(tmp_path, env={})
    assert (config.database_url, config.store_source) == (None, StoreSource.LOCAL)


def test_a_url_with_a_password_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    write_saved(tmp_path, SAVED)
    with pytest.raises(DatabaseUrlError, match=r"put the password in ~/.pgpass") as caught:
        write_saved(tmp_path, "postgresql+psycopg://maker:hunter22secret@db/trendforge")
    assert "hunter22secret" not in str(caught.value) and "\n" not in str(caught.value)
    assert b"hunter22secret" not in saved_file(tmp_path).read_bytes()
    assert read_saved(tmp_path) == SAVED  # the earlier choice is kept whole
    assert [p.name for p in tmp_path.iterdir()] == ["store.json"]  # no temp file left behind


def test_a_hand_edited_password_in_the_saved_url_is_refused_at_start(tmp_path: Path) -> None:
    saved_file(tmp_path).write_text(json.dumps({"database_url": "postgresql+psycopg://m:hunter22secret@db/tf"}))
    with pytest.raises(StoreError, match=r"saved in Settings.*start on another store") as caught:
        open_store(AppConfig.from_env(tmp_path, env={}))
    assert "hunter22secret" not in str(caught.value) and "\n" not in str(caught.value)


def test_a_damaged_saved_choice_is_refused_rather_than_falling_back_to_another_store(tmp_path: Path) -> None:
    saved_file(tmp_path).write_text('{"database_url": "postgresql+psyc')
    with pytest.raises(StoreError, match=r"is not a database URL.*saved in Settings"):
        open_store(AppConfig.from_env(tmp_path, env={}))
    assert not (tmp_path / "trendforge.sqlite3").exists()


def test_an_unreachable_saved_store_says_how_to_start_without_it(tmp_path: Path) -> None:
    write_saved(tmp_path, f"postgresql+psycopg://maker@127.0.0.1:{free_port()}/trendforge")  # nothing listens there
    with pytest.raises(StoreError, match=r"cannot open the database .*saved in Settings.*start on another store"):
        open_store(AppConfig.from_env(tmp_path, env={}))

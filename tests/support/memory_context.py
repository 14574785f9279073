"""A service context over an in-memory SQLite, for unit tests that need a service but not the whole app.

The migrations run once per test session, into a file; each test gets an in-memory copy of that
database (SQLite's backup API), an event bus over it and a :class:`MemorySecretStore`, and builds
only the one service it tests on that context. Where a suite runs on both stores, the PostgreSQL
run gets the test's own copy of the migrated template database instead (tests/support/backends.py).
A conftest imports the ``memory_context`` fixture.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import StaticPool

from app.timeutil import utcnow
from services.config import AppConfig
from services.context import ServiceContext
from services.db import migrate
from services.db.base import make_engine, make_session_factory, sqlite_url
from services.db.uow import UnitOfWork
from services.events.bus import EventBus
from services.events.store import EventStore
from services.redaction import install_on_engine as install_redaction
from services.secrets import MemorySecretStore
from tests.support.backends import StoreBackend


def migrated_file(folder: Path) -> Path:
    """A database file with every migration applied."""
    path = folder / "migrated.db"
    engine = make_engine(sqlite_url(path))
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    return path


def copy_migrated(source: Path, dest: Path) -> None:
    """Write a copy of the migrated ``source`` database to ``dest`` (a new file, owner-only, as the app makes it)."""
    fd = os.open(dest, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(dest)) as out:
        src.backup(out)


def in_memory_copy(source: Path) -> Engine:
    """An engine over one in-memory connection holding a copy of ``source`` (threads share it, as the pool is static)."""
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    with sqlite3.connect(source) as src:
        src.backup(conn)
    conn.execute("PRAGMA foreign_keys=ON")
    return create_engine("sqlite://", creator=lambda: conn, poolclass=StaticPool, future=True)


def memory_service_context(template: Path, data_dir: Path, secrets: MemorySecretStore | None = None) -> ServiceContext:
    """The context every service is built with (as the composition root makes it), its database in memory
    (or the already migrated shared store the environment names, on PostgreSQL)."""
    config = AppConfig.from_env(data_dir)
    engine = make_engine(config.database_url) if config.database_url else in_memory_copy(template)
    secret_store = secrets if secrets is not None else MemorySecretStore()
    install_redaction(engine, secret_store.known_values)
    bus = EventBus(engine, EventStore(engine, actor=config.actor))
    session_factory = make_session_factory(engine, actor=config.actor)

    def new_uow() -> UnitOfWork:
        return UnitOfWork(session_factory, bus)

    return ServiceContext(config=config, engine=engine, bus=bus, uow=new_uow, secrets=secret_store, clock=utcnow)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_file(tmp_path_factory.mktemp("migrated"))


@pytest.fixture
def memory_context(backend: StoreBackend, migrated_template: Path, tmp_path: Path) -> Iterator[ServiceContext]:
    """A fresh, migrated store (in memory on SQLite) with its bus and an in-memory secret store; files under tmp_path."""
    (tmp_path / "data").mkdir()
    ctx = memory_service_context(migrated_template, tmp_path / "data")
    yield ctx
    ctx.engine.dispose()

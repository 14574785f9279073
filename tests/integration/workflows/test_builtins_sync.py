"""Start-up stores the bundled workflow definitions: a changed one is checked and replaced; one
stored as it is bundled is left as it is, without loading the schema checker or importing the
definitions' checks.

Real SQLite in a temp data dir; the schema-checker check runs in a fresh interpreter, since this
one has loaded it already.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from services.bootstrap import Services
from services.workflows.models import WorkflowDefinitionRecord

ROOT = Path(__file__).resolve().parents[3]


def _stored(services: Services, name: str) -> WorkflowDefinitionRecord:
    with services.ctx.new_uow() as uow:
        rec = uow.session.get(WorkflowDefinitionRecord, name)
        assert rec is not None
        uow.session.expunge(rec)
        return rec


def test_a_builtin_stored_differently_is_replaced_by_the_bundled_one(make_services: Callable[..., Services]) -> None:
    services = make_services()
    services.build_all()  # started: the workflows area stores the built-ins when it is built
    bundled = _stored(services, "approval-demo").body
    with services.ctx.new_uow() as uow:
        rec = uow.session.get(WorkflowDefinitionRecord, "approval-demo")
        assert rec is not None
        rec.body = {**rec.body, "title": "an older title"}
        uow.commit()
    services.workflows.sync_builtins()
    assert _stored(services, "approval-demo").body == bundled


@pytest.mark.child_process
def test_a_start_with_the_builtins_stored_as_bundled_does_not_load_the_schema_checker(
        make_services: Callable[..., Services], data_dir: Path) -> None:
    first = make_services()
    first.build_all()  # the first start stores them (checked)
    first.close()
    code = ("import sys\nfrom services.bootstrap import bootstrap\n"
            "from services.config import AppConfig\nfrom services.secrets import MemorySecretStore\n"
            "c = AppConfig.from_env(sys.argv[1])\nc.log_to_file = False\ns = bootstrap(c, secrets=MemorySecretStore())\n"
            "s.workflows\nprint('jsonschema' in sys.modules)\ns.close()\n")
    done = subprocess.run([sys.executable, "-c", code, str(data_dir)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.split() == ["False"]


@pytest.mark.child_process
def test_a_start_with_the_builtins_stored_as_bundled_imports_no_definition_checks(
        make_services: Callable[..., Services], data_dir: Path) -> None:
    """Compared as data, not parsed: the definitions' checks and expressions (~11 ms of a GUI start-up before
    Home is filled) are imported by what reads, runs or imports a definition."""
    first = make_services()
    first.build_all()
    first.close()
    code = ("import sys\nfrom services.bootstrap import bootstrap\n"
            "from services.config import AppConfig\nfrom services.secrets import MemorySecretStore\n"
            "c = AppConfig.from_env(sys.argv[1])\nc.log_to_file = False\ns = bootstrap(c, secrets=MemorySecretStore())\n"
            "s.workflows\nprint(sorted(m for m in ('app.workflows.definition', 'app.workflows.expr') if m in sys.modules))\n"
            "s.close()\n")
    done = subprocess.run([sys.executable, "-c", code, str(data_dir)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]"

"""Stored definitions (checked when they were stored) are read without the schema checker: listing
them (the Workflows panel) and reading one do not load jsonschema; a stored body that has lost the
schema's shape (edited by hand) still gets the schema's own message.

Real SQLite in a temp data dir; the import check runs in a fresh interpreter, since this one has
loaded jsonschema already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.errors import UserError
from services.bootstrap import Services
from services.workflows.models import WorkflowDefinitionRecord

ROOT = Path(__file__).resolve().parents[3]

CHILD = """
import json, sys
from services.bootstrap import bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore
c = AppConfig.from_env(sys.argv[1])
c.log_to_file = False
s = bootstrap(c, secrets=MemorySecretStore())
names = [d["name"] for d in s.workflows.list_definitions()]
steps = s.workflows.get_definition(names[0]).step_names()
print(json.dumps({"listed": len(names), "steps": len(steps), "jsonschema": "jsonschema" in sys.modules}))
s.close()
"""


@pytest.mark.child_process
def test_listing_and_reading_stored_definitions_does_not_load_the_schema_checker(
        make_services: Callable[..., Services], data_dir: Path) -> None:
    first = make_services()
    first.build_all()  # the first start stores the built-ins (checked)
    first.close()
    done = subprocess.run([sys.executable, "-c", CHILD, str(data_dir)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["listed"] > 0 and seen["steps"] > 0
    assert seen["jsonschema"] is False


def test_a_stored_body_edited_out_of_shape_gets_the_schema_message(make_services: Callable[..., Services]) -> None:
    services = make_services()
    services.build_all()
    with services.ctx.new_uow() as uow:
        rec = uow.session.get(WorkflowDefinitionRecord, "approval-demo")
        assert rec is not None
        rec.body = {k: v for k, v in rec.body.items() if k != "steps"}
        uow.commit()
    with pytest.raises(UserError, match=r"is not a valid workflow: .*'steps' is a required property"):
        services.workflows.get_definition("approval-demo")

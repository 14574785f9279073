"""`workflow run|compensate --json` print the run as `workflow show --json` does (the shared row shape)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

UNDOABLE = {
    "name": "undoable",
    "steps": [
        {"name": "a", "action": "noop", "inputs": {"value": 1}, "compensation": {"action": "noop"}},
        {"name": "b", "action": "notify", "inputs": {"title": "done"}},
    ],
}


def test_run_json_is_byte_for_byte_what_show_json_prints_of_that_run(cli: Any, tmp_path: Path) -> None:
    f = tmp_path / "undoable.json"
    f.write_text(json.dumps(UNDOABLE))
    assert cli("workflow", "import", str(f)).returncode == 0
    ran = cli("workflow", "run", "undoable", "--json")
    assert ran.returncode == 0, ran.stderr
    shown = cli("workflow", "show", json.loads(ran.stdout)["id"], "--json")
    assert shown.returncode == 0, shown.stderr
    assert ran.stdout == shown.stdout


def test_compensate_json_is_the_shown_run_plus_the_undos_own_duration(cli: Any, tmp_path: Path) -> None:
    f = tmp_path / "undoable.json"
    f.write_text(json.dumps(UNDOABLE))
    assert cli("workflow", "import", str(f)).returncode == 0
    run_id = json.loads(cli("workflow", "run", "undoable", "--json").stdout)["id"]
    undone = cli("workflow", "compensate", run_id, "--json")
    assert undone.returncode == 0, undone.stderr
    printed = json.loads(undone.stdout)
    assert isinstance(printed.pop("compensation_duration"), float)
    assert printed == json.loads(cli("workflow", "show", run_id, "--json").stdout)
    assert printed["status"] == "compensated"

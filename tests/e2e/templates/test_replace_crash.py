"""`templates import --on-duplicate replace` killed (SIGKILL) around its commit: the database decides
which folder is live, and the next start cleans `.staging`/`.trash`.

The kill is real: the CLI process sends SIGKILL to itself at a named point when TRENDFORGE_FAULT
says so (services.templates.switch.fault_point), the only way to stop it exactly there."""

from __future__ import annotations

import json
import signal
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
ROOT = Path(__file__).resolve().parents[3]


def _package(path: Path, version: str) -> Path:
    m = json.loads((ROOT / "resources" / "samples" / "quotes-daily" / "template.json").read_text())
    for field in ("preview", "branding", "listing"):  # files this small package does not ship
        m.pop(field, None)
    m.update(version=version, title=f"Quotes {version}")
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("template.json", json.dumps(m))
        zf.writestr("web/index.html", f"<p>{version}</p>")
    return path


def _store(data_dir: Path) -> Path:
    return data_dir / "templates"


@pytest.mark.parametrize(
    ("point", "live"),
    [("templates.replace.before_commit", "1.0.0"), ("templates.replace.after_commit", "2.0.0")],
    ids=["killed before the commit", "killed after the commit"],
)
def test_replace_killed_mid_switch_recovers(cli: CliRunner, data_dir: Path, tmp_path: Path, point: str, live: str) -> None:
    assert cli("templates", "import", str(_package(tmp_path / "v1.zip", "1.0.0"))).returncode == 0
    killed = cli("templates", "import", "--on-duplicate", "replace", str(_package(tmp_path / "v2.zip", "2.0.0")),
                 env={"TRENDFORGE_FAULT": point})
    assert killed.returncode == -signal.SIGKILL
    assert any((_store(data_dir) / d).exists() for d in (".staging", ".trash"))  # the kill left debris

    shown = cli("templates", "show", "quotes-daily", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["version"] == live  # what the database says...
    folder = _store(data_dir) / "quotes-daily"
    assert json.loads((folder / "template.json").read_text())["version"] == live  # ...is the live folder
    assert (folder / "web" / "index.html").read_text() == f"<p>{live}</p>"
    assert sorted(p.name for p in _store(data_dir).iterdir()) == ["quotes-daily"]  # no .staging, no .trash

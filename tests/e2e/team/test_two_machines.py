"""Two machines, one PostgreSQL: TrendForge processes with their own data dirs share a studio's store.

Machine A is this test's process with an open Templates panel (offscreen, its watcher started as
the GUI runner starts it) and A's CLI; machine B is the CLI as a subprocess on another data dir.
Each acts for its own actor; both name the test cluster's database in TRENDFORGE_DATABASE_URL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from services.bootstrap import Services, bootstrap
from services.config import AppConfig
from services.secrets import MemorySecretStore
from ui.app_runner import watch_other_writers
from ui.panels.templates_panel import TemplatesPanel

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "resources" / "samples" / "quotes-daily"


class Machine:
    def __init__(self, name: str, data_dir: Path, database: str) -> None:
        self.name = name
        self.data_dir = data_dir
        self.env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
        self.env.update(TRENDFORGE_DATABASE_URL=database, TRENDFORGE_ACTOR=f"maker@{name}", TRENDFORGE_HOST=name)

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, str(ROOT / "main.py"), "--data-dir", str(self.data_dir), *args]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.argv(*args), capture_output=True, text=True, env=self.env, timeout=240, check=False)


@pytest.fixture
def machines(pg_database: str, tmp_path: Path) -> tuple[Machine, Machine]:
    return Machine("studio-a", tmp_path / "a", pg_database), Machine("studio-b", tmp_path / "b", pg_database)


@pytest.fixture
def window_a(machines: tuple[Machine, Machine], pg_database: str,
             monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    """Machine A's app, as its open window has it (the store named like its CLI's)."""
    monkeypatch.setenv("TRENDFORGE_ACTOR", "maker@studio-a")
    config = AppConfig.from_env(machines[0].data_dir, database=pg_database)
    config.log_to_file = False
    services = bootstrap(config, secrets=MemorySecretStore())
    yield services
    services.close()


@pytest.mark.slow
def test_two_machines_share_templates_live_edits_version_codes_and_refuse_stale_edits(
        qtbot: QtBot, machines: tuple[Machine, Machine], window_a: Services) -> None:
    a, b = machines
    # a template imported on A is listed on B
    imported = a.cli("templates", "import", str(SAMPLE))
    assert imported.returncode == 0, imported.stderr
    listed = b.cli("templates", "list", "--json")
    assert [row["id"] for row in json.loads(listed.stdout)] == ["quotes-daily"], listed.stderr

    # an edit on B shows live in A's open window
    panel = TemplatesPanel(window_a)
    qtbot.addWidget(panel)
    panel.show()
    watcher = watch_other_writers(window_a, panel)
    qtbot.waitUntil(lambda: panel.model.row_of("quotes-daily") >= 0, timeout=10_000)
    opened_on_a = json.loads(a.cli("templates", "show", "quotes-daily", "--json").stdout)["row_version"]
    edited = b.cli("templates", "edit", "quotes-daily", "--set", "title=Quotes from B",
                   "--expect-version", str(opened_on_a))
    assert edited.returncode == 0, edited.stderr

    def a_shows_bs_title() -> bool:
        summary = panel.model.summary_at(panel.model.row_of("quotes-daily"))
        return summary is not None and summary.title == "Quotes from B"

    qtbot.waitUntil(a_shows_bs_title, timeout=15_000)
    watcher.stop()

    # a stale edit is refused, naming who changed it
    stale = a.cli("templates", "edit", "quotes-daily", "--set", "title=Quotes from A",
                  "--expect-version", str(opened_on_a))
    assert stale.returncode == 1
    assert "changed by maker@studio-b" in stale.stderr and "nothing was saved" in stale.stderr
    assert stale.stderr.count("\n") == 1

    # concurrent builds of one app on A and B (B unpacks the package from the store) get distinct, rising codes
    procs = [subprocess.Popen(m.argv("build", "quotes-daily", "--version", "1.0.0", "--platform", "web", "--json"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=m.env)
             for m in (a, b)]
    outs = [p.communicate(timeout=300) for p in procs]
    for proc, (_, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err
    with window_a.ctx.engine.connect() as conn:
        rows = conn.execute(text("SELECT version_code, host FROM builds ORDER BY created_at, version_code")).all()
    codes = [int(r[0]) for r in rows]
    assert len(codes) == 2 and codes == sorted(set(codes))
    assert {r[1] for r in rows} == {"studio-a", "studio-b"}
    assert (b.data_dir / "templates" / "quotes-daily" / "template.json").is_file()

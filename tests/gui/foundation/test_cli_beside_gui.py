"""The CLI writes while the GUI runs: two CLI processes import templates and build at once while
a GUI (offscreen, on the same data dir) shows what they did without a manual refresh.

The GUI notices other processes' commits through :class:`OtherWriters` (``PRAGMA data_version``
on a timer), exactly as the app runner starts it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from services.bootstrap import Services
from tests.support.panel_open import opened
from ui.app_runner import watch_other_writers
from ui.panels.builds_panel import BuildsPanel
from ui.panels.templates_panel import TemplatesPanel

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "resources" / "samples" / "quotes-daily"


def _package(root: Path, template_id: str) -> Path:
    pkg = root / template_id
    shutil.copytree(SAMPLE, pkg, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    manifest = json.loads((pkg / "template.json").read_text())
    # one application id for both: their versionCodes come from one sequence
    manifest.update(id=template_id, title=f"Side {template_id}", application_id="com.example.sidebyside")
    (pkg / "template.json").write_text(json.dumps(manifest))
    return pkg


@pytest.mark.slow
def test_two_clis_import_and_build_while_the_gui_shows_it(qtbot: QtBot, services: Services, data_dir: Path,
                                                          tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    main = [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir)]
    key = subprocess.run([*main, "keys", "create", "upload"], capture_output=True, text=True, env=env, timeout=120)
    assert key.returncode == 0, key.stderr
    templates = TemplatesPanel(services)
    builds = BuildsPanel(services)
    for panel in (templates, builds):
        qtbot.addWidget(panel)
        panel.show()
    opened(qtbot, templates)
    watcher = watch_other_writers(services, templates)
    assert watcher.active
    ids = ["side-one", "side-two"]
    scripts = [" && ".join([
        f"{' '.join(main)} templates import {_package(tmp_path / 'pkgs', tid)}",
        f"{' '.join(main)} build {tid} --version 1.0.0 --key upload",
    ]) for tid in ids]
    procs = [subprocess.Popen(["sh", "-c", s], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for s in scripts]

    def gui_shows_both() -> bool:
        shown_templates = all(templates.model.row_of(t) >= 0 for t in ids)
        shown = [b for b in builds.model.builds() if b.template_id in ids]
        return shown_templates and len(shown) == 2 and all(b.state.value == "signed" for b in shown)

    qtbot.waitUntil(lambda: all(p.poll() is not None for p in procs), timeout=300_000)
    outs = [p.communicate() for p in procs]
    for proc, (out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err
        assert "database is locked" not in err + out
    # no reload was asked for: the panels follow the other processes' events
    qtbot.waitUntil(gui_shows_both, timeout=30_000)
    with sqlite3.connect(services.config.db_path) as conn:
        codes = [c for (c,) in conn.execute(
            "SELECT version_code FROM builds WHERE application_id = 'com.example.sidebyside'")]
        imported = {t for (t,) in conn.execute("SELECT id FROM templates WHERE id IN ('side-one', 'side-two')")}
    assert len(codes) == 2 and len(set(codes)) == 2
    assert imported == set(ids)

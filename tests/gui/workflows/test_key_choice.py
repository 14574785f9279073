"""Dialogs that start a signing workflow offer the data dir's keys (the only one preselected)."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from ui.panels.trends_panel import MakeTemplateDialog
from ui.panels.workflows.run_dialog import RunDialog
from ui.widgets.key_choice import CHOOSE, KeyCombo

INPUTS = [{"name": "base_template", "type": "string", "required": True},
          {"name": "key_alias", "type": "string", "required": False, "description": "signing key"}]


def test_run_dialog_preselects_the_only_key(qtbot: QtBot) -> None:
    dlg = RunDialog("Run", INPUTS, {"base_template": "quotes"}, keys=["upload"])
    qtbot.addWidget(dlg)
    combo = dlg.fields["key_alias"]
    assert isinstance(combo, KeyCombo) and combo.count() == 1
    assert dlg.values() == {"base_template": "quotes", "key_alias": "upload"}


def test_run_dialog_offers_several_keys_and_chooses_none_by_itself(qtbot: QtBot) -> None:
    dlg = RunDialog("Run", INPUTS, {"base_template": "quotes"}, keys=["release", "upload"])
    qtbot.addWidget(dlg)
    combo = dlg.fields["key_alias"]
    assert isinstance(combo, KeyCombo)
    assert [combo.itemText(i) for i in range(combo.count())] == [CHOOSE, "release", "upload"]
    assert "key_alias" not in dlg.values()
    combo.setCurrentIndex(combo.findData("upload"))
    assert dlg.values()["key_alias"] == "upload"


def test_make_template_dialog_offers_the_keys(qtbot: QtBot) -> None:
    templates: list[dict[str, Any]] = [{"name": "Quotes", "score": 0.9, "template_id": "quotes"}]
    dlg = MakeTemplateDialog("Cozy cats", templates, keys=["release", "upload"])
    qtbot.addWidget(dlg)
    dlg.deploy.setText("/srv/out")
    assert "key_alias" not in dlg.answer()
    dlg.key.setCurrentIndex(dlg.key.findData("release"))
    assert dlg.answer() == {"base_template": "quotes", "deploy_dir": "/srv/out", "key_alias": "release"}

"""Templates panel writes (delete, archive, edits, reviews, imports) run off the GUI thread and announce
what they changed; the table updates those rows instead of resetting."""

from __future__ import annotations

from typing import Any

import pytest

from services.bootstrap import Services
from tests.support import templates_packages
from tests.support.gui_writes import assert_wrote_in_the_background, click_while_locked
from tests.support.panel_open import opened
from ui.operations import ChangeArea, operation_hub
from ui.panels.templates.form import TemplateForm
from ui.panels.templates_panel import Dialogs, TemplatesPanel


@pytest.fixture
def panel(qtbot: Any, services: Services) -> TemplatesPanel:
    dirs = [templates_packages.SAMPLES / s for s in templates_packages.SAMPLE_IDS]
    assert all(r.ok for r in services.templates.import_paths(dirs))
    widget = TemplatesPanel(services)
    qtbot.addWidget(widget)
    opened(qtbot, widget)
    with qtbot.waitSignal(widget.detail_loaded, timeout=10_000):  # the selected template is read in the background
        assert widget.select_id("wallpaper-pack")
    return widget


def _row_signals(panel: TemplatesPanel) -> list[str]:
    seen: list[str] = []
    panel.model.modelReset.connect(lambda: seen.append("reset"))
    panel.model.rowsInserted.connect(lambda _p, first, _last: seen.append(f"inserted {first}"))
    panel.model.rowsRemoved.connect(lambda _p, first, _last: seen.append(f"removed {first}"))
    panel.model.dataChanged.connect(lambda top, *_: seen.append(f"changed {top.row()}"))
    return seen


def test_a_delete_returns_at_once_and_the_gui_thread_never_stalls_while_its_write_waits(
    qtbot: Any, panel: TemplatesPanel, services: Services
) -> None:
    timing = click_while_locked(qtbot, services.config.db_path, panel, panel.delete_button.click)
    assert_wrote_in_the_background(timing)


def test_a_delete_announces_its_template_and_removes_that_row_alone(qtbot: Any, panel: TemplatesPanel) -> None:
    row = panel.model.row_of("wallpaper-pack")
    seen = _row_signals(panel)
    with qtbot.waitSignal(operation_hub().did_execute, timeout=10_000) as announced:
        panel.delete_button.click()
    changes = announced.args[0]
    assert (changes.area, changes.ids, changes.initiator) == (ChangeArea.TEMPLATES, ("wallpaper-pack",), panel)
    qtbot.waitSignal(panel.refreshed, timeout=10_000).wait()
    assert seen == [f"removed {row}"]  # no reset: the other rows and the scroll position stay
    assert panel.undo_stack.count() == 1


def test_an_edit_saves_off_the_gui_thread_and_updates_its_row_in_place(
    qtbot: Any, panel: TemplatesPanel, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = panel.model.row_of("wallpaper-pack")
    seen = _row_signals(panel)
    timings: list[Any] = []

    def edit(parent: Any, form: TemplateForm) -> bool:
        form.title_edit.setText("Wallpaper Pack Pro")
        with qtbot.waitSignal(form.accepted, timeout=10_000):
            timings.append(click_while_locked(qtbot, services.config.db_path, form, form.submit))
        return True

    monkeypatch.setattr(Dialogs, "edit_template", classmethod(lambda cls, p, f: edit(p, f)))
    with qtbot.waitSignal(panel.refreshed, timeout=10_000):
        panel.edit_current()
    assert_wrote_in_the_background(timings[0])
    assert panel.model.summary_at(row).title == "Wallpaper Pack Pro"  # type: ignore[union-attr]
    assert seen == [f"changed {row}"]


def test_an_edit_someone_else_saved_first_is_refused_in_the_form_and_announces_nothing(
    qtbot: Any, panel: TemplatesPanel, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    announced: list[object] = []
    shown: list[str] = []

    def edit(parent: Any, form: TemplateForm) -> bool:
        services.templates.update("wallpaper-pack", {"title": "Saved elsewhere"})  # after the form opened
        form.title_edit.setText("Mine")
        operation_hub().did_execute.connect(announced.append)
        with qtbot.waitSignal(form.saved_or_refused, timeout=10_000):
            form.submit()
        shown.append(form.general_error.text())
        operation_hub().did_execute.disconnect(announced.append)
        return form.result() == TemplateForm.DialogCode.Accepted

    monkeypatch.setattr(Dialogs, "edit_template", classmethod(lambda cls, p, f: edit(p, f)))
    assert panel.edit_current() is None
    assert shown[0]  # the service's one line, in the form that stays open
    assert announced == []
    assert services.templates.get("wallpaper-pack").title == "Saved elsewhere"

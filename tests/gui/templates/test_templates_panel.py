"""The Templates panel driven through its real widgets on a real app (offscreen)."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from app.templates.model import DuplicatePolicy, TemplateStatus
from services.bootstrap import Services
from services.templates.seed import seed_synthetic
from tests.support import templates_packages
from tests.support.currency_table import cold_currency_reads
from tests.support.gui_thread_sql import sql_on_gui_thread
from tests.support.panel_open import opened
from ui import background
from ui.panels import templates_panel
from ui.panels.templates.form import TemplateForm
from ui.panels.templates.model import PAGE, TemplatesTableModel
from ui.panels.templates_panel import Dialogs, TemplatesPanel

SAMPLE_DIRS = [templates_packages.SAMPLES / s for s in templates_packages.SAMPLE_IDS]


@pytest.fixture
def loaded(services: Services) -> Services:
    assert all(r.ok for r in services.templates.import_paths(SAMPLE_DIRS))
    return services


@pytest.fixture
def panel(qtbot: Any, loaded: Services) -> TemplatesPanel:
    p = TemplatesPanel(loaded)
    qtbot.addWidget(p)
    return opened(qtbot, p)


def ids(panel: TemplatesPanel) -> list[str]:
    return [panel.model.summary_at(r).id for r in range(panel.model.rowCount())]  # type: ignore[union-attr]


def submit(qtbot: Any, form: TemplateForm) -> None:
    """Press Save; wait for the background save to be accepted, or refused with the form left open."""
    outcome: list[str] = []
    form.finished.connect(lambda _code: outcome.append("accepted"))
    form.saved_or_refused.connect(lambda: outcome.append("refused"))
    form.submit()
    if form.buttons.isEnabled():
        return  # a field's own check refused it: nothing was sent
    qtbot.waitUntil(lambda: bool(outcome), timeout=10_000)


def test_model_passes_qtmodeltester_and_fetches_lazily(qtbot: Any, qtmodeltester: Any, services: Services) -> None:
    seed_synthetic(services.ctx, 450)
    services.templates.invalidate()
    model = TemplatesTableModel(services.templates)
    model.set_query(model.query)
    assert model.rowCount() == PAGE and model.canFetchMore()
    model.fetchMore()
    assert model.rowCount() == 2 * PAGE
    qtmodeltester.check(model)  # (fetches the rest itself)
    model.fetch_all()
    assert model.rowCount() == 450 and not model.canFetchMore()
    qtmodeltester.check(model)
    assert model.data(model.index(0, 1)) == model.summary_at(0).id  # type: ignore[union-attr]


def test_search_as_you_type_is_debounced(qtbot: Any, panel: TemplatesPanel) -> None:
    assert sorted(ids(panel)) == list(templates_packages.SAMPLE_IDS)
    qtbot.keyClicks(panel.search_edit, "triv")
    assert len(ids(panel)) == 3  # not yet: debounced
    qtbot.waitUntil(lambda: ids(panel) == ["trivia-quiz"], timeout=2000)
    assert panel.summary.text().startswith("1 template")
    panel.search_edit.setText("no-such-thing-anywhere")
    qtbot.waitUntil(lambda: ids(panel) == [], timeout=2000)
    panel.search_edit.clear()
    qtbot.waitUntil(lambda: len(ids(panel)) == 3, timeout=2000)


def test_category_filter(qtbot: Any, panel: TemplatesPanel) -> None:
    box = panel.category_box
    assert [box.itemData(i) for i in range(box.count())] == ["", "games", "lifestyle", "personalization"]
    with qtbot.waitSignal(panel.loaded, timeout=5000):  # read off the GUI thread
        box.setCurrentIndex(box.findData("games"))
    assert ids(panel) == ["trivia-quiz"]
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        box.setCurrentIndex(0)
    assert len(ids(panel)) == 3


def test_detail_pane_shows_preview_manifest_and_stats(qtbot: Any, panel: TemplatesPanel) -> None:
    panel.svc.add_review("quotes-daily", 4, "ok", reviewer="ana")
    panel.refresh()
    with qtbot.waitSignal(panel.detail_loaded, timeout=5000):  # stats and reviews are read in the background
        assert panel.select_id("quotes-daily")
    assert panel.current is not None and panel.current.id == "quotes-daily"
    pix = panel.details.preview.pixmap()
    assert pix is not None and not pix.isNull()
    assert panel.details.fields["application_id"].text() == "com.trendforge.quotes"
    assert panel.details.fields["price"].text() == "1.99 USD"
    assert panel.details.fields["rating"].text().startswith("4.00")
    assert panel.reviews.reviews_table.rowCount() == 1 and panel.reviews.reviews_table.item(0, 2).text() == "ok"
    # add a review from the Reviews tab
    panel.reviews.rating_spin.setValue(2)
    panel.reviews.reviewer_edit.setText("bo")
    panel.reviews.review_text.setText("too short")
    qtbot.mouseClick(panel.reviews.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.reviews.reviews_table.rowCount() == 2
                    and panel.reviews.reviews_summary.text().startswith("Average 3.00"), timeout=5000)
    panel.reviews.reviewer_edit.setText("")
    qtbot.mouseClick(panel.reviews.review_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "reviewer name" in panel.reviews.review_error.text(), timeout=5000)  # the refusal, from the worker


def test_form_inline_validation(qtbot: Any, loaded: Services) -> None:
    saved: list[dict[str, Any]] = []
    form = TemplateForm(lambda m: saved.append(m) or loaded.templates.create(m), categories=["games"])
    qtbot.addWidget(form)
    save = form.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None
    assert form.errors["title"].text() == ""  # nothing is said before a field is touched or Save pressed
    submit(qtbot, form)
    assert form.errors["title"].text() == "a title is required" and form.result() != TemplateForm.DialogCode.Accepted
    qtbot.keyClicks(form.title_edit, "My Cool App")
    assert form.id_edit.text() == "my-cool-app" and form.app_name_edit.text() == "My Cool App"
    form.category_box.setEditText("games")
    form.app_id_edit.setText("com.example.cool")
    assert form.field_errors() == {} and form.validate()
    form.version_edit.setText("1.0")
    assert "X.Y.Z" in form.errors["version"].text() and not form.validate()
    form.version_edit.setText("1.0.0")
    form.content_edit.setPlainText("{not json")
    assert form.errors["content"].text().startswith("invalid JSON") and not form.validate()
    form.content_edit.setPlainText('{"quotes": ["hi"]}')
    form.price_edit.setText("1.999")
    assert "price" in form.field_errors()
    form.price_edit.setText("1.50")
    form.min_sdk.setValue(30)
    form.target_sdk.setValue(29)
    assert "min SDK" in form.errors["target_sdk"].text()
    form.target_sdk.setValue(33)
    form.tags_edit.setText("Fun, ok")
    assert "not a tag" in form.errors["tags"].text()
    form.tags_edit.setText("fun, ok")
    assert form.validate()
    submit(qtbot, form)
    assert form.result() == TemplateForm.DialogCode.Accepted
    info = loaded.templates.get("my-cool-app")
    assert info.price_amount == 150 and info.tags == ("fun", "ok") and info.content == {"quotes": ["hi"]}
    # a service refusal (duplicate id) is shown in the form, which stays open
    again = TemplateForm(loaded.templates.create)
    qtbot.addWidget(again)
    again.title_edit.setText("My Cool App")
    again.category_box.setEditText("games")
    again.app_id_edit.setText("com.example.cool")
    submit(qtbot, again)
    assert "already exists" in again.general_error.text() and again.result() != TemplateForm.DialogCode.Accepted


def test_new_and_edit_through_the_panel(qtbot: Any, panel: TemplatesPanel, monkeypatch: pytest.MonkeyPatch) -> None:
    def fill_new(parent: Any, form: TemplateForm) -> bool:
        form.title_edit.setText("Space Facts")
        form.category_box.setEditText("education")
        form.app_id_edit.setText("com.example.space")
        submit(qtbot, form)
        return form.result() == TemplateForm.DialogCode.Accepted

    monkeypatch.setattr(Dialogs, "edit_template", classmethod(lambda cls, p, f: fill_new(p, f)))
    with qtbot.waitSignal(panel.refreshed, timeout=10_000):  # the save's Changes re-read the rows
        info = panel.new_template()
    assert info is not None and info.id == "space-facts" and "space-facts" in ids(panel)
    assert panel.category_box.findData("education") > 0

    def edit(parent: Any, form: TemplateForm) -> bool:
        assert form.id_edit.isReadOnly() and form.title_edit.text() == "Space Facts"
        form.title_edit.setText("Space Facts Pro")
        submit(qtbot, form)
        return True

    monkeypatch.setattr(Dialogs, "edit_template", classmethod(lambda cls, p, f: edit(p, f)))
    with qtbot.waitSignal(panel.detail_loaded, timeout=10_000):  # the template is read in the background
        panel.select_id("space-facts")
    panel.edit_current()
    assert panel.svc.get("space-facts").title == "Space Facts Pro"
    assert panel.details.fields["id"].text() == "space-facts"


def test_new_from_a_base_template_makes_a_buildable_app(qtbot: Any, panel: TemplatesPanel,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def fill_new(parent: Any, form: TemplateForm) -> bool:
        assert form.base_box.itemData(0) == ""  # the runtime's blank app comes first
        form.base_box.setCurrentIndex(form.base_box.findData("trivia-quiz"))
        form.title_edit.setText("Cat Quiz")
        form.category_box.setEditText("games")
        form.app_id_edit.setText("com.indie.catquiz")
        submit(qtbot, form)
        return form.result() == TemplateForm.DialogCode.Accepted

    monkeypatch.setattr(Dialogs, "edit_template", classmethod(lambda cls, p, f: fill_new(p, f)))
    info = panel.new_template()
    assert info is not None and info.id == "cat-quiz" and info.application_id == "com.indie.catquiz"
    assert info.content == panel.svc.get("trivia-quiz").content  # the base's questions
    folder = panel.svc.package_dir("cat-quiz")
    assert (folder / "web" / "index.html").is_file() and (folder / "icon.png").is_file()
    report = panel.services.builds.check_release("cat-quiz", "apk", deploy="folder:/nowhere")
    assert report.ready, [p.line() for p in report.problems]


def test_the_detail_shows_the_release_checklist(qtbot: Any, panel: TemplatesPanel) -> None:
    with qtbot.waitSignal(panel.detail_loaded, timeout=10_000):  # the template is read in the background
        panel.select_id("quotes-daily")
    qtbot.waitUntil(lambda: panel.details.release_checklist.summary.text().startswith("Not ready"), timeout=10_000)
    lines = panel.details.release_checklist.lines()
    assert "✗  application_id: com.trendforge.quotes belongs to a base template or an example domain; give the app " \
           "its own id (e.g. com.yourname.app)" in lines
    assert "✓  Targets API 36 or more (Google Play's minimum)" in lines
    assert "✓  Store listing within Play's limits" in lines


def test_delete_with_undo_and_redo(qtbot: Any, panel: TemplatesPanel) -> None:
    with qtbot.waitSignal(panel.detail_loaded, timeout=10_000):  # the template is read in the background
        panel.select_id("wallpaper-pack")
    with qtbot.waitSignal(panel.refreshed, timeout=10_000):  # written off the GUI thread, then re-read
        qtbot.mouseClick(panel.delete_button, Qt.MouseButton.LeftButton)
    assert "wallpaper-pack" not in ids(panel)
    assert panel.svc.get("wallpaper-pack", include_deleted=True).status is TemplateStatus.DELETED
    assert panel.undo_button.isEnabled()
    with qtbot.waitSignal(panel.refreshed, timeout=10_000):
        qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    assert "wallpaper-pack" in ids(panel)
    assert panel.svc.get("wallpaper-pack").status is TemplateStatus.ACTIVE
    with qtbot.waitSignal(panel.refreshed, timeout=10_000):
        panel.undo_stack.redo()
    assert "wallpaper-pack" not in ids(panel)
    with qtbot.waitSignal(panel.refreshed, timeout=10_000):
        panel.undo_stack.undo()
    assert panel.svc.get("wallpaper-pack").status is TemplateStatus.ACTIVE


def test_archive_toggle_with_undo(qtbot: Any, panel: TemplatesPanel) -> None:
    with qtbot.waitSignal(panel.detail_loaded, timeout=10_000):  # the template is read in the background
        panel.select_id("trivia-quiz")
    with qtbot.waitSignal(panel.refreshed, timeout=10_000):
        panel.toggle_archive_current()
    assert panel.svc.get("trivia-quiz").status is TemplateStatus.ARCHIVED and "trivia-quiz" not in ids(panel)
    with qtbot.waitSignal(panel.loaded, timeout=5000):  # read off the GUI thread
        panel.archived_check.setChecked(True)
    assert "trivia-quiz" in ids(panel)
    panel.select_id("trivia-quiz")
    # its detail is read in the background; the re-read of the rows may already have chosen it, and a
    # detail read of that choice can end first
    qtbot.waitUntil(lambda: panel.archive_button.text() == "Unarchive", timeout=10_000)
    with qtbot.waitSignal(panel.refreshed, timeout=10_000):
        panel.undo_stack.undo()
    assert panel.svc.get("trivia-quiz").status is TemplateStatus.ACTIVE


def drag_enter(mime: QMimeData) -> QDragEnterEvent:
    """A drag entering at (5, 5): QPointF where this PySide6 has it (newer), QPoint otherwise."""
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:
        return QDragEnterEvent(QPointF(5, 5), *args)  # type: ignore[call-overload]
    except TypeError:
        return QDragEnterEvent(QPoint(5, 5), *args)


def _mime(paths: list[Path]) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def test_drop_several_packages_with_per_file_results(qtbot: Any, services: Services, tmp_path: Path) -> None:
    panel = TemplatesPanel(services)
    qtbot.addWidget(panel)
    opened(qtbot, panel)
    assert panel.model.rowCount() == 0
    zipped = tmp_path / "quotes.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for p in (templates_packages.SAMPLES / "quotes-daily").rglob("*"):
            if p.is_file():
                zf.write(p, f"quotes-daily/{p.relative_to(templates_packages.SAMPLES / 'quotes-daily').as_posix()}")
    evil = templates_packages.build_zip(tmp_path / "evil.zip", {"../../x.txt": b"x"})
    paths = [zipped, templates_packages.SAMPLES / "trivia-quiz", templates_packages.SAMPLES / "wallpaper-pack", evil]
    mime = _mime(paths)
    zone = panel.drop_zone
    actions = Qt.DropAction.CopyAction
    enter = drag_enter(mime)
    QApplication.sendEvent(zone, enter)
    assert enter.isAccepted() and zone.dragging
    assert "Release to import 4 items" in zone.label.text() and "solid" in zone.styleSheet()
    QApplication.sendEvent(zone, QDragLeaveEvent())
    assert not zone.dragging and "dashed" in zone.styleSheet()
    QApplication.sendEvent(zone, drag_enter(mime))
    drop = QDropEvent(QPointF(5, 5), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(panel.imports_finished, timeout=10000) as blocker:
        QApplication.sendEvent(zone, drop)
    results = blocker.args[0]
    assert [r.ok for r in results] == [True, True, True, False]
    assert "path traversal" in (results[3].error or "")
    texts = [panel.results.item(i).text() for i in range(panel.results.count())]
    assert texts[0].startswith("✔ quotes.zip: imported quotes-daily")
    assert texts[3].startswith("✖ evil.zip:") and "traversal" in texts[3]
    qtbot.waitUntil(lambda: sorted(ids(panel)) == list(templates_packages.SAMPLE_IDS), timeout=10_000)
    assert not zone.dragging


def test_drop_ignores_non_file_drags(qtbot: Any, panel: TemplatesPanel) -> None:
    mime = QMimeData()
    mime.setText("just text")
    enter = drag_enter(mime)
    QApplication.sendEvent(panel.drop_zone, enter)
    assert not enter.isAccepted() and not panel.drop_zone.dragging


def test_drop_duplicates_offers_keep_both(qtbot: Any, panel: TemplatesPanel, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[list[str]] = []
    monkeypatch.setattr(Dialogs, "ask_duplicate_policy",
                        classmethod(lambda cls, p, names: asked.append(names) or DuplicatePolicy.KEEP_BOTH))
    with qtbot.waitSignals([panel.imports_finished, panel.imports_finished], timeout=10000):
        panel.import_paths([str(templates_packages.SAMPLES / "quotes-daily")])
    assert asked == [["quotes-daily"]]
    qtbot.waitUntil(lambda: "quotes-daily-2" in ids(panel), timeout=3000)
    assert any("as quotes-daily-2" in panel.results.item(i).text() for i in range(panel.results.count()))


def test_import_dialog_and_export(qtbot: Any, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    panel = TemplatesPanel(services)
    qtbot.addWidget(panel)
    opened(qtbot, panel)
    monkeypatch.setattr(Dialogs, "ask_import_folder", classmethod(lambda cls, p: [str(templates_packages.SAMPLES / "trivia-quiz")]))
    with qtbot.waitSignal(panel.imports_finished, timeout=10000):
        panel.import_folder_dialog()
    qtbot.waitUntil(lambda: ids(panel) == ["trivia-quiz"], timeout=10_000)  # the import's Changes re-read the rows
    panel.select_id("trivia-quiz")
    qtbot.waitUntil(lambda: panel.current is not None and panel.current.id == "trivia-quiz", timeout=10_000)
    dest = tmp_path / "exported"
    monkeypatch.setattr(Dialogs, "ask_save_path", classmethod(lambda cls, *a: str(dest)))
    path = panel.export_current()
    assert path == tmp_path / "exported.zip" and zipfile.is_zipfile(path)


def test_csv_export_writes_all_matching_rows(qtbot: Any, services: Services, tmp_path: Path) -> None:
    seed_synthetic(services.ctx, 450)
    services.templates.invalidate()
    panel = TemplatesPanel(services)
    qtbot.addWidget(panel)
    opened(qtbot, panel)
    assert panel.model.rowCount() == PAGE  # only one page loaded...
    qtbot.waitUntil(lambda: panel.summary.text().startswith("450 templates — 200 loaded"), timeout=5000)
    dest = tmp_path / "all.csv"
    with qtbot.waitSignal(panel.csv_exported, timeout=10000):
        panel.export_csv(str(dest))
    rows = list(csv.DictReader(dest.open(encoding="utf-8")))
    assert len(rows) == 450  # ...but the CSV has every matching row
    assert set(rows[0]) == set(templates_panel.CSV_FIELDS)


def test_live_refresh_from_bus_events(qtbot: Any, panel: TemplatesPanel) -> None:
    panel.svc.archive("quotes-daily")  # e.g. from the CLI-side service or another panel
    qtbot.waitUntil(lambda: "quotes-daily" not in ids(panel), timeout=3000)


def test_typing_reads_off_the_gui_thread_and_drops_stale_queries(panel: TemplatesPanel, qtbot: Any) -> None:
    import threading

    threads: list[threading.Thread] = []
    real = panel.svc.find

    def spy(query: Any) -> Any:
        threads.append(threading.current_thread())
        return real(query)

    shown: list[list[str]] = []
    panel.loaded.connect(lambda: shown.append(ids(panel)))
    panel.svc.find = spy  # type: ignore[method-assign]
    try:
        for text in ("t", "tr", "triv", "trivia"):
            panel.search_edit.setText(text)
            panel.reload()  # as if each keystroke outlived the debounce
        qtbot.waitUntil(lambda: bool(shown), timeout=5000)
        qtbot.wait(200)
    finally:
        del panel.svc.find
    assert shown == [["trivia-quiz"]]  # only the last query's rows were shown
    assert threads and all(t is not threading.main_thread() for t in threads)


def test_form_errors_wait_for_a_touch_and_tab_leaves_description(qtbot: Any, loaded: Services) -> None:
    form = TemplateForm(loaded.templates.create)
    qtbot.addWidget(form)
    form.show()
    assert all(label.text() == "" for label in form.errors.values())  # a fresh form accuses nothing
    heights = {k: label.height() for k, label in form.errors.items()}
    qtbot.keyClicks(form.version_edit, "x")
    assert "X.Y.Z" in form.errors["version"].text() and form.errors["title"].text() == ""
    assert {k: label.height() for k, label in form.errors.items()} == heights  # no row jumped
    form.description_edit.setFocus()
    qtbot.keyClick(form.description_edit, Qt.Key.Key_Tab)
    assert form.focusWidget() is form.tags_edit and "\t" not in form.description_edit.toPlainText()


def test_a_row_click_reads_the_template_off_the_gui_thread(panel: TemplatesPanel, qtbot: Any) -> None:
    from tests.support.gate import Gate, background_settled

    qtbot.waitUntil(background_settled, timeout=5000)
    gate = Gate()
    panel.svc.get = gate.wrap(panel.svc.get)  # type: ignore[method-assign]
    try:
        with qtbot.waitSignal(panel.detail_loaded, timeout=10_000):
            panel.table.selectRow(panel.model.row_of("trivia-quiz"))  # the click's slot has returned: get is held
            assert gate.held.wait(5)
            gate.release()
    finally:
        gate.release()
        del panel.svc.get
    assert gate.off_gui_thread, [t.name for t in gate.threads]
    assert panel.current is not None and panel.current.id == "trivia-quiz"


def test_a_click_reads_stats_and_reviews_off_the_gui_thread_and_drops_a_superseded_one(
        panel: TemplatesPanel, qtbot: Any) -> None:
    from tests.support.gate import Gate, background_settled

    qtbot.waitUntil(background_settled, timeout=5000)
    gate = Gate()
    panel.svc.stats = gate.wrap(panel.svc.stats)  # type: ignore[method-assign]
    shown: list[str] = []
    panel.detail_loaded.connect(shown.append)
    try:
        panel.show_detail("quotes-daily")  # the template, then its figures, read in the background
        qtbot.waitUntil(gate.held.is_set, timeout=5000)  # the figures held on the worker
        assert panel.details.fields["builds"].text() == "…"  # the figures are on their way
        with qtbot.waitSignal(panel.detail_loaded, timeout=5000):
            panel.show_detail("trivia-quiz")
        gate.release()
        qtbot.waitUntil(lambda: gate.done.is_set() and background_settled(), timeout=5000)
    finally:
        gate.release()
        del panel.svc.stats
    assert shown == ["trivia-quiz"]
    assert gate.stopped, gate.first_error
    assert panel.details.fields["id"].text() == "trivia-quiz" and panel.details.fields["builds"].text() == "0"
    assert gate.off_gui_thread


def test_opening_reads_the_first_page_and_categories_off_the_gui_thread(qtbot: Any, services: Services) -> None:
    seed_synthetic(services.ctx, 450)
    svc = services.templates
    svc.invalidate()
    with sql_on_gui_thread(services.ctx.engine) as gui_sql:
        panel = TemplatesPanel(services)
        qtbot.addWidget(panel)
        panel.show()
        assert panel.model.rowCount() == 0  # shown at once, empty: the rows come from a worker
        with qtbot.waitSignal(panel.loaded, timeout=10_000):
            pass
    assert gui_sql == []
    assert panel.model.rowCount() == PAGE  # one page, not the whole store
    assert [panel.category_box.itemData(i) for i in range(1, panel.category_box.count())] == \
        [name for name, _n in svc.categories(include_archived=True)]


def test_an_item_asked_for_while_the_first_page_loads_is_selected_when_it_arrives(qtbot: Any, loaded: Services) -> None:
    panel = TemplatesPanel(loaded)
    qtbot.addWidget(panel)
    panel.select_item("trivia-quiz")
    with qtbot.waitSignal(panel.detail_loaded, timeout=10_000):
        pass
    assert panel.current is not None and panel.current.id == "trivia-quiz"
    assert panel.model.summary_at(panel.table.currentIndex().row()).id == "trivia-quiz"  # type: ignore[union-attr]


def test_the_first_rows_paint_without_parsing_the_currency_table_on_the_gui_thread(
    qtbot: Any, loaded: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    with cold_currency_reads(monkeypatch) as on_gui:
        panel = opened(qtbot, TemplatesPanel(loaded))
        qtbot.addWidget(panel)
        panel.resize(1600, 800)
        with qtbot.waitExposed(panel):
            panel.show()
        panel.table.viewport().repaint()  # the Price column (in view at this width) formats each shown price
    assert panel.model.rowCount() == 3
    assert on_gui == []


def test_the_side_pages_are_built_after_the_panel_is_shown_not_by_its_constructor(qtbot: Any, loaded: Services) -> None:
    panel = TemplatesPanel(loaded)
    qtbot.addWidget(panel)
    assert panel.pages_built == (False, False)  # the constructor builds the table and the filters only
    panel.show()
    qtbot.waitUntil(lambda: panel.pages_built[0], timeout=5000)  # Details: in a slice after the show
    assert not panel.pages_built[1]  # Reviews: its tab is not in front
    panel.tabs.setCurrentIndex(1)
    assert panel.pages_built[1]


def test_reviews_read_before_their_page_exists_are_shown_when_it_is_built(qtbot: Any, panel: TemplatesPanel) -> None:
    panel.svc.add_review("quotes-daily", 4, "Nice quotes", reviewer="ann")
    with qtbot.waitSignal(panel.detail_loaded, timeout=10_000):
        assert panel.select_id("quotes-daily")
    assert not panel.pages_built[1]
    panel.tabs.setCurrentIndex(1)
    assert panel.reviews.reviews_table.rowCount() == 1
    assert panel.reviews.reviews_table.item(0, 2).text() == "Nice quotes"
    assert panel.reviews.review_button.isEnabled()


def test_the_first_read_starts_after_the_slice_that_builds_the_panel(qtbot: Any, loaded: Services) -> None:
    before = background.pending()
    panel = TemplatesPanel(loaded)
    qtbot.addWidget(panel)
    assert background.pending() == before  # no worker beside the rest of the open (show, first layout)
    assert panel.loading  # but the read is on its way
    opened(qtbot, panel)
    assert sorted(ids(panel)) == list(templates_packages.SAMPLE_IDS)

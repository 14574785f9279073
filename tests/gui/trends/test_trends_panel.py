"""The Trends panel driven offscreen: real services on a temp dir, stand-in sources on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QColor

from services.bootstrap import Services
from tests.support.qasync_loop import next_emission, run_on
from tests.support.trends_standins import REDDIT_RATE, XML_BOMB, Reply, StandIn, reddit_listing, rss_reply, trends_rss
from ui.panels.trends.models import COL_HISTORY, COL_TAG, SERIES_ROLE, TrendsTableModel
from ui.panels.trends_panel import MakeTemplateDialog, TrendsPanel

HISTORY = {
    "Eras Tour": [1000 + 200 * i + 300 * (i % 3) for i in range(12)],
    "Friendship bracelets": [350 + 60 * i + 90 * (i % 3) for i in range(12)],
    "Retro handheld": [0] * 8 + [3, 40, 150, 420],
    "Fidget spinner": [int(5000 * 0.8**i) for i in range(12)],
}


def seed(services: Services, tmp_path: Path) -> None:
    rows = ["title,volume,rank,taken_at,category"]
    for title, values in HISTORY.items():
        rows += [f"{title},{v},1,2026-11-{10 + i:02d}T00:00:00Z,music" for i, v in enumerate(values)]
    (tmp_path / "h.csv").write_text("\n".join(rows) + "\n")
    services.trends.import_csv("reddit", tmp_path / "h.csv")


@pytest.fixture
def panel(qtbot: Any, services: Services) -> TrendsPanel:
    services.start_schedules()  # as the GUI does at start-up
    p = TrendsPanel(services)
    qtbot.addWidget(p)
    p.resize(1300, 720)
    p.show()
    return p


def rows_of(p: TrendsPanel) -> list[str]:
    return [p.model.index(r, 0).data() for r in range(p.model.rowCount())]


def test_model_passes_qtmodeltester(qtmodeltester: Any, services: Services, tmp_path: Path) -> None:
    seed(services, tmp_path)
    model = TrendsTableModel()
    model.set_rows(services.trends.list_trends(with_series=True))
    assert model.rowCount() == 4
    assert model.index(0, COL_HISTORY).data(SERIES_ROLE)
    qtmodeltester.check(model)
    model.set_rows([])
    qtmodeltester.check(model)


def test_table_filters_detail_chart_and_archive(qtbot: Any, services: Services, tmp_path: Path) -> None:
    seed(services, tmp_path)
    p = TrendsPanel(services)
    qtbot.addWidget(p)
    p.resize(1300, 720)
    p.show()
    qtbot.waitUntil(lambda: p.model.rowCount() == 4)
    assert rows_of(p)[0] == "Retro handheld"  # sorted by score: the breakout is first
    assert p.model.index(0, COL_TAG).data().startswith("breakout")
    assert not p.empty_label.isVisible()

    # the sparkline is painted: the History column of a rising row has green pixels
    qtbot.waitExposed(p.table)
    img = p.table.viewport().grab().toImage()
    rect = p.table.visualRect(p.model.index(0, COL_HISTORY))
    greens = sum(
        1
        for x in range(rect.left(), rect.right(), 2)
        for y in range(rect.top(), rect.bottom(), 2)
        if (c := QColor(img.pixel(x, y))).green() > 100 and c.red() < 120 and c.blue() < 120
    )
    assert greens > 5

    with qtbot.waitSignal(p.loaded):
        p.tag_filter.setCurrentIndex(p.tag_filter.findData("peaked"))
    assert rows_of(p) == ["Fidget spinner"]
    with qtbot.waitSignal(p.loaded):
        p.tag_filter.setCurrentIndex(0)
    with qtbot.waitSignal(p.loaded, timeout=3000):
        p.search.setText("bracelet")
    assert rows_of(p) == ["Friendship bracelets"]
    with qtbot.waitSignal(p.loaded, timeout=3000):
        p.search.setText("")

    eras = next(r for r in range(p.model.rowCount()) if p.model.index(r, 0).data() == "Eras Tour")
    with qtbot.waitSignal(p.detail_loaded, timeout=5000):
        p.table.selectRow(eras)
    assert "Eras Tour" in p.detail_title.text()
    series = p.chart.series()
    assert len(series) == 1 and series[0].count() == 12 and series[0].name() == "Reddit"
    related = [p.related_list.item(i).text() for i in range(p.related_list.count())]
    assert any(t.startswith("Friendship bracelets") for t in related)
    assert p.templates_list.item(0).text() == "(no template matches this trend)"
    assert p.make_button.isEnabled()  # the button can start trend-to-release

    with qtbot.waitSignal(p.loaded, timeout=5000):
        qtbot.mouseClick(p.archive_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Eras Tour" not in rows_of(p))
    assert [t["title"] for t in services.trends.list_trends(archived=True)] == ["Eras Tour"]
    qtbot.waitUntil(lambda: p.archive_button.text() == "Unarchive")


def test_sync_in_background_shows_results_and_failures(qtbot: Any, aloop: asyncio.AbstractEventLoop, panel: TrendsPanel,
                                                       standin: StandIn, services: Services) -> None:
    services.trends.update_settings(subreddits=["AndroidApps"])
    standin.routes["/r/AndroidApps/hot.json"] = Reply(200, reddit_listing("AndroidApps", [("Cozy farming games", 800)]), REDDIT_RATE)
    standin.routes["/trending/rss"] = rss_reply(XML_BOMB)
    notes: list[tuple[str, str]] = []
    panel.notify_requested.connect(lambda a, b: notes.append((a, b)))

    async def sync() -> None:
        finished = next_emission(panel.sync_finished)
        assert panel.start_sync()
        assert not panel.sync_button.isEnabled()  # returned at once; the GUI keeps running
        assert not panel.start_sync()  # one sync at a time
        await finished
        await services.trends.aclose()

    run_on(aloop, sync())
    qtbot.waitUntil(lambda: rows_of(panel) == ["Cozy farming games"], timeout=5000)
    assert panel.sync_button.isEnabled()
    assert "FAILED google_trends" in panel.sync_status.text() and "unsafe XML" in panel.sync_status.text()
    assert any("google_trends" in title for title, _ in notes)
    qtbot.waitUntil(lambda: panel.health_table.item(1, 1) is not None and panel.health_table.item(1, 1).text().startswith("failing"))
    assert "unsafe XML" in panel.health_table.item(1, 5).text()
    assert panel.health_table.item(0, 1).text() == "ok"


def test_sync_on_the_qasync_loop(qtbot: Any, qapp: Any, panel: TrendsPanel, standin: StandIn, services: Services) -> None:
    """In the app a sync is a task on the qasync loop with the service's long-lived client."""
    import qasync

    services.trends.update_settings(enabled_sources=["google_trends"])
    standin.routes["/trending/rss"] = rss_reply(trends_rss([("Northern lights", "100,000+")]))
    loop = qasync.QEventLoop(qapp, already_running=False)
    results: list[Any] = []
    panel.sync_finished.connect(results.append)

    async def go() -> None:
        assert panel.start_sync()
        while not results:
            await asyncio.sleep(0.02)
        await services.trends.aclose()

    try:
        loop.run_until_complete(asyncio.wait_for(go(), 15))
    finally:
        loop.close()
        # qasync's timer QObjects must die on this (their) thread, not whenever a worker thread
        # happens to run the garbage collector ("Timers cannot be stopped from another thread")
        del loop
        gc.collect()
    assert results[0].ok and results[0].outcomes[0].items == 1
    qtbot.waitUntil(lambda: rows_of(panel) == ["Northern lights"], timeout=5000)


def test_settings_are_saved_and_validated(qtbot: Any, panel: TrendsPanel, services: Services) -> None:
    panel.source_checks[next(s for s in panel.source_checks if s.value == "x")].setChecked(True)
    panel.subreddits_edit.setText("gaming, r/apps")
    panel.interval_spin.setValue(30)
    assert panel.geo_edit.text() == "US"
    panel.geo_edit.setText("de")
    panel.woeid_spin.setValue(23424829)
    with qtbot.waitSignal(panel.status_message, timeout=5000):
        panel.save_settings_button.click()
    s = services.trends.get_settings()
    assert s["geo"] == "DE" and s["woeid"] == 23424829
    assert s["enabled_sources"] == ["reddit", "google_trends", "x"] and s["subreddits"] == ["gaming", "apps"]
    assert s["interval_minutes"] == 30
    assert services.trends.scheduler is not None and services.trends.scheduler.interval_minutes == 30
    panel.subreddits_edit.setText("not a sub!")
    panel.save_settings_button.click()
    qtbot.waitUntil(lambda: "not a subreddit" in panel.settings_error.text())
    assert services.trends.get_settings()["subreddits"] == ["gaming", "apps"]


class FakeWorkflows:
    """Stands in for the workflows area (built in parallel): records start() calls."""

    name = "workflows"

    def __init__(self) -> None:
        self.started: list[tuple[str, dict[str, Any]]] = []

    def start(self, name: str, inputs: dict[str, Any]) -> str:
        self.started.append((name, inputs))
        return "run123456789abc"


def test_make_template_starts_trend_to_release(qtbot: Any, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(services, tmp_path)
    wf = FakeWorkflows()
    services.substitute(workflows=wf)  # type: ignore[arg-type]
    p = TrendsPanel(services)
    qtbot.addWidget(p)
    qtbot.waitUntil(lambda: p.model.rowCount() == 4)
    with qtbot.waitSignal(p.detail_loaded, timeout=5000):
        p.table.selectRow(0)
    assert p.make_button.isEnabled()
    monkeypatch.setattr(MakeTemplateDialog, "ask", classmethod(lambda cls, title, templates, parent=None, keys=None: {"base_template": "tpl-9", "deploy_dir": "/tmp/out"}))
    with qtbot.waitSignal(p.status_message) as sig:
        p.make_button.click()
    ((name, inputs),) = wf.started
    assert name == "trend-to-release"
    assert inputs["base_template"] == "tpl-9" and inputs["trend_id"] == p._current_id
    assert "run123456789" in sig.args[0]


def test_scheduled_sync_runs_from_the_service_timer(qtbot: Any, qapp: Any, panel: TrendsPanel, standin: StandIn, services: Services) -> None:
    """The schedule belongs to the service (started with the GUI's schedules), runs on the asyncio loop,
    skips sources in backoff, and the panel shows its result."""
    import qasync

    scheduler = services.trends.scheduler
    assert scheduler is not None and scheduler.active and scheduler.interval_minutes == 60  # the default
    services.trends.update_settings(enabled_sources=["google_trends"])
    standin.routes["/trending/rss"] = rss_reply(trends_rss([("Meteor shower", "20,000+")]))
    results: list[Any] = []
    scheduler.ran.connect(results.append)
    loop = qasync.QEventLoop(qapp, already_running=False)

    async def go() -> None:
        scheduler.start(0.0005)  # about 30 ms
        while not results:
            await asyncio.sleep(0.02)
        scheduler.stop()
        await services.trends.aclose()

    try:
        loop.run_until_complete(asyncio.wait_for(go(), 15))
    finally:
        loop.close()
        del loop
        gc.collect()
    assert results[0].ok and [o.source for o in results[0].outcomes] == ["google_trends"]
    qtbot.waitUntil(lambda: rows_of(panel) == ["Meteor shower"], timeout=5000)
    assert "Synced" in panel.sync_status.text()


class FakeWorkflowsWithoutTrendId(FakeWorkflows):
    """A workflows service whose trend-to-release has no trend_id input (as first drafted)."""

    class _Input:
        def __init__(self, name: str) -> None:
            self.name = name

    class _Def:
        def __init__(self, names: list[str]) -> None:
            self.inputs = [FakeWorkflowsWithoutTrendId._Input(n) for n in names]

    def get_definition(self, name: str) -> Any:
        return self._Def(["base_template", "deploy_dir", "version", "key_alias", "min_score"])


def test_make_template_adapts_to_a_workflow_without_trend_id(qtbot: Any, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(services, tmp_path)
    wf = FakeWorkflowsWithoutTrendId()
    services.substitute(workflows=wf)  # type: ignore[arg-type]
    p = TrendsPanel(services)
    qtbot.addWidget(p)
    qtbot.waitUntil(lambda: p.model.rowCount() == 4)
    with qtbot.waitSignal(p.detail_loaded, timeout=5000):
        p.table.selectRow(0)
    monkeypatch.setattr(MakeTemplateDialog, "ask", classmethod(lambda cls, title, templates, parent=None, keys=None: {"base_template": "tpl-9", "deploy_dir": "/tmp/out"}))
    with qtbot.waitSignal(p.status_message) as sig:
        p.make_button.click()
    ((_name, inputs),) = wf.started
    assert "trend_id" not in inputs and inputs["min_score"] == p._current["score"]
    assert "picks the best emerging trend" in sig.args[0]


def test_sync_one_source_from_the_health_table(qtbot: Any, aloop: asyncio.AbstractEventLoop, panel: TrendsPanel, standin: StandIn, services: Services) -> None:
    standin.routes["/creative_radar_api/v1/popular_trend/hashtag/list"] = Reply(200, b'{"code": 0, "data": {"list": [{"hashtag_name": "cozygames", "video_views": 5000, "rank": 1}]}}')
    qtbot.waitUntil(lambda: panel.health_table.rowCount() == 4)
    row = next(r for r in range(4) if panel.health_table.item(r, 0).data(Qt.ItemDataRole.UserRole) == "tiktok")
    assert panel.health_table.item(row, 1).text() == "off"  # opt-in: off by default
    panel.health_table.setCurrentCell(-1, -1)
    panel.sync_source_button.click()  # nothing selected: says what to do instead of doing nothing
    assert "Select a source" in panel.sync_status.text() and not standin.requests

    async def sync_selected() -> Any:
        finished = next_emission(panel.sync_finished)
        panel.health_table.selectRow(row)
        panel.sync_source_button.click()
        [result] = await finished
        await services.trends.aclose()
        return result

    run_on(aloop, sync_selected())  # an off source is not tried: the panel says it is disabled
    assert "tiktok is disabled" in panel.sync_status.text()
    assert not standin.requests
    services.trends.update_settings(enabled_sources=["reddit", "google_trends", "tiktok"])
    report = run_on(aloop, sync_selected())
    assert [o.source for o in report.outcomes] == ["tiktok"] and report.ok
    qtbot.waitUntil(lambda: rows_of(panel) == ["#cozygames"], timeout=5000)
    assert {r.path for r in standin.requests} == {"/creative_radar_api/v1/popular_trend/hashtag/list"}


def test_history_chart_ticks_on_round_numbers(qtbot: Any, services: Services, tmp_path: Path) -> None:
    from PySide6.QtCharts import QValueAxis

    (tmp_path / "p.csv").write_text("title,volume,rank,taken_at\nAI pets,1000,1,2026-11-20T10:00:00Z\n"
                                    "AI pets,1500,1,2026-11-21T10:00:00Z\n")
    services.trends.import_csv("csv", tmp_path / "p.csv")
    p = TrendsPanel(services)
    qtbot.addWidget(p)
    p.show()
    qtbot.waitUntil(lambda: p.model.rowCount() == 1)
    with qtbot.waitSignal(p.detail_loaded, timeout=5000):
        p.table.selectRow(0)
    (y,) = [a for a in p.chart.axes() if isinstance(a, QValueAxis)]
    step = (y.max() - y.min()) / (y.tickCount() - 1)
    assert step == int(step) and y.max() >= 1500, (y.min(), y.max(), y.tickCount())  # not 0, 413, 825, 1238, 1650


def _ids_by_title(p: TrendsPanel) -> dict[str, str]:
    from ui.panels.trends.models import ID_ROLE

    return {p.model.index(r, 0).data(): p.model.index(r, 0).data(ID_ROLE) for r in range(p.model.rowCount())}


def test_a_click_loads_the_detail_off_the_gui_thread_and_drops_a_superseded_one(
        qtbot: Any, panel: TrendsPanel, services: Services, tmp_path: Path) -> None:
    from tests.support.gate import Gate, background_settled

    seed(services, tmp_path)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4)
    ids = _ids_by_title(panel)
    gate = Gate()
    panel.svc.related = gate.wrap(panel.svc.related)  # type: ignore[method-assign]
    shown: list[str] = []
    panel.detail_loaded.connect(shown.append)
    try:
        panel.show_trend(ids["Eras Tour"])  # held on the worker: the slot has returned already
        assert gate.held.wait(5)
        with qtbot.waitSignal(panel.detail_loaded, timeout=5000):
            panel.show_trend(ids["Fidget spinner"])
        gate.release()
        qtbot.waitUntil(lambda: gate.done.is_set() and background_settled(), timeout=5000)
    finally:
        gate.release()
        del panel.svc.related
    assert shown == [ids["Fidget spinner"]]  # the held click's result was dropped...
    assert gate.stopped, gate.first_error  # ...and its SQL stopped
    assert "Fidget spinner" in panel.detail_title.text()
    assert gate.off_gui_thread


def test_typing_in_search_drops_the_superseded_list(qtbot: Any, panel: TrendsPanel, services: Services,
                                                    tmp_path: Path) -> None:
    from tests.support.gate import Gate, background_settled

    seed(services, tmp_path)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 4)
    qtbot.waitUntil(background_settled, timeout=5000)
    gate = Gate()
    panel.svc.list_trends = gate.wrap(panel.svc.list_trends)  # type: ignore[method-assign]
    loads: list[list[str]] = []
    panel.loaded.connect(lambda: loads.append(rows_of(panel)))
    try:
        blocker = QSignalBlocker(panel.search)  # the test drives refresh() itself, not the debounce timer
        panel.search.setText("fidget")
        panel.refresh()  # held on the worker: the slot has returned already
        assert gate.held.wait(5)
        with qtbot.waitSignal(panel.loaded, timeout=5000):
            panel.search.setText("eras")
            panel.refresh()
        blocker.unblock()
        gate.release()
        qtbot.waitUntil(lambda: gate.done.is_set() and background_settled(), timeout=5000)
    finally:
        gate.release()
        del panel.svc.list_trends
    assert loads == [["Eras Tour"]]
    assert gate.stopped, gate.first_error  # ...and its SQL stopped
    assert gate.off_gui_thread

"""The Payments panel on a real ledger: model checks, filters, detail, refund, sync, charts, CSV."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from app.payments.model import TxnStatus
from app.remedies import SetCredential
from tests.support import payments_standins as st
from tests.support.currency_table import cold_currency_reads
from tests.support.gui_thread_sql import sql_on_gui_thread
from tests.support.hostile import FORMULAS
from tests.support.panel_open import opened
from ui import background
from ui.panels.payments.dialogs import ExportDialog, RefundDialog
from ui.panels.payments_panel import SYNCING_HINT, PaymentsPanel


@pytest.fixture
def panel(qtbot: Any, filled: Any) -> PaymentsPanel:
    widget = PaymentsPanel(filled)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    qtbot.waitUntil(lambda: not widget.loading, timeout=5000)  # the first page is read off the GUI thread
    return widget


def _reload(qtbot: Any, panel: PaymentsPanel) -> None:
    with qtbot.waitSignal(panel.loaded, timeout=5000):
        panel.reload()


def _row_of(panel: PaymentsPanel, provider_id: str) -> int:
    return next(i for i, t in enumerate(panel.model.rows()) if t.provider_id == provider_id)


def test_model_passes_qt_model_tester_and_shows_the_ledger(panel: PaymentsPanel, qtmodeltester: Any) -> None:
    qtmodeltester.check(panel.model)
    assert panel.model.rowCount() == 14
    assert "14 transactions" in panel.totals.text()
    assert "net" in panel.totals.text()
    row = _row_of(panel, "stripe-1")
    assert panel.model.index(row, 3).data() == "6.00 USD"
    assert panel.model.index(row, 5).data() == "5.70 USD"  # net of the fee


def test_filters_narrow_the_table(panel: PaymentsPanel, qtbot: Any) -> None:
    panel.provider_box.setCurrentIndex(panel.provider_box.findData("gumroad"))
    _reload(qtbot, panel)
    assert {t.provider.value for t in panel.model.rows()} == {"gumroad"} and panel.model.rowCount() == 4
    panel.clear_filters()
    panel.status_box.setCurrentIndex(panel.status_box.findData("__failed__"))
    _reload(qtbot, panel)
    assert [t.provider_id for t in panel.model.rows()] == ["pi_declined"]
    panel.clear_filters()
    panel.currency_edit.setText("eur")
    panel.template_edit.setText("tpl-0")
    qtbot.waitUntil(lambda: 0 < panel.model.rowCount() < 14 and not panel.loading, timeout=3000)  # the debounced reload
    assert all(t.currency == "EUR" and t.template_id == "tpl-0" for t in panel.model.rows())
    panel.clear_filters()
    from PySide6.QtCore import QDate

    panel.since_check.setChecked(True)
    panel.since_edit.setDate(QDate(2026, 10, 10))
    panel.until_check.setChecked(True)
    panel.until_edit.setDate(QDate(2026, 10, 15))
    _reload(qtbot, panel)
    days = sorted(t.created_at.date().isoformat() for t in panel.model.rows() if t.created_at)
    assert days == ["2026-10-11", "2026-10-13", "2026-10-15"]  # both ends inclusive


def test_detail_and_refund_with_confirmation(panel: PaymentsPanel, qtbot: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    row = _row_of(panel, "kofi-11")
    panel.select_row(row)
    assert "kofi-11" in panel.detail.toPlainText()
    assert panel.refund_button.isEnabled() and not panel.retry_button.isEnabled()

    monkeypatch.setattr(RefundDialog, "ask", classmethod(lambda cls, parent, txn: None))
    panel.refund_selected()
    assert panel.svc.get(panel.model.rows()[row].id).refunded_amount == 0  # cancelled: nothing happened

    asked: list[Any] = []

    def ask(cls: Any, parent: Any, txn: Any) -> str:
        asked.append(txn)
        return "2.00"

    monkeypatch.setattr(RefundDialog, "ask", classmethod(ask))
    notes: list[tuple[str, str]] = []
    panel.notify_requested.connect(lambda a, b: notes.append((a, b)))
    with qtbot.waitSignal(panel.refund_finished, timeout=10000):
        panel.refund_selected()
    assert asked and asked[0].provider_id == "kofi-11"
    t = next(x for x in panel.model.rows() if x.provider_id == "kofi-11")
    assert t.refunded_amount == 200 and t.status is TxnStatus.PARTIALLY_REFUNDED
    assert notes and "Ko-fi" in notes[0][1]
    with qtbot.waitSignal(panel.detail_loaded, timeout=5000):
        panel.select_row(_row_of(panel, "kofi-11"))
    assert "refunds:" in panel.detail.toPlainText()

    monkeypatch.setattr(RefundDialog, "ask", classmethod(lambda cls, parent, txn: "999.00"))
    with qtbot.waitSignal(panel.refund_finished, timeout=10000):
        panel.refund_selected()
    assert "only" in panel.totals.text()  # the rule's message, shown; nothing written


def test_a_click_reads_the_refunds_off_the_gui_thread(panel: PaymentsPanel, qtbot: Any) -> None:
    txn = panel.model.rows()[_row_of(panel, "kofi-11")]
    panel.svc.refund(txn.id, "2.00")
    _reload(qtbot, panel)
    with sql_on_gui_thread(panel.services.ctx.engine) as gui_sql, qtbot.waitSignal(panel.detail_loaded, timeout=5000):
        panel.select_row(_row_of(panel, "kofi-11"))
        assert "kofi-11" in panel.detail.toPlainText()  # the row's own fields at once, from the model
    assert gui_sql == []
    assert "refunds:" in panel.detail.toPlainText()


def test_charts_show_revenue(panel: PaymentsPanel) -> None:
    panel.side.setCurrentWidget(panel.charts_page)
    assert panel.revenue_chart is not None and panel.provider_chart is not None
    assert panel.revenue_chart.points >= 10
    assert set(panel.provider_chart.categories) == {"gumroad", "kofi", "stripe"}


def test_reloads_behind_the_detail_tab_make_and_draw_no_charts(panel: PaymentsPanel, qtbot: Any) -> None:
    _reload(qtbot, panel)
    assert panel.revenue_chart is None and panel.provider_chart is None  # the Detail tab is in front
    panel.side.setCurrentWidget(panel.charts_page)
    assert panel.revenue_chart is not None and panel.revenue_chart.points >= 10  # the latest figures, drawn now
    drawn = panel.revenue_chart.chart()
    panel.side.setCurrentWidget(panel.detail)
    _reload(qtbot, panel)
    assert panel.revenue_chart.chart() is drawn  # not redrawn while hidden


def test_a_redraw_deletes_the_chart_it_replaces(qtbot: Any) -> None:
    import shiboken6

    from app.payments.model import SummaryRow
    from ui.panels.payments.charts import RevenueChart

    view = RevenueChart()
    qtbot.addWidget(view)
    rows = [SummaryRow(key="2026-11-01", currency="USD", count=1, gross=500, fees=0, refunds=0)]
    view.show_rows(rows, "USD")
    replaced = view.chart()
    view.show_rows(rows, "USD")
    qtbot.waitUntil(lambda: not shiboken6.isValid(replaced), timeout=2000)  # QChartView.setChart only releases it


def test_csv_export(panel: PaymentsPanel, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "export.csv"
    monkeypatch.setattr(ExportDialog, "ask_path", classmethod(lambda cls, parent: str(out)))
    panel.provider_box.setCurrentIndex(panel.provider_box.findData("stripe"))
    _reload(qtbot, panel)
    panel.export_csv()
    qtbot.waitUntil(out.exists, timeout=5000)
    qtbot.waitUntil(lambda: "exported" in panel.totals.text(), timeout=5000)
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 7 and {r["provider"] for r in rows} == {"stripe"}
    assert {r["amount"] for r in rows} >= {"600", "999"}


def test_a_failed_csv_export_leaves_the_earlier_file_whole(panel: PaymentsPanel, qtbot: Any, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    out = exports / "export.csv"
    out.write_text("an earlier export\n")
    monkeypatch.setattr(ExportDialog, "ask_path", classmethod(lambda cls, parent: str(out)))
    import ui.panels.payments_panel as module

    def fails_midway(fh: Any, header: Any, rows: Any) -> int:
        fh.write("half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module, "write_csv", fails_midway)
    panel.export_csv()
    qtbot.waitUntil(lambda: "No space left" in panel.totals.text(), timeout=5000)
    assert out.read_text() == "an earlier export\n"
    assert [p.name for p in exports.iterdir()] == ["export.csv"]  # no temp file left


def test_sync_button_runs_off_the_gui_thread_with_progress(qtbot: Any, services: Any, secrets: Any,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    state = st.ItchState()
    state.games = [{"id": 1, "title": "Neon", "url": "u", "min_price": 100, "earnings": []}]
    state.purchases = {"1": [{"id": 900 + i, "game_id": 1, "created_at": f"2026-10-0{i + 1}T10:00:00Z",
                              "price": 100, "currency": "USD"} for i in range(7)]}
    secrets.set("provider:itch", state.key)
    with st.ItchServer(state) as server:
        monkeypatch.setenv("TRENDFORGE_ITCH_BASE_URL", server.url + "/api/1")
        panel = PaymentsPanel(services)
        qtbot.addWidget(panel)
        progress: list[tuple[str, int]] = []
        panel.sync_progress.connect(lambda p, n: progress.append((p, n)))
        with qtbot.waitSignal(panel.sync_finished, timeout=20000):
            panel.sync_button.click()
            assert not panel.sync_button.isEnabled()  # returned at once: the GUI thread is free
        assert panel.model.rowCount() == 7
        assert progress and progress[-1][0] == "itch"
        assert "+7 new" in panel.progress_label.text()
        assert panel.sync_button.isEnabled()


def test_an_empty_ledger_says_it_is_syncing_while_the_first_sync_runs(qtbot: Any, services: Any, secrets: Any,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Not "No transactions yet ... press Sync now" beside a running sync; the rows replace the hint once it ends."""
    state = st.ItchState()
    state.games = [{"id": 1, "title": "Neon", "url": "u", "min_price": 100, "earnings": []}]
    state.purchases = {"1": [{"id": 950 + i, "game_id": 1, "created_at": f"2026-10-0{i + 1}T10:00:00Z",
                              "price": 100, "currency": "USD"} for i in range(3)]}
    secrets.set("provider:itch", state.key)
    with st.ItchServer(state) as server:
        monkeypatch.setenv("TRENDFORGE_ITCH_BASE_URL", server.url + "/api/1")
        panel = opened(qtbot, PaymentsPanel(services))
        qtbot.addWidget(panel)
        assert panel.totals.text().startswith("No transactions yet")
        with qtbot.waitSignal(panel.sync_finished, timeout=20000):
            panel.sync_button.click()
            assert panel.totals.text() == SYNCING_HINT
        assert panel.model.rowCount() == 3
        assert panel.totals.text().startswith("3 transactions") or "transactions shown" in panel.totals.text()


def test_sync_without_credentials_says_what_to_do(panel: PaymentsPanel, qtbot: Any) -> None:
    offered: list[object] = []
    panel.remedy_offered.connect(offered.append)
    with qtbot.waitSignal(panel.sync_finished, timeout=10000):
        panel.start_sync()
    assert "no provider credentials stored" in panel.progress_label.text()
    assert offered == [SetCredential("stripe")]  # the window offers it as a button
    # the long message wraps: it does not make the panel (and the window) wider than the screen
    assert panel.progress_label.minimumSizeHint().width() < 400, panel.progress_label.minimumSizeHint()


def test_screenshot(panel: PaymentsPanel, qtbot: Any) -> None:
    panel.select_row(0)
    img = panel.grab()
    assert img.width() > 800
    img.save("/tmp/payments.png")
    panel.side.setCurrentIndex(1)
    panel.grab().save("/tmp/payments_charts.png")


def test_sync_on_the_qasync_loop_keeps_the_gui_responsive(qtbot: Any, qapp: Any, services: Any, secrets: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's path: a qasync loop runs the sync as a task on the GUI thread's loop (one long-lived
    httpx client); page writes go to a worker thread; Qt timers keep firing meanwhile."""
    import asyncio
    import gc

    import qasync
    from PySide6.QtCore import QTimer

    state = st.ItchState()
    state.per_page = 3
    state.games = [{"id": 1, "title": "Neon", "url": "u", "min_price": 100, "earnings": []}]
    state.purchases = {"1": [{"id": 700 + i, "game_id": 1, "created_at": f"2026-10-{i % 28 + 1:02d}T10:00:00Z",
                              "price": 100 + i, "currency": "USD"} for i in range(40)]}
    secrets.set("provider:itch", state.key)
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    try:
        with st.ItchServer(state) as server:
            monkeypatch.setenv("TRENDFORGE_ITCH_BASE_URL", server.url + "/api/1")
            panel = PaymentsPanel(services)
            qtbot.addWidget(panel)
            ticks: list[int] = []
            timer = QTimer(interval=5)
            timer.timeout.connect(lambda: ticks.append(1))
            timer.start()
            done: list[Any] = []
            panel.sync_finished.connect(done.append)

            async def drive() -> None:
                panel.start_sync()  # inside the running loop: the asyncio path
                assert not panel.sync_button.isEnabled()
                while not done:
                    await asyncio.sleep(0.01)

            loop.run_until_complete(asyncio.wait_for(drive(), 30))
            timer.stop()
            assert isinstance(done[0], list) and done[0][0].added == 40
            assert panel.model.rowCount() == 40
            assert len(ticks) >= 3  # the GUI thread kept serving its timers during the sync
            assert not services.payments.http._clients  # the sync's client ended with its own loop, on a worker
    finally:
        asyncio.set_event_loop(None)
        loop.close()
        del loop  # its Qt objects die here, on their own thread: a later collection on a worker thread
        gc.collect()  # destroying them there crashed the GUI thread's event processing (SIGSEGV in teardown)


def test_chart_value_axes_tick_on_round_numbers(qtbot: Any) -> None:
    """Integer-formatted tick labels must be the tick values: no 0, 2, 4, 7, 9 on a 0-8.8 axis."""
    from PySide6.QtCharts import QValueAxis

    from app.payments.model import SummaryRow
    from ui.panels.payments.charts import ProviderChart, RevenueChart

    rows = [SummaryRow(key="2026-10-01", currency="USD", count=1, gross=500, fees=0, refunds=500),
            SummaryRow(key="2026-11-01", currency="USD", count=2, gross=800, fees=0, refunds=0)]
    by_provider = [SummaryRow(key="kofi", currency="USD", count=3, gross=1300, fees=0, refunds=500)]
    revenue, providers = RevenueChart(), ProviderChart()
    qtbot.addWidget(revenue)
    qtbot.addWidget(providers)
    revenue.show_rows(rows, "USD")
    providers.show_rows(by_provider, "USD")
    for view in (revenue, providers):
        (y,) = [a for a in view.chart().axes() if isinstance(a, QValueAxis)]
        step = (y.max() - y.min()) / (y.tickCount() - 1)
        assert step == int(step), (y.min(), y.max(), y.tickCount())


def test_empty_charts_say_so_and_have_no_axes_to_misread(qtbot: Any) -> None:
    from ui.panels.payments.charts import EMPTY_PROVIDERS, EMPTY_REVENUE, ProviderChart, RevenueChart

    revenue, providers = RevenueChart(), ProviderChart()
    for view in (revenue, providers):
        qtbot.addWidget(view)
    revenue.show_rows([], None)
    providers.show_rows([], None)
    assert revenue.chart().title() == EMPTY_REVENUE and providers.chart().title() == EMPTY_PROVIDERS
    # used to draw a date axis at 1970-01-01 and a value axis labelled 1, 1, 1, 0, 0, 0
    assert revenue.chart().axes() == [] and providers.chart().axes() == []


def test_small_amounts_get_distinct_whole_number_ticks(qtbot: Any) -> None:
    from PySide6.QtCharts import QValueAxis

    from app.payments.model import SummaryRow
    from ui.panels.payments.charts import RevenueChart

    view = RevenueChart()
    qtbot.addWidget(view)
    view.show_rows([SummaryRow(key="2026-11-01", currency="USD", count=1, gross=50, fees=0, refunds=0)], "USD")
    (y,) = [a for a in view.chart().axes() if isinstance(a, QValueAxis)]
    ticks = [y.min() + i * (y.max() - y.min()) / (y.tickCount() - 1) for i in range(y.tickCount())]
    labels = [f"{t:.0f}" for t in ticks]
    assert len(set(labels)) == len(labels) and all(t == int(t) for t in ticks), labels


def test_refund_dialog_checks_the_amount_before_it_closes(panel: PaymentsPanel, qtbot: Any) -> None:
    t = next(x for x in panel.model.rows() if x.provider_id == "kofi-11")
    dlg = RefundDialog(t)
    qtbot.addWidget(dlg)
    remaining = t.amount - t.refunded_amount
    assert dlg.ok_button.isEnabled() and dlg.error.text() == ""  # prefilled with what is left
    for text, message in (("", "enter the amount"), ("abc", "not an amount"), ("0", "must be positive"),
                          (f"{remaining / 100 + 1:.2f}", "left to refund")):
        dlg.amount.setText(text)
        assert not dlg.ok_button.isEnabled() and message in dlg.error.text(), text
        dlg.accept()  # Enter in the field
        assert dlg.result() != dlg.DialogCode.Accepted  # an emptied field never means "refund everything"
    dlg.amount.setText("1.00")
    assert dlg.ok_button.isEnabled() and dlg.error.text() == ""


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_export_neutralises_formula_cells(qtbot: Any, services: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              formula: str) -> None:
    from datetime import UTC, datetime

    from app.payments.model import Provider
    from services.payments.ledger import Ledger
    from services.payments.providers.base import RemoteTxn

    now = datetime(2026, 10, 1, 12, tzinfo=UTC)
    with services.ctx.new_uow() as uow:
        ledger = Ledger(uow.session, now)
        ledger.upsert_txns([RemoteTxn(provider=Provider.KOFI, provider_id=formula, status=TxnStatus.SUCCEEDED, amount=300,
                                      currency="USD", created_at=now, description=formula, template_id=formula)])
        ledger.flush_totals()
        uow.commit()
    panel = PaymentsPanel(services)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: not panel.loading, timeout=5000)
    out = tmp_path / "export.csv"
    monkeypatch.setattr(ExportDialog, "ask_path", classmethod(lambda cls, parent: str(out)))
    panel.export_csv()
    qtbot.waitUntil(lambda: "exported" in panel.totals.text(), timeout=5000)
    (row,) = csv.DictReader(out.open(newline=""))
    assert row["description"] == row["provider_id"] == row["template_id"] == "'" + formula
    assert row["amount"] == "300"


def test_reading_happens_off_the_gui_thread(panel: PaymentsPanel, qtbot: Any) -> None:
    import threading

    threads: list[threading.Thread] = []
    real = panel.svc.list_transactions

    def spy(f: Any) -> Any:
        threads.append(threading.current_thread())
        return real(f)

    panel.svc.list_transactions = spy  # type: ignore[method-assign]
    try:
        _reload(qtbot, panel)
    finally:
        del panel.svc.list_transactions
    assert threads and threads[0] is not threading.main_thread()


def test_typing_supersedes_the_query_before(panel: PaymentsPanel, qtbot: Any) -> None:
    shown: list[list[str]] = []
    panel.loaded.connect(lambda: shown.append([t.provider_id or "" for t in panel.model.rows()]))
    for text in ("k", "ko", "kofi", "kofi-11"):
        panel.search_edit.setText(text)
        panel.reload()  # as if each keystroke outlived the debounce
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    qtbot.wait(200)
    assert shown == [["kofi-11"]]  # only the last query's rows were ever shown


def test_the_first_rows_paint_without_parsing_the_currency_table_on_the_gui_thread(
    qtbot: Any, filled: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with cold_currency_reads(monkeypatch) as on_gui:
        panel = PaymentsPanel(filled)
        qtbot.addWidget(panel)
        panel.resize(1200, 700)
        with qtbot.waitExposed(panel):
            panel.show()
        opened(qtbot, panel)
        panel.table.viewport().repaint()  # the amount columns format each shown amount
    assert panel.model.rowCount() == 14
    assert on_gui == []


def test_the_first_read_starts_after_the_slice_that_builds_the_panel(qtbot: Any, filled: Any) -> None:
    before = background.pending()
    panel = PaymentsPanel(filled)
    qtbot.addWidget(panel)
    assert background.pending() == before  # no worker beside the rest of the open (show, first layout)
    assert panel.loading  # but the read is on its way
    opened(qtbot, panel)
    assert panel.model.rowCount() == 14

"""The Payments panel: one ledger across providers, with filters, detail, refund, sync, charts, CSV."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.currency import iso_codes
from app.events import Event
from app.home.model import Area, ItemRef
from app.payments.charging import StripeMode
from app.payments.model import (
    FAILED_STATUSES,
    ImportReport,
    Provider,
    RefundResult,
    SummaryRow,
    SyncReport,
    Transaction,
    TxnStatus,
)
from app.payments.money import format_minor
from app.spreadsheet import write_csv
from services.files import write_text_atomically
from services.payments.ledger import TxnFilter
from services.payments.service import PaymentDeclinedError, PaymentsService
from ui.background import LatestQuery, run_in_background
from ui.colors import Tone, tone_span
from ui.operations import ChangeArea, Changes, operation_hub, run_write
from ui.panels.payments.charge_dialog import ChargeDialog, ChargeOrder
from ui.panels.payments.charts import ProviderChart, RevenueChart
from ui.panels.payments.dialogs import ExportDialog, KofiImportDialog, RefundDialog
from ui.panels.payments.link_dialog import LinkProductDialog, ProductLink
from ui.panels.payments.model import PaymentsTableModel
from ui.remedies import remedy_of
from ui.widgets.fitted_columns import fit_columns
from ui.widgets.plain_text import escape

if TYPE_CHECKING:
    from services.bootstrap import Services

LIMIT = 1000
CSV_FIELDS = ["id", "provider", "provider_id", "status", "amount", "currency", "fee", "refunded_amount", "net",
              "template_id", "description", "created_at"]


def _qdate_to_dt(value: QDate) -> datetime:
    return datetime(value.year(), value.month(), value.day(), tzinfo=UTC)


class PaymentsPanel(QWidget):
    status_message = Signal(str)
    remedy_offered = Signal(object)  # Remedy: what to do about the error just shown
    notify_requested = Signal(str, str)
    open_requested = Signal(object)  # ItemRef: the window shows it in its panel
    sync_progress = Signal(str, int)
    sync_finished = Signal(object)
    refund_finished = Signal(object)
    charge_finished = Signal(object)  # the Transaction charged (or declined), or the error
    link_finished = Signal(object)  # how many recorded sales moved, the error, or None when cancelled
    loaded = Signal()  # the table and totals show the current filter
    detail_loaded = Signal()  # the detail shows the selected transaction's refunds (read off the GUI thread)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.svc: PaymentsService = services.payments
        self.model = PaymentsTableModel(self)
        self._syncing = False
        self._reads = LatestQuery(self)
        self._detail_reads = LatestQuery(self)  # a newer click drops the refunds read of the one before
        self._after_load: list[Callable[[], None]] = []
        self._select_after_load: str | None = None
        self._after_changes: list[Callable[[], None]] = []  # run once the latest write's rows are shown

        # filters
        self.provider_box = QComboBox()
        self.provider_box.addItem("All providers", None)
        for p in Provider:
            self.provider_box.addItem(p.value, p.value)
        self.status_box = QComboBox()
        self.status_box.addItem("Any status", None)
        self.status_box.addItem("failed / needs action", "__failed__")
        for s in TxnStatus:
            self.status_box.addItem(s.value.replace("_", " "), s.value)
        self.template_edit = QLineEdit(placeholderText="template id")
        self.currency_edit = QLineEdit(placeholderText="currency")
        self.currency_edit.setMaxLength(3)
        self.currency_edit.setFixedWidth(80)
        self.search_edit = QLineEdit(placeholderText="search id / description…")
        self.search_edit.setClearButtonEnabled(True)
        self.since_check = QCheckBox("From")
        self.since_edit = QDateEdit(QDate.currentDate().addDays(-30))
        self.until_check = QCheckBox("To")
        self.until_edit = QDateEdit(QDate.currentDate())
        for edit in (self.since_edit, self.until_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.clear_button = QPushButton("Clear filters")

        row1 = QHBoxLayout()
        filters1: tuple[QWidget, ...] = (self.provider_box, self.status_box, self.template_edit, self.currency_edit,
                                         self.search_edit)
        for w in filters1:
            row1.addWidget(w)
        row2 = QHBoxLayout()
        filters2: tuple[QWidget, ...] = (self.since_check, self.since_edit, self.until_check, self.until_edit)
        for w in filters2:
            row2.addWidget(w)
        row2.addWidget(self.clear_button)
        row2.addStretch(1)

        # actions
        self.sync_button = QPushButton("&Sync now")
        self.sync_button.setToolTip("Pull new sales, refunds and fees from every provider with a stored credential")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(120)
        self.progress.setVisible(False)
        self.progress_label = QLabel("")
        self.progress_label.setTextFormat(Qt.TextFormat.RichText)  # our colour markup; foreign text is escaped
        self.progress_label.setWordWrap(True)  # a long sync error wraps instead of widening the window off screen
        self.charge_button = QPushButton("&Charge…")
        self.charge_button.setToolTip("Charge a payment method through Stripe (you confirm the exact amount first)")
        self.refund_button = QPushButton("R&efund…")
        self.retry_button = QPushButton("Retr&y charge")
        self.export_button = QPushButton("E&xport CSV…")
        self.template_button = QPushButton("Open &template")
        self.template_button.setToolTip("Show the template this payment is for")
        self.template_button.clicked.connect(self._on_template_button_clicked)
        self.link_button = QPushButton("&Link product…")
        self.link_button.setToolTip("Tie a provider's product to a template, so its sales count for that template")
        self.link_button.clicked.connect(self.start_link)
        self.import_button = QPushButton("&Import Ko-fi CSV…")
        self.import_button.setToolTip("Add the sales of a Ko-fi CSV export to the ledger (rows already there are kept once)")
        # the ledger's actions on top; the selected transaction's beside the date filters, right above the table
        actions = QHBoxLayout()
        ledger_actions: tuple[QWidget, ...] = (self.sync_button, self.charge_button, self.link_button,
                                               self.import_button, self.export_button, self.progress)
        for w in ledger_actions:
            actions.addWidget(w)
        actions.addWidget(self.progress_label, 1)  # takes the free width, so a message wraps only when it must
        selection_actions: tuple[QWidget, ...] = (self.template_button, self.refund_button, self.retry_button)
        for w in selection_actions:
            row2.addWidget(w)

        # table + side
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        # every column stays in view, down to the minimum window (whether a payment was refunded must not
        # need a sideways scroll): the ids give way first, the date and the amounts last
        fit_columns(self.table, (140, 70, 120, 100, 90, 90, 100, 150, 100), minimum=(126, 56, 72, 74, 66, 74, 36, 36, 36))

        self.detail = QPlainTextEdit(readOnly=True)
        self.detail.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.detail.setPlaceholderText("Select a transaction to see its details and refunds.")
        # the charts are made when their tab is first shown and drawn only while it is in front: a
        # QtCharts scene costs ~150 ms to set up, and redrawing both on every keystroke's reload stalled typing
        self.revenue_chart: RevenueChart | None = None
        self.provider_chart: ProviderChart | None = None
        self._chart_rows: tuple[list[SummaryRow], list[SummaryRow], str | None] | None = None
        self.charts_page = QWidget()
        QVBoxLayout(self.charts_page).setContentsMargins(0, 0, 0, 0)
        self.side = QTabWidget()
        self.side.addTab(self.detail, "Detail")
        self.side.addTab(self.charts_page, "Charts")
        self.side.currentChanged.connect(self._on_side_current_changed)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([900, 300])  # the ledger first: at 960x600 the side pane gets ~200 px

        self.totals = QLabel()
        self.totals.setTextFormat(Qt.TextFormat.RichText)  # our colour markup; foreign text is escaped
        self.totals.setWordWrap(True)
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addLayout(actions)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.totals)

        # wiring
        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.reload)
        for line in (self.template_edit, self.currency_edit, self.search_edit):
            line.textChanged.connect(self._debounce.start)
        for box in (self.provider_box, self.status_box):
            box.currentIndexChanged.connect(self._debounce.start)
        for check in (self.since_check, self.until_check):
            check.toggled.connect(self._debounce.start)
        for d in (self.since_edit, self.until_edit):
            d.dateChanged.connect(self._debounce.start)
        self.clear_button.clicked.connect(self.clear_filters)
        self.sync_button.clicked.connect(self.start_sync)
        self.charge_button.clicked.connect(self.start_charge)
        self.refund_button.clicked.connect(self.refund_selected)
        self.retry_button.clicked.connect(self.retry_selected)
        self.export_button.clicked.connect(self.export_csv)
        self.import_button.clicked.connect(self.import_kofi)
        self.sync_progress.connect(self._on_sync_progress)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        services.bus.published.connect(self._on_bus_event)
        hub_connection = operation_hub().did_execute.connect(self._on_hub_did_execute)
        self.destroyed.connect(lambda *_: QObject.disconnect(hub_connection))
        self._update_buttons()
        self.reload(soon=True)

    # -- filters ---------------------------------------------------------------------------
    def current_filter(self) -> TxnFilter:
        status_data = self.status_box.currentData()
        statuses: list[str] = []
        if status_data == "__failed__":
            statuses = [s.value for s in FAILED_STATUSES]
        elif status_data:
            statuses = [str(status_data)]
        until = _qdate_to_dt(self.until_edit.date()) + timedelta(days=1) if self.until_check.isChecked() else None
        return TxnFilter(
            provider=self.provider_box.currentData(),
            status=statuses,
            template_id=self.template_edit.text().strip() or None,
            currency=self.currency_edit.text().strip().upper() or None,
            since=_qdate_to_dt(self.since_edit.date()) if self.since_check.isChecked() else None,
            until=until,
            search=self.search_edit.text().strip() or None,
            limit=LIMIT,
        )

    def clear_filters(self) -> None:
        self.provider_box.setCurrentIndex(0)
        self.status_box.setCurrentIndex(0)
        for w in (self.template_edit, self.currency_edit, self.search_edit):
            w.clear()
        self.since_check.setChecked(False)
        self.until_check.setChecked(False)
        self.reload()

    @property
    def loading(self) -> bool:
        return self._reads.busy

    def reload(self, then: Callable[[], None] | None = None, *, soon: bool = False) -> None:
        """Read the page and the summaries in the background; a newer reload supersedes it.
        ``then`` runs once rows from this or a newer reload are shown. ``soon``: the worker starts
        once the current slice has ended (the first read, after the panel is built and shown)."""
        self._debounce.stop()
        if then is not None:
            self._after_load.append(then)
        f = self.current_filter()
        svc = self.svc

        def load() -> tuple[list[Transaction], list[SummaryRow], list[SummaryRow]]:
            iso_codes()  # the currency table the amounts are shown with: parsed here, not by the first paint
            return svc.list_transactions(f), svc.summary("provider"), svc.summary("day")

        (self._reads.run_soon if soon else self._reads.run)(load, self._show_loaded, self._on_load_failed)

    def _on_load_failed(self, exc: Exception) -> None:
        self.totals.setText(tone_span(Tone.ERROR, escape(exc)))
        self._finish_load()

    def _finish_load(self) -> None:
        pending, self._after_load = self._after_load, []
        for fn in pending:
            fn()
        self.loaded.emit()

    def _show_loaded(self, result: tuple[list[Transaction], list[SummaryRow], list[SummaryRow]]) -> None:
        rows, summary_provider, summary_time = result
        total = len(rows) if len(rows) < LIMIT else None  # no COUNT(*) over a million rows
        self.model.set_rows(rows)
        self.detail.clear()
        self._show_totals(rows, total, summary_provider)
        self._show_charts(summary_time, summary_provider, self._main_currency(summary_provider))
        self._update_buttons()
        if self._select_after_load is not None:
            item, self._select_after_load = self._select_after_load, None
            self.select_item(item, clear=False)
        self._finish_load()

    def _show_charts(self, by_time: list[SummaryRow], by_provider: list[SummaryRow], currency: str | None) -> None:
        self._chart_rows = (by_time, by_provider, currency)
        if self.side.currentWidget() is self.charts_page:
            self._draw_charts()

    def _on_side_current_changed(self, _index: int) -> None:
        if self.side.currentWidget() is self.charts_page:
            self._draw_charts()

    def _draw_charts(self) -> None:
        rows, self._chart_rows = self._chart_rows, None
        if rows is None:
            return  # drawn already with the latest figures
        if self.revenue_chart is None or self.provider_chart is None:
            self.revenue_chart, self.provider_chart = RevenueChart(), ProviderChart()
            layout = self.charts_page.layout()
            assert layout is not None
            layout.addWidget(self.revenue_chart)
            layout.addWidget(self.provider_chart)
        by_time, by_provider, currency = rows
        self.revenue_chart.show_rows(by_time, currency)
        self.provider_chart.show_rows(by_provider, currency)

    @staticmethod
    def _main_currency(rows: list[SummaryRow]) -> str | None:
        gross: Counter[str] = Counter()
        for r in rows:
            gross[r.currency] += r.gross
        return gross.most_common(1)[0][0] if gross else None

    def _show_totals(self, rows: list[Transaction], total: int | None, by_provider: list[SummaryRow]) -> None:
        per_currency: dict[str, list[int]] = {}
        for r in by_provider:
            acc = per_currency.setdefault(r.currency, [0, 0, 0, 0])
            acc[0] += r.gross
            acc[1] += r.fees
            acc[2] += r.refunds
            acc[3] += r.net
        money = "; ".join(
            f"{cur}: gross {format_minor(v[0], cur)}, fees {format_minor(v[1], cur)}, refunds {format_minor(v[2], cur)}, "
            f"<b>net {format_minor(v[3], cur)}</b>" for cur, v in sorted(per_currency.items()))
        shown = f"newest {len(rows)} matching transactions shown" if total is None else f"{total} transactions"
        failed = sum(1 for r in rows if r.status in FAILED_STATUSES)
        if not by_provider and not rows:
            self.totals.setText("No transactions yet. Store a Stripe, Gumroad or itch.io credential in Settings and "
                                "press Sync now; Ko-fi sales come in with Import Ko-fi CSV.")
            return
        self.totals.setText(f"{shown}{f', {failed} failed' if failed else ''}. All time — {money or 'no revenue yet'}")

    # -- selection / detail ---------------------------------------------------------------------
    def selected(self) -> Transaction | None:
        index = self.table.currentIndex()
        return self.model.transaction(index.row()) if index.isValid() else None

    def select_item(self, item_id: str, *, clear: bool = True) -> None:
        """Select transaction ``item_id``, clearing filters that hide it (then selecting once loaded)."""
        row = self.model.row_of(item_id)
        if row >= 0:
            self.select_row(row)
        elif clear:
            self._select_after_load = item_id
            self.clear_filters()

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))

    def _on_table_current_changed(self, *_args: Any) -> None:
        self._update_buttons()
        t = self.selected()
        if t is None:
            self.detail.clear()
            return
        money_keys = ("amount", "fee", "refunded_amount", "net")
        lines = [f"{k:16} {format_minor(v, t.currency) if k in money_keys else v}"
                 for k, v in t.to_dict().items() if v not in (None, "")]
        self.detail.setPlainText("\n".join(lines))
        svc, txn_id = self.svc, t.id

        def show_refunds(refunds: list[dict[str, Any]]) -> None:
            if refunds:
                lines.append("")
                lines.append("refunds:")
                for r in refunds:
                    lines.append(f"  {r['created_at']}  {format_minor(r['amount'], r['currency'])}  {r['status']}"
                                 f"  {r['provider_refund_id'] or ''}  {r['message'] or ''}")
                self.detail.setPlainText("\n".join(lines))
            self.detail_loaded.emit()

        def failed(exc: Exception) -> None:
            lines.append(str(exc))
            self.detail.setPlainText("\n".join(lines))
            self.detail_loaded.emit()

        self._detail_reads.run(lambda: svc.refunds_of(txn_id), show_refunds, failed)

    def _update_buttons(self) -> None:
        t = self.selected()
        self.refund_button.setEnabled(t is not None and t.status.captured and t.refunded_amount < t.amount)
        self.retry_button.setEnabled(t is not None and t.status in FAILED_STATUSES and t.provider.can_charge)
        self.sync_button.setEnabled(not self._syncing)
        self.template_button.setEnabled(t is not None and bool(t.template_id))

    def _on_template_button_clicked(self) -> None:
        t = self.selected()
        if t is not None and t.template_id:
            self.open_requested.emit(ItemRef(Area.TEMPLATES, t.template_id))

    # -- charge ----------------------------------------------------------------------------------------
    def start_charge(self) -> None:
        """Read the templates and the Stripe key's mode off the GUI thread, then ask what to charge."""
        services, svc = self.services, self.svc
        selected = self.selected()
        preset = selected.template_id if selected is not None else None
        self.charge_button.setEnabled(False)

        def load() -> tuple[list[tuple[str, str]], StripeMode | None]:
            return [(t.id, t.title) for t in services.templates.find()], svc.charge_mode()

        def ask(options: tuple[list[tuple[str, str]], StripeMode | None]) -> None:
            self.charge_button.setEnabled(True)
            templates, mode = options
            if mode is None:
                text = "No Stripe key yet: add one in Settings, on the Credentials tab, then charge."
                self.progress_label.setText(tone_span(Tone.WARNING, escape(text)))
                self.status_message.emit(text)
                self.charge_finished.emit(None)
                return
            order = ChargeDialog.ask(self, templates, mode, preset)
            if order is None:
                self.status_message.emit("charge cancelled")
                self.charge_finished.emit(None)
                return
            self._charge(order)

        def failed(exc: Exception) -> None:
            self.charge_button.setEnabled(True)
            self._on_charge_failed(exc)

        run_in_background(load, ask, failed, self)

    def _charge(self, order: ChargeOrder) -> None:
        svc = self.svc
        self.charge_button.setEnabled(False)
        self.progress_label.setText(escape(f"charging {order.amount_text}…"))

        def work() -> Transaction:
            return svc.charge(Provider.STRIPE.value, order.template_id, order.amount, order.currency,
                              order.payment_method, order.description)

        def done(txn: Transaction) -> None:
            self.charge_button.setEnabled(True)
            text = f"charged {format_minor(txn.amount, txn.currency)}: {txn.status.value.replace('_', ' ')}"
            if txn.failure_message:
                text += f" — {txn.failure_message}"
            tone = Tone.OK if txn.status.captured else Tone.WARNING
            self.progress_label.setText(tone_span(tone, escape(text)))
            self.status_message.emit(text)
            self._select_after_load = txn.id
            self._after_changes.append(lambda: self.charge_finished.emit(txn))

        run_write(self, work, area=ChangeArea.PAYMENTS, ids=lambda txn: (txn.id,), on_done=done,
                  on_error=self._on_charge_failed)

    def _on_charge_failed(self, exc: Exception) -> None:
        self.charge_button.setEnabled(True)
        text = str(exc) or type(exc).__name__
        self.progress_label.setText(tone_span(Tone.ERROR, escape(f"not charged: {text}")))
        self.status_message.emit(text)
        if isinstance(exc, PaymentDeclinedError):  # recorded as declined: show its row
            self._select_after_load = exc.transaction.id
        self.reload(then=lambda: self.charge_finished.emit(exc))

    # -- product links ---------------------------------------------------------------------------------
    def start_link(self) -> None:
        """Read the known products and the templates off the GUI thread, then ask which to tie together."""
        services, svc = self.services, self.svc
        selected = self.selected()
        self.link_button.setEnabled(False)

        def load() -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
            return svc.products(), [(t.id, t.title) for t in services.templates.find()]

        def ask(options: tuple[list[dict[str, Any]], list[tuple[str, str]]]) -> None:
            self.link_button.setEnabled(True)
            products, templates = options
            link = LinkProductDialog.ask(self, products, templates,
                                         selected.provider if selected is not None else None,
                                         selected.product_id if selected is not None else None)
            if link is None:
                self.link_finished.emit(None)
                return
            self._link(link)

        run_in_background(load, ask, self._on_link_failed, self)

    def _link(self, link: ProductLink) -> None:
        svc = self.svc
        self.link_button.setEnabled(False)

        def done(moved: int) -> None:
            self.link_button.setEnabled(True)
            text = (f"{link.provider.value} product {link.product_id} now counts for template {link.template_id}; "
                    f"{moved} recorded sale{'' if moved == 1 else 's'} moved to it")
            self.progress_label.setText(tone_span(Tone.OK, escape(text)))
            self.status_message.emit(text)
            keep = self.selected()
            self._select_after_load = keep.id if keep is not None else None
            self._after_changes.append(lambda: self.link_finished.emit(moved))

        # which sales moved is not returned: no ids, so the page is read again
        run_write(self, lambda: svc.link_product(link.provider.value, link.product_id, link.template_id),
                  area=ChangeArea.PAYMENTS, ids=lambda _moved: (), on_done=done, on_error=self._on_link_failed)

    def _on_link_failed(self, exc: Exception) -> None:
        self.link_button.setEnabled(True)
        text = str(exc) or type(exc).__name__
        self.progress_label.setText(tone_span(Tone.ERROR, escape(f"not linked: {text}")))
        self.status_message.emit(text)
        self.link_finished.emit(exc)

    # -- refund / retry -----------------------------------------------------------------------------
    def refund_selected(self) -> None:
        t = self.selected()
        if t is None:
            return
        amount = RefundDialog.ask(self, t)
        if amount is None:
            self.status_message.emit("refund cancelled")
            return
        self.refund_button.setEnabled(False)
        svc, txn_id = self.svc, t.id

        def done(result: RefundResult) -> None:
            msg = f"refunded {format_minor(result.amount, result.transaction.currency)} of {result.transaction.id}"
            if result.message:
                msg += f" — recorded locally: {result.message}"
                self.notify_requested.emit("Refund recorded", result.message)
            self.status_message.emit(msg)
            self._after_changes.append(lambda: self._refunded(msg, result))

        run_write(self, lambda: svc.refund(txn_id, amount or None), area=ChangeArea.PAYMENTS,
                  ids=lambda result: (result.transaction.id,), on_done=done, on_error=self._on_error)

    def _refunded(self, msg: str, result: RefundResult) -> None:
        self.totals.setText(escape(msg))
        self.refund_finished.emit(result)

    def retry_selected(self) -> None:
        t = self.selected()
        if t is None:
            return

        svc, txn_id = self.svc, t.id
        self.retry_button.setEnabled(False)

        def done(txn: Transaction) -> None:
            self.status_message.emit(f"retried {txn.id}: {txn.status.value.replace('_', ' ')}")

        run_write(self, lambda: svc.retry(txn_id), area=ChangeArea.PAYMENTS, ids=lambda txn: (txn.id,),
                  on_done=done, on_error=self._on_error)

    def _on_error(self, exc: Exception) -> None:
        text = str(exc) or type(exc).__name__
        self.totals.setText(tone_span(Tone.ERROR, escape(text)))
        self.status_message.emit(text)
        self.remedy_offered.emit(remedy_of(exc))
        self._update_buttons()
        self.refund_finished.emit(exc)

    # -- sync ------------------------------------------------------------------------------------------
    def start_sync(self) -> None:
        if self._syncing:
            return
        self._syncing = True
        self.progress.setRange(0, 0)  # busy
        self.progress.setVisible(True)
        self.progress_label.setText("syncing…")
        if self.model.rowCount() == 0:  # not "no transactions yet, press Sync now" while it syncs
            self.totals.setText(SYNCING_HINT)
        self._update_buttons()

        def progress(provider: str, fetched: int) -> None:
            self.sync_progress.emit(provider, fetched)  # safe from a worker thread: queued to the GUI thread

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:  # the app's qasync loop: its long-lived httpx client, no thread
            task = loop.create_task(self.svc.sync_async(None, progress))
            task.add_done_callback(lambda t: self._on_sync_done(t.exception() or t.result()))
        else:  # no asyncio loop runs (tests, a bare QApplication): the blocking form on the job runtime
            svc = self.svc
            run_in_background(lambda: svc.sync(None, progress), self._on_sync_done, self._on_sync_done, self)

    def _on_sync_progress(self, provider: str, fetched: int) -> None:
        self.progress_label.setText(f"{provider}: {fetched} objects")

    def _on_sync_done(self, result: Any) -> None:
        self._syncing = False
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.progress.setVisible(False)
        if isinstance(result, BaseException):
            text = str(result) or type(result).__name__
            self.progress_label.setText(tone_span(Tone.ERROR, escape(text)))
            self.status_message.emit(text)
            self.remedy_offered.emit(remedy_of(result))
        else:
            reports: list[SyncReport] = list(result)
            parts = [f"{r.provider.value}: {'error: ' + r.error if r.error else f'+{r.added} new, {r.updated} updated'}"
                     for r in reports]
            self.progress_label.setText(escape("; ".join(parts)))
            self.status_message.emit("payments synced: " + "; ".join(parts))
            if any(r.error for r in reports):
                self.notify_requested.emit("Payments sync", "; ".join(parts))
                self.remedy_offered.emit(next((r.remedy for r in reports if r.remedy is not None), None))
        self.reload(then=lambda: self.sync_finished.emit(result))

    # -- import ------------------------------------------------------------------------------------------
    def import_kofi(self) -> None:
        path = KofiImportDialog.ask_path(self)
        if not path:
            return
        svc = self.svc
        self.import_button.setEnabled(False)

        def done(report: ImportReport) -> None:
            self.import_button.setEnabled(True)
            text = f"Ko-fi: {report.added} new, {report.duplicates} already there, {report.rejected} rejected"
            if report.errors:
                text += " — " + "; ".join(report.errors[:3])
                self.progress_label.setText(tone_span(Tone.ERROR, escape(text)))
            else:
                self.progress_label.setText(escape(text))
            self.status_message.emit(text)

        def failed(exc: Exception) -> None:
            self.import_button.setEnabled(True)
            self.progress_label.setText(tone_span(Tone.ERROR, escape(f"Ko-fi import: {exc}")))
            self.status_message.emit(f"Ko-fi import: {exc}")

        # how many rows were added is reported, not which: no ids, so the page is read again
        run_write(self, lambda: svc.import_file("kofi", path), area=ChangeArea.PAYMENTS, ids=lambda _report: (),
                  on_done=done, on_error=failed)

    # -- export ------------------------------------------------------------------------------------------
    def export_csv(self) -> None:
        path = ExportDialog.ask_path(self)
        if not path:
            return
        f = self.current_filter()
        f = TxnFilter(**{**f.__dict__, "limit": 1_000_000})

        def work() -> int:
            rows = self.svc.list_transactions(f)
            return write_text_atomically(Path(path), lambda fh: write_csv(
                fh, CSV_FIELDS, ([d[k] for k in CSV_FIELDS] for d in (t.to_dict() for t in rows))))

        def done(n: int) -> None:
            self.status_message.emit(f"exported {n} transactions to {path}")
            self.totals.setText(escape(f"exported {n} transactions to {path}"))

        run_in_background(work, done, self._on_error, self)

    # -- changes ----------------------------------------------------------------------------------------
    def _on_hub_did_execute(self, changes: Changes) -> None:
        """A payments write (from this panel or another) committed: refresh its rows and the totals.

        Rows shown are updated in place; a transaction not on the page (a new charge) or a write
        that touched rows it cannot name (a product link, an import) reads the page again, which
        also updates row by row."""
        if changes.area is not ChangeArea.PAYMENTS:
            return
        svc, ids = self.svc, changes.ids
        if not ids or any(self.model.row_of(txn_id) < 0 for txn_id in ids):
            self.reload(then=self._finish_changes)
            return

        def load() -> tuple[list[Transaction], list[SummaryRow], list[SummaryRow]]:
            return [svc.get(txn_id) for txn_id in ids], svc.summary("provider"), svc.summary("day")

        run_in_background(load, self._show_changed, self._on_changes_failed, self)

    def _show_changed(self, result: tuple[list[Transaction], list[SummaryRow], list[SummaryRow]]) -> None:
        changed, summary_provider, summary_time = result
        self.model.update_rows(changed)
        rows = self.model.rows()
        self._show_totals(rows, len(rows) if len(rows) < LIMIT else None, summary_provider)
        self._show_charts(summary_time, summary_provider, self._main_currency(summary_provider))
        self._on_table_current_changed()  # the selected row's detail and buttons follow its new state
        self._finish_changes()

    def _on_changes_failed(self, exc: Exception) -> None:
        self.totals.setText(tone_span(Tone.ERROR, escape(exc)))
        self._finish_changes()

    def _finish_changes(self) -> None:
        pending, self._after_changes = self._after_changes, []
        for fn in pending:
            fn()

    # -- live updates --------------------------------------------------------------------------------------
    def _on_bus_event(self, event: Event) -> None:
        if event.type.startswith(("payment.", "provider.")) and not self._syncing:
            self._debounce.start()


SYNCING_HINT = "Syncing: the sales it brings in are listed here when it ends."


def create_panel(services: Services) -> QWidget:
    return PaymentsPanel(services)

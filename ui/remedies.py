"""A remedy as the desktop app offers it: a button in the status bar that opens the right panel or dialog.

Panels emit ``remedy_offered(remedy)`` beside their error text (:func:`remedy_of` reads it off an error);
the main window shows :class:`RemedyButton` and, when it is pressed, :func:`perform` takes the person
where the fix is. The command line renders the same remedies as commands (``ui/cli/remedies.py``).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QWidget

from app.errors import TrendForgeError
from app.home.model import Area, ItemRef
from app.remedies import (
    CancelRun,
    ChooseKey,
    ChooseOnDuplicate,
    ChoosePlatform,
    CompensateRun,
    CreateKey,
    ExportKey,
    GiveInput,
    GivePaymentMethod,
    ImportKey,
    ImportPayments,
    ImportTrends,
    ImportWorkflow,
    ListBuilds,
    ListEvents,
    ListPayments,
    ListTemplates,
    ListTrends,
    ListWorkflows,
    Remedy,
    ReplaceWorkflow,
    RerunRun,
    RestoreTemplate,
    RetryPayment,
    RunDoctor,
    SetCredential,
    ShowRun,
    SyncPayments,
    SyncTrends,
    WorkflowHistory,
)

# The panel where the fix is, for remedies that need no more than that panel.
PANEL_OF: dict[type[Remedy], str] = {
    ListBuilds: Area.BUILDS.value,
    ListTemplates: Area.TEMPLATES.value,
    ChooseOnDuplicate: Area.TEMPLATES.value,
    ListPayments: Area.PAYMENTS.value,
    ImportPayments: Area.PAYMENTS.value,
    GivePaymentMethod: Area.PAYMENTS.value,
    ListTrends: Area.TRENDS.value,
    ImportTrends: Area.TRENDS.value,
    ListEvents: Area.EVENTS.value,
    ListWorkflows: Area.WORKFLOWS.value,
    WorkflowHistory: Area.WORKFLOWS.value,
    ReplaceWorkflow: Area.WORKFLOWS.value,
    ImportWorkflow: Area.WORKFLOWS.value,
    GiveInput: Area.WORKFLOWS.value,
    RunDoctor: "Home",
}


class RemedyHost(Protocol):
    """What :func:`perform` drives: the main window."""

    def show_panel(self, title: str) -> QWidget: ...

    def open_item(self, ref: ItemRef) -> QWidget: ...

    def open_settings(self) -> None: ...


def remedy_of(exc: BaseException) -> Remedy | None:
    return exc.remedy if isinstance(exc, TrendForgeError) else None


def button_text(remedy: Remedy) -> str:
    label = remedy.label
    return label[:1].upper() + label[1:] + "…"


def perform(host: RemedyHost, remedy: Remedy) -> None:
    """Take the person to where ``remedy`` is done: a dialog, a panel with the item selected, a sync started."""
    match remedy:
        case SetCredential():
            host.open_settings()  # it opens on its Credentials tab
        case CreateKey() | ImportKey() | ExportKey() | ChooseKey():
            builds = host.show_panel(Area.BUILDS.value)
            open_keys = getattr(builds, "open_keys", None)
            if callable(open_keys):
                open_keys()
        case ChoosePlatform(platform=platform):
            builds = host.show_panel(Area.BUILDS.value)
            box = getattr(builds, "platform_box", None)
            if box is not None:
                box.setCurrentText(platform)
        case RestoreTemplate(template_id=template_id):
            host.open_item(ItemRef(Area.TEMPLATES, template_id))
        case ShowRun(run_id=run_id) | CancelRun(run_id=run_id) | CompensateRun(run_id=run_id) | RerunRun(run_id=run_id):
            host.open_item(ItemRef(Area.WORKFLOWS, run_id))  # the run selected, its buttons beside it
        case RetryPayment(payment_id=payment_id):
            host.open_item(ItemRef(Area.PAYMENTS, payment_id))
        case SyncPayments() | SyncTrends():
            area = Area.PAYMENTS if isinstance(remedy, SyncPayments) else Area.TRENDS
            start = getattr(host.show_panel(area.value), "start_sync", None)
            if callable(start):
                start()
        case _:
            host.show_panel(PANEL_OF[type(remedy)])


class RemedyButton(QPushButton):
    """The status bar's offer of the last error's remedy; hidden while there is none."""

    chosen = Signal(object)  # the Remedy

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("remedyButton")
        self._remedy: Remedy | None = None
        self.clicked.connect(self._on_clicked)
        self.hide()

    @property
    def remedy(self) -> Remedy | None:
        return self._remedy

    def offer(self, remedy: Remedy | None) -> None:
        self._remedy = remedy
        if remedy is None:
            self.hide()
            return
        self.setText(button_text(remedy))
        self.setToolTip(f"The error says what to do: {remedy.label}")
        self.show()

    def _on_clicked(self) -> None:
        remedy = self._remedy
        self.offer(None)
        if remedy is not None:
            self.chosen.emit(remedy)

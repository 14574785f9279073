"""Links from the selected item to related items in other areas: an "Open" menu button, the same menu
on the table's context menu (right click, the Menu key or Shift+F10), and a shortcut per link."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QMenu, QToolButton, QWidget

from app.home.model import Area, ItemRef


@dataclass(frozen=True)
class Link:
    key: str  # what the targets function names the item by
    label: str  # with its mnemonic, e.g. "&Template"
    area: Area
    shortcut: str  # active while the panel has the focus


Targets = Callable[[], Mapping[str, str | None]]  # link key -> the related item's id (None: there is none)


class LinksButton(QToolButton):
    """``targets`` says, for the current item, which related items exist; missing ones are disabled."""

    open_requested = Signal(object)  # ItemRef

    def __init__(self, panel: QWidget, view: QAbstractItemView, links: Sequence[Link], targets: Targets,
                 text: str = "&Open") -> None:
        super().__init__(panel)
        self.setText(text)
        self.setAccessibleName("Open a related item")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._targets = targets
        self._links = list(links)
        self.menu_ = QMenu(self)
        self.actions_: dict[str, QAction] = {}
        for link in self._links:
            action = QAction(link.label, self.menu_)
            action.setShortcut(QKeySequence(link.shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, lk=link: self.open(lk.key))
            self.menu_.addAction(action)
            panel.addAction(action)  # the shortcut works anywhere in the panel
            self.actions_[link.key] = action
        self.menu_.aboutToShow.connect(self.update_state)
        self.setMenu(self.menu_)
        self._view = view
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._on_view_context_menu)
        shift_f10 = QAction(view)
        shift_f10.setShortcut(QKeySequence("Shift+F10"))
        shift_f10.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        shift_f10.triggered.connect(self._popup_at_current)
        view.addAction(shift_f10)
        self.update_state()

    def update_state(self) -> None:
        """Enable the links the current item has; the button is off when it has none."""
        targets = self._targets()
        for key, action in self.actions_.items():
            action.setEnabled(bool(targets.get(key)))
        self.setEnabled(any(a.isEnabled() for a in self.actions_.values()))

    def open(self, key: str) -> bool:
        """Open the current item's ``key`` link; False when it has none."""
        item_id = self._targets().get(key)
        if not item_id:
            return False
        link = next(lk for lk in self._links if lk.key == key)
        self.open_requested.emit(ItemRef(link.area, item_id))
        return True

    def _on_view_context_menu(self, pos: QPoint) -> None:
        if self._view.indexAt(pos).isValid() or self._view.currentIndex().isValid():
            self.update_state()
            self.menu_.popup(self._view.viewport().mapToGlobal(pos))

    def _popup_at_current(self) -> None:
        rect = self._view.visualRect(self._view.currentIndex())
        self._on_view_context_menu(rect.center() if rect.isValid() else QPoint(4, 4))


# Every panel's links, and their shortcuts, in one place (so no two clash).
BUILD_LINKS = (
    Link("template", "&Template", Area.TEMPLATES, "Ctrl+Shift+T"),
    Link("run", "Workflow &run", Area.WORKFLOWS, "Ctrl+Shift+R"),
    Link("events", "&Events", Area.EVENTS, "Ctrl+Shift+E"),
)
RUN_LINKS = (
    Link("trend", "T&rend", Area.TRENDS, "Ctrl+Shift+D"),
    Link("template", "&Template", Area.TEMPLATES, "Ctrl+Shift+T"),
    Link("build", "&Build", Area.BUILDS, "Ctrl+Shift+B"),
    Link("events", "&Events", Area.EVENTS, "Ctrl+Shift+E"),
)

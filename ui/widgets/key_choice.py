"""Choosing a signing key in a dialog: the only key preselected, several offered by name.

Used wherever a dialog starts something that signs (the Run dialog's ``key_alias`` input,
"Make a template from this trend"), so a workflow is never started on a key that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QWidget

if TYPE_CHECKING:
    from services.bootstrap import Services

KEY_INPUT = "key_alias"  # the workflow input that names a signing key
CHOOSE = "choose a signing key…"


def signing_key_aliases(services: Services) -> list[str]:
    """The data dir's signing keys."""
    return [k.alias for k in services.builds.list_keys()]


class KeyCombo(QComboBox):
    """One entry per key; with several and nothing chosen, a first entry asks to choose."""

    def __init__(self, aliases: list[str], current: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if len(aliases) != 1 and current not in aliases:
            self.addItem(CHOOSE if aliases else "no signing key yet (Builds > Keys)", "")
        for alias in aliases:
            self.addItem(alias, alias)
        if current in aliases:
            self.setCurrentIndex(self.findData(current))

    def alias(self) -> str | None:
        value = self.currentData()
        return str(value) if value else None

"""Widgets of the Payments panel: table model, dialogs, charts."""

"""Pieces of the Templates panel: table model, form, drop zone, dialogs, undo commands."""

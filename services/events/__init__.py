"""The persisted event log and the Qt-signal event bus."""

"""JSON schemas (read with importlib.resources)."""

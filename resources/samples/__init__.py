"""Sample template packages (read with importlib.resources)."""

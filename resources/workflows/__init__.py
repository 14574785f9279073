"""Built-in workflow definitions (JSON), read with importlib.resources."""

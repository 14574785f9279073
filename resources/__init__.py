"""Bundled resources (icons, themes, sample templates, built-in workflows), read with importlib.resources."""

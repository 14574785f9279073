"""Headless renderers run as child processes (QtWebEngine needs its own QApplication)."""

"""Helpers shared by tests of several areas (importable by test subprocesses with the repository root on PYTHONPATH)."""

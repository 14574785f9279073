"""Helpers shared by tests (importable by test subprocesses with the repository root on PYTHONPATH)."""

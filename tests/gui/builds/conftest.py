"""The builds fixtures (sample packages, shared keystore, service) for the GUI tests: tests/support/builds_fixtures.py."""

from __future__ import annotations

from tests.support.builds_fixtures import builds, package_factory, packages, shared_keystore

__all__ = ["builds", "package_factory", "packages", "shared_keystore"]

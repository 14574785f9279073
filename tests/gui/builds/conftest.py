"""Reuse the builds integration fixtures (sample packages, shared keystore, service) for GUI tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_path = Path(__file__).resolve().parents[2] / "integration" / "builds" / "conftest.py"
_spec = importlib.util.spec_from_file_location("_builds_integration_fixtures", _path)
assert _spec is not None and _spec.loader is not None
_mod = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _mod  # dataclasses look their module up
_spec.loader.exec_module(_mod)

shared_keystore = _mod.shared_keystore
packages = _mod.packages
package_factory = _mod.package_factory
builds = _mod.builds

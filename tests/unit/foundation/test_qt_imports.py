"""PySide6's import hook reads no module's source: TrendForge selects no ``__feature__``, so the
hook's "does this module use features?" is answered without reading (services.qt_imports)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CODE = ("app", "services", "ui", "bench", "scripts", "tests")

CHILD = """
import linecache, sys
import services.events.bus  # loads PySide6, then makes its hook cheap
import fresh_module_for_the_hook
print(sys.argv[1] in linecache.cache)
"""


def test_no_module_selects_a_pyside_feature() -> None:
    # the premise of answering "no" without reading: a module that did select one would lose it
    found = []
    for top in CODE:
        for path in (ROOT / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module == "__feature__":
                    found.append(str(path.relative_to(ROOT)))
    assert found == []


@pytest.mark.child_process
def test_a_module_imported_after_the_bus_is_not_read_by_pysides_import_hook(tmp_path: Path) -> None:
    module = tmp_path / "fresh_module_for_the_hook.py"
    module.write_text("VALUE = 1\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{tmp_path}"}  # the fresh module is found there
    done = subprocess.run([sys.executable, "-c", CHILD, str(module)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=True)
    # PySide6's hook reads a module's whole source through linecache; answered without reading, it is not there
    assert done.stdout.strip() == "False", done.stderr[-1000:]

"""Two import breaks from the last round: keep-both's application id, and a glob over the samples folder."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.errors import UserError
from services.bootstrap import Services

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "resources" / "samples"


def test_keep_both_gives_the_copy_its_own_application_id(services: Services,
                                                         sample_copy: Callable[[str], Path]) -> None:
    svc = services.templates
    pkg = sample_copy("quotes-daily")
    first = svc.import_path(pkg)
    second = svc.import_path(pkg, on_duplicate="keep-both")
    third = svc.import_path(pkg, on_duplicate="keep-both")
    ids = [svc.get(r.template_id or "").application_id for r in (first, second, third)]
    assert len(set(ids)) == 3
    assert ids[1] == f"{ids[0]}.copy2" and ids[2] == f"{ids[0]}.copy3"
    stored = (svc.package_dir(second.template_id or "") / "template.json").read_text()
    assert f'"{ids[1]}"' in stored  # the package builds under the new id too


def test_a_glob_over_the_samples_folder_imports_the_samples_only(services: Services) -> None:
    globbed = sorted(SAMPLES.iterdir())  # what `templates import resources/samples/*` hands over
    assert "__init__.py" in [p.name for p in globbed]
    results = services.templates.import_paths(globbed)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    assert {r.template_id for r in results} == {p.name for p in globbed if (p / "template.json").is_file()}


def test_only_scaffolding_is_refused_in_one_line(services: Services) -> None:
    with pytest.raises(UserError, match=r"nothing to import: __init__\.py is Python package scaffolding"):
        services.templates.import_paths([SAMPLES / "__init__.py"])


@pytest.mark.child_process
def test_the_cli_glob_exits_zero(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(tmp_path / "home"), "templates",
                          "import", *map(str, sorted(SAMPLES.iterdir()))], capture_output=True, text=True, timeout=120,
                         check=False)
    assert res.returncode == 0, res.stderr
    assert "__init__" not in res.stdout + res.stderr

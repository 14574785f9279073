"""Markup in a package's title, app name and description is shown as the text it is."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from services.bootstrap import Services
from tests.support import templates_packages
from tests.support.hostile import FORMULAS, MARKUP, rendered, shown
from tests.support.panel_open import opened
from ui.panels.templates_panel import TemplatesPanel


def hostile_package(tmp_path: Path, text: str) -> Path:
    m = templates_packages.sample_manifest()
    m.pop("preview")
    m.update(title=f"T {text}", description=f"D {text}", app_name=f"A {text}"[:50], tags=["x"])
    return templates_packages.build_zip(tmp_path / "hostile.zip", {}, manifest=m)  # type: ignore[no-any-return]


@pytest.mark.parametrize("text", MARKUP)
def test_template_detail_shows_markup_as_text(qtbot: Any, services: Services, tmp_path: Path, text: str) -> None:
    (result,) = services.templates.import_paths([hostile_package(tmp_path, text)])
    assert result.ok, result.error
    panel = TemplatesPanel(services)
    qtbot.addWidget(panel)
    opened(qtbot, panel)
    with qtbot.waitSignal(panel.detail_loaded, timeout=10_000):  # the template is read in the background
        assert panel.select_id(result.template_id or "")
    assert shown(panel.details.detail_title) == f"T {text}"
    assert shown(panel.details.fields["description"]) == f"D {text}"
    assert shown(panel.details.fields["app_name"]) == f"A {text}"[:50]
    row = next(r for r in range(panel.model.rowCount()) if panel.model.summary_at(r).id == result.template_id)  # type: ignore[union-attr]
    tip = panel.model.data(panel.model.index(row, 0), 3)  # Qt.ToolTipRole
    assert rendered(tip).startswith(f"T {text}")


@pytest.mark.parametrize("formula", FORMULAS[:4])
def test_csv_export_neutralises_formula_titles(qtbot: Any, services: Services, tmp_path: Path, formula: str) -> None:
    m = templates_packages.sample_manifest()
    m.pop("preview")
    m.update(title=formula, description=formula)
    (result,) = services.templates.import_paths([templates_packages.build_zip(tmp_path / "f.zip", {}, manifest=m)])
    assert result.ok, result.error
    panel = TemplatesPanel(services)
    qtbot.addWidget(panel)
    opened(qtbot, panel)
    dest = tmp_path / "out.csv"
    with qtbot.waitSignal(panel.csv_exported, timeout=10000):
        panel.export_csv(str(dest))
    (row,) = csv.DictReader(dest.open(encoding="utf-8"))
    assert row["title"] == "'" + formula


def _raw_package(path: Path, manifest_text: str) -> Path:
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("template.json", manifest_text)
    return path


def test_a_dropped_batch_survives_deep_and_huge_packages(qtbot: Any, services: Services, tmp_path: Path) -> None:
    digits = _raw_package(tmp_path / "digits.zip", '{"schema_version": ' + "1" * 5000 + "}")
    deep = _raw_package(tmp_path / "deep.zip", '{"schema_version": 1, "c": ' + "[" * 3000 + "]" * 3000 + "}")
    rlo = templates_packages.build_zip(tmp_path / "rlo.zip", {"web/\u202egnp.exe": b"x"})
    paths = [str(templates_packages.SAMPLES / "trivia-quiz"), str(digits), str(deep), str(rlo), str(templates_packages.SAMPLES / "wallpaper-pack")]
    panel = TemplatesPanel(services)
    qtbot.addWidget(panel)
    opened(qtbot, panel)
    with qtbot.waitSignal(panel.imports_finished, timeout=20000) as blocker:
        panel.import_paths(paths)
    results = blocker.args[0]
    assert [r.ok for r in results] == [True, False, False, False, True]
    texts = [panel.results.item(i).text() for i in range(panel.results.count())]
    assert texts[1] == "✖ digits.zip: template.json has a number with more than 4300 digits; numbers that long are not accepted"
    assert texts[2] == "✖ deep.zip: template.json nests more than 64 levels deep; flatten it"
    assert texts[3].startswith("✖ rlo.zip: invisible or text-direction character in file name")
    assert all("\n" not in t for t in texts)

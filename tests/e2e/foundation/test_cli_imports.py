"""A CLI command imports only what it uses: no Qt or storage for --version, only its own area otherwise,
and none of the heavy libraries (Pillow, jsonschema, the PostgreSQL dialect, the build pipeline) it does not need."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
AREAS = ("builds", "home", "payments", "releases", "templates", "trends", "workflows")


def loaded_after(argv: list[str]) -> set[str]:
    code = ("import json, sys\nfrom ui.cli.main import run\nrun(sys.argv[1:])\n"
            "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n')")
    done = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def areas_in(modules: set[str]) -> set[str]:
    return {a for a in AREAS if f"services.{a}.service" in modules}


def test_version_imports_no_qt_no_storage_and_no_area() -> None:
    modules = loaded_after(["--version"])
    assert not {m for m in modules if m.split(".")[0] in ("PySide6", "sqlalchemy", "httpx")}
    assert areas_in(modules) == set()


def test_templates_list_builds_only_the_templates_area(data_dir: Path) -> None:
    assert areas_in(loaded_after(["--data-dir", str(data_dir), "--json", "templates", "list"])) == {"templates"}


def test_health_probes_the_areas_instead_of_building_them(data_dir: Path) -> None:
    modules = loaded_after(["--data-dir", str(data_dir), "health"])
    assert areas_in(modules) == set()
    assert "google.auth" not in modules and "httpx" not in modules


def test_builds_list_imports_no_other_commands_module(data_dir: Path) -> None:
    modules = loaded_after(["--data-dir", str(data_dir), "builds", "list"])
    assert {m for m in modules if m.startswith("ui.cli.commands.")} == {"ui.cli.commands.builds", "ui.cli.commands.templates"}


def test_events_list_builds_no_area(data_dir: Path) -> None:
    assert areas_in(loaded_after(["--data-dir", str(data_dir), "events", "list", "--limit", "5"])) == set()


def test_the_entry_point_answers_version_without_importing_the_cli() -> None:
    code = "import sys, main\nmain.main(['--version'])\nprint('ui.cli.main' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    assert done.stdout.splitlines() == ["TrendForge 0.1.0", "False"]


@pytest.fixture(scope="module")
def opened_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir opened once (migrated, the built-in workflows stored), as a user's is by the time they list things."""
    home = tmp_path_factory.mktemp("cli-imports") / "home"
    loaded_after(["--data-dir", str(home), "workflow", "list"])
    return home


def heavy(modules: set[str], *names: str) -> set[str]:
    return {m for m in modules if any(m == n or m.startswith(n + ".") for n in names)}


def test_importing_the_cli_and_the_composition_root_loads_no_qt() -> None:
    """PySide6 is imported when the bus is built, after the rest: its import hook makes every later import slower."""
    code = "import sys\nimport services.bootstrap, ui.cli.main\nprint(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_a_sqlite_store_imports_no_postgresql_dialect(opened_dir: Path) -> None:
    modules = loaded_after(["--data-dir", str(opened_dir), "events", "list", "--limit", "50"])
    assert heavy(modules, "sqlalchemy.dialects.postgresql", "psycopg") == set()


def test_events_list_imports_no_workflow_model(opened_dir: Path) -> None:
    modules = loaded_after(["--data-dir", str(opened_dir), "events", "list", "--limit", "50"])
    assert heavy(modules, "app.workflows.model", "app.workflows.events") == set()


def test_templates_list_imports_neither_pillow_nor_jsonschema_nor_the_currency_table(opened_dir: Path) -> None:
    modules = loaded_after(["--data-dir", str(opened_dir), "--json", "templates", "list"])
    assert heavy(modules, "PIL", "jsonschema", "iso4217") == set()


def test_templates_list_of_an_empty_store_imports_no_other_areas_tables(opened_dir: Path) -> None:
    """The builds and payments figures of a template's stats are read (and their tables' modules imported) per template."""
    modules = loaded_after(["--data-dir", str(opened_dir), "--json", "templates", "list"])
    assert heavy(modules, "services.builds.models", "services.payments.models") == set()


def test_builds_list_imports_no_pipeline_tools_or_keys(opened_dir: Path) -> None:
    modules = loaded_after(["--data-dir", str(opened_dir), "builds", "list"])
    assert heavy(modules, "services.builds.runner", "services.builds.pipeline", "services.builds.tools",
                 "services.builds.keys", "services.builds.deploy", "services.builds.release_check", "PIL") == set()


def test_health_imports_neither_pillow_jsonschema_postgresql_nor_temporal_shapes(opened_dir: Path) -> None:
    modules = loaded_after(["--data-dir", str(opened_dir), "health"])
    assert heavy(modules, "PIL", "jsonschema", "sqlalchemy.dialects.postgresql", "services.workflows.temporal.shapes",
                 "temporalio", "services.builds.service") == set()


def test_health_reads_the_failure_records_without_the_ledger_or_trends_tables(opened_dir: Path) -> None:
    # payments' and trends' health read one table each: the area's other tables (and their mappers) stay unloaded
    modules = loaded_after(["--data-dir", str(opened_dir), "health"])
    assert {"services.payments.health_models", "services.trends.health_models"} <= set(modules)
    assert heavy(modules, "services.payments.models", "services.trends.models") == set()


def test_health_counts_interrupted_runs_without_the_workflow_engine_model_or_actions(opened_dir: Path) -> None:
    modules = loaded_after(["--data-dir", str(opened_dir), "health"])
    assert heavy(modules, "services.workflows.engine", "services.actions", "app.workflows.model",
                 "app.workflows.events", "app.workflows.definition") == set()


def test_a_command_leaves_pyside6s_qt_namespace_unbuilt(opened_dir: Path) -> None:
    """PySide6 builds its ``Qt`` namespace (every enum in it, ~25 ms) when the name is first read: the bus needs none of it."""
    code = ("import sys\nfrom ui.cli.main import run\nrun(sys.argv[1:])\n"
            "sys.stderr.write('\\nQT ' + str('Qt' in vars(sys.modules['PySide6.QtCore'])) + '\\n')")
    done = subprocess.run([sys.executable, "-c", code, "--data-dir", str(opened_dir), "events", "list", "--limit", "5"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert "\nQT False" in done.stderr


@pytest.mark.parametrize("argv", [["events", "list", "--limit", "5"], ["health"], ["builds", "list"], ["--json", "templates", "list"]])
def test_a_command_that_calls_no_provider_imports_no_retry_library(opened_dir: Path, argv: list[str]) -> None:
    assert heavy(loaded_after(["--data-dir", str(opened_dir), *argv]), "tenacity") == set()


def test_health_reads_the_providers_records_without_the_ledger_vocabulary(opened_dir: Path) -> None:
    modules = loaded_after(["--data-dir", str(opened_dir), "health"])
    assert heavy(modules, "app.payments.model", "app.payments.money", "app.currency") == set()

"""The built-in trend-to-release workflow against the real areas (when they are installed).

With every area present it runs for real: a trend imported from CSV, the sample template as
base, a real build with the Android tools, signature verification, a folder deploy; and the
failure path archives the template and removes the artifacts. Without them, the definition
must say exactly which actions are missing instead of pretending.
"""

from __future__ import annotations

import asyncio
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest


def _definition(wf: Any) -> dict[str, Any]:
    return {d["name"]: d for d in wf.list_definitions()}["trend-to-release"]


def _setup(services: Any, tmp_path: Path, key: str = "release") -> str:
    tpl = services.templates
    res = tpl.import_path(Path(str(resources.files("resources.samples") / "quotes-daily")))
    assert res.error is None, res.error
    csv = tmp_path / "trends.csv"
    csv.write_text("title,volume\nCozy cat cafe,1000\nRetro pixel art,500\n")
    services.trends.import_csv("reddit", csv)
    services.builds.create_key(key)
    return str(res.template_id)


def _run(wf: Any, inputs: dict[str, Any]) -> dict[str, Any]:
    """On a qasync loop, like the CLI: the build runs real QProcess children.

    The tests take pytest-qt's ``qapp`` so the one application object of the test process is
    a QApplication (a bare QCoreApplication made here would break later widget tests).
    """
    from ui.cli.loop import run_on_loop

    run_id = run_on_loop(lambda: wf.run("trend-to-release", inputs))
    return dict(wf.show(run_id))


@pytest.mark.slow  # a real Android build (aapt2, d8, apksigner), not through the builds fixture
def test_trend_to_release_end_to_end(services: Any, tmp_path: Path, qapp: Any) -> None:
    wf = services.workflows
    d = _definition(wf)
    assert d["runnable"], d["missing_actions"]
    base = _setup(services, tmp_path)
    out = tmp_path / "release"
    out.mkdir()
    detail = _run(wf, {"base_template": base, "deploy_dir": str(out), "version": "1.2.0"})
    assert detail["status"] == "succeeded", detail["error"]
    steps = {s["name"]: s for s in detail["steps"]}
    assert steps["pick"]["output"]["title"] == "Cozy cat cafe"
    new_id = steps["template"]["output"]["template_id"]
    assert services.templates.get(new_id).title == "Cozy cat cafe"
    apk = Path(steps["deploy"]["output"]["location"])
    assert apk.parent == out and apk.is_file() and apk.suffix == ".apk"
    assert steps["sign"]["output"]["fingerprint"]
    # the build's events carry the run id as their correlation id
    from services.events.store import EventQuery

    types = {e.event.type for e in services.bus.history(EventQuery(correlation_id=detail["id"], limit=1000))}
    assert any(t.startswith("template") for t in types), types


@pytest.mark.slow  # a real Android build (aapt2, d8, apksigner), not through the builds fixture
def test_every_event_of_a_trend_to_release_build_carries_the_run_id(
        services: Any, tmp_path: Path, qapp: Any, cli: Any) -> None:
    # the build's hooks run later on the Qt thread and its steps on threads: the run's id goes with them
    wf = services.workflows
    base = _setup(services, tmp_path)
    out = tmp_path / "release"
    out.mkdir()
    detail = _run(wf, {"base_template": base, "deploy_dir": str(out), "version": "1.0.0"})
    assert detail["status"] == "succeeded", detail["error"]
    build_id = {s["name"]: s for s in detail["steps"]}["build"]["output"]["build_id"]
    listed = cli("--json", "events", "list", "--correlation", detail["id"], "--type", "build.*", "--limit", "500")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    types = {r["type"] for r in rows if r["payload"].get("build_id") == build_id}
    assert {"build.queued", "build.started", "build.progressed", "build.succeeded", "build.signed",
            "build.deployed"} <= types, types
    assert {r["correlation_id"] for r in rows} == {detail["id"]}


@pytest.mark.slow  # a real Android build (aapt2, d8, apksigner), not through the builds fixture
def test_trend_to_release_gives_the_new_app_its_own_name_id_and_icon(services: Any, tmp_path: Path, qapp: Any) -> None:
    wf = services.workflows
    import zipfile

    from PIL import Image, ImageChops, ImageStat

    from app.store.branding import Branding
    from services.store.icons import write_launcher_icons

    base = _setup(services, tmp_path)
    out = tmp_path / "release"
    out.mkdir()
    detail = _run(wf, {"base_template": base, "deploy_dir": str(out), "version": "1.0.0"})
    assert detail["status"] == "succeeded", detail["error"]
    steps = {s["name"]: s for s in detail["steps"]}
    templates = services.templates
    made, original = templates.get(steps["template"]["output"]["template_id"]), templates.get(base)
    assert made.app_name == "Cozy cat cafe" and made.app_name != original.app_name
    assert made.application_id != original.application_id
    assert made.application_id.startswith(original.application_id + ".")
    # the base's launcher icon as a build of the base makes it, beside the released app's
    base_dir = templates.package_dir(base)
    manifest = json.loads((base_dir / "template.json").read_text())
    base_res = tmp_path / "base-res"
    write_launcher_icons(base_dir / manifest["branding"]["icon"], base_res, Branding.from_manifest(manifest))
    with zipfile.ZipFile(steps["deploy"]["output"]["location"]) as zf:
        (tmp_path / "made.png").write_bytes(zf.read("res/mipmap-xxxhdpi-v4/ic_launcher.png"))
    with Image.open(tmp_path / "made.png") as a, Image.open(base_res / "mipmap-xxxhdpi" / "ic_launcher.png") as b:
        assert a.size == b.size == (192, 192)
        diff = ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean
    assert sum(diff) / 3 > 20, diff  # recognisably recoloured, not a near copy


@pytest.mark.slow  # a real Android build (aapt2, d8, apksigner), not through the builds fixture
def test_trend_to_release_on_its_defaults_signs_with_the_only_key_whatever_its_name(
        services: Any, tmp_path: Path, qapp: Any) -> None:
    # the definition used to default key_alias to 'release' and the sign step refused a build signed by 'upload'
    wf = services.workflows
    base = _setup(services, tmp_path, key="upload")
    out = tmp_path / "release"
    out.mkdir()
    detail = _run(wf, {"base_template": base, "deploy_dir": str(out)})
    assert detail["status"] == "succeeded", detail["error"]
    build = {s["name"]: s for s in detail["steps"]}["build"]["output"]
    assert build["key_alias"] == "upload"
    assert services.builds.get(build["build_id"]).key_alias == "upload"


@pytest.mark.slow  # a real Android build (aapt2, d8, apksigner), not through the builds fixture
def test_trend_to_release_failure_archives_the_template_and_removes_artifacts(services: Any, tmp_path: Path, qapp: Any) -> None:
    wf = services.workflows
    base = _setup(services, tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the deploy folder should be")
    detail = _run(wf, {"base_template": base, "deploy_dir": str(blocker), "version": "1.0.0"})
    steps = {s["name"]: s for s in detail["steps"]}
    assert steps["deploy"]["status"] == "failed", json.dumps(detail, default=str)
    assert detail["status"] == "compensated", [(s["name"], s["compensation_error"]) for s in detail["steps"]]
    assert [steps[n]["status"] for n in ("template", "build", "sign")] == ["compensated", "compensated", "succeeded"]
    new_id = steps["template"]["output"]["template_id"]
    assert services.templates.get(new_id, include_deleted=True).status.value == "archived"
    assert not Path(steps["build"]["output"]["artifact"]).exists()


@pytest.mark.slow  # a real Android build (aapt2, d8, apksigner), not through the builds fixture
def test_cancel_stops_the_running_build_process(services: Any, tmp_path: Path, qapp: Any) -> None:
    wf = services.workflows
    base = _setup(services, tmp_path)
    builds = services.builds
    out = tmp_path / "release"
    out.mkdir()

    async def go() -> str:
        run_id = str(wf.start("trend-to-release", {"base_template": base, "deploy_dir": str(out)}))
        while not builds.list_builds():
            await asyncio.sleep(0.01)
        wf.cancel(run_id)
        await wf.wait(run_id)
        return run_id

    from ui.cli.loop import run_on_loop

    run_id = run_on_loop(go)
    detail = wf.show(run_id)
    assert detail["status"] == "cancelled"
    assert {s["name"]: s["status"] for s in detail["steps"]}["build"] == "cancelled"
    (build,) = builds.list_builds()
    assert build.state.value == "cancelled"
    assert not list(out.iterdir())


def test_trends_pick_action_on_real_trends(services: Any, run: Any, tmp_path: Path) -> None:
    csv = tmp_path / "trends.csv"
    csv.write_text("title,volume\nCozy cat cafe,1000\nRetro pixel art,500\n")
    services.trends.import_csv("reddit", csv)
    detail = run({"name": "pick", "inputs": {"min": {"type": "number", "default": 0}}, "steps": [
        {"name": "pick", "action": "trends.pick", "inputs": {"min_score": "${ctx.min}"}},
        {"name": "say", "action": "notify", "inputs": {"title": "Trend", "message": "${steps.pick.output.title}"}},
    ]})
    assert detail["status"] == "succeeded"
    assert detail["steps"][0]["output"]["title"] == "Cozy cat cafe"
    assert detail["steps"][1]["output"]["message"] == "Cozy cat cafe"
    retro = next(t for t in services.trends.list_trends() if t["title"] == "Retro pixel art")
    chosen = run({"name": "pick3", "inputs": {"trend": {"type": "string"}}, "steps": [
        {"name": "pick", "action": "trends.pick", "inputs": {"trend_id": "${ctx.trend}"}}]}, {"trend": retro["id"]})
    assert chosen["steps"][0]["output"]["title"] == "Retro pixel art"
    too_high = run({"name": "pick2", "steps": [{"name": "pick", "action": "trends.pick", "inputs": {"min_score": 1e9}}]})
    assert too_high["status"] == "failed" and "no trend scores" in too_high["steps"][0]["error"]
    assert too_high["steps"][0]["attempts"] == 1  # NotFoundError is a UserError: not retried


def test_templates_actions_create_from_base_and_archive_as_compensation(services: Any, run: Any) -> None:
    tpl = services.templates
    res = tpl.import_path(Path(str(resources.files("resources.samples") / "quotes-daily")))
    assert res.error is None, res.error
    detail = run({"name": "tpl", "steps": [
        {"name": "template", "action": "templates.create_from_base", "inputs": {"base_id": res.template_id, "title": "Cat Quotes"},
         "compensation": {"action": "templates.archive", "inputs": {"template_id": "${steps.template.output.template_id}"}}},
        {"name": "again", "action": "templates.create_from_base",
         "inputs": {"base_id": res.template_id, "title": "Cat Quotes", "template_id": "${steps.template.output.template_id}"}},
        {"name": "boom", "action": "fail", "inputs": {"message": "later step failed"}},
    ]})
    steps = {s["name"]: s for s in detail["steps"]}
    new_id = steps["template"]["output"]["template_id"]
    assert new_id.startswith("cat-quotes-") and steps["template"]["output"]["created"] is True
    assert steps["again"]["output"]["created"] is False  # running it again finds the same template
    info = tpl.get(new_id, include_deleted=True)
    assert info.title == "Cat Quotes" and info.status.value == "archived"
    # its own app, not an update of the base app: name and application id follow the new template
    shown = info
    assert shown.app_name == "Cat Quotes"
    base_app_id = tpl.get(res.template_id).application_id
    assert shown.application_id == f"{base_app_id}.{new_id.replace('-', '_')}"
    assert detail["status"] == "compensated"
    assert Path(tpl.package_dir(new_id)).is_dir()  # a real copy of the base package (resources and all)
    base_files = {p.name for p in Path(tpl.package_dir(res.template_id)).rglob("*") if p.is_file()}
    copy_files = {p.name for p in Path(tpl.package_dir(new_id)).rglob("*") if p.is_file()}
    assert base_files <= copy_files

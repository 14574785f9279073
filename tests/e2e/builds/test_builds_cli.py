"""The builds CLI as a real subprocess (real keyring via Secret Service under `make test`, real tools)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "resources" / "samples"


def _install_template(cli: Any, data_dir: Path, tmp_path: Path, template_id: str, gradlew: str | None = None) -> None:
    """A template package from the sample's android/ folder, imported through whatever templates
    implementation is present (``templates import``), else placed where imported templates live."""
    pkg = tmp_path / "pkgs" / template_id
    shutil.copytree(SAMPLES / "quotes-daily" / "web", pkg / "web")
    shutil.copyfile(SAMPLES / "quotes-daily" / "icon.png", pkg / "icon.png")
    if gradlew:
        (pkg / "android").mkdir()
        (pkg / "android" / "gradlew").write_text(gradlew)
        (pkg / "android" / "gradlew").chmod(0o755)
    manifest = {"schema_version": 1, "id": template_id, "title": "CLI App", "category": "lifestyle",
                "description": "built from the CLI test", "tags": ["test"], "version": "1.0.0",
                "app_name": "CLI App", "application_id": "com.example.cliapp", "min_sdk": 23, "target_sdk": 36,
                "price": {"amount": 0, "currency": "USD"}, "branding": {"icon": "icon.png"},
                "content": {"quotes": ["from the CLI"]}}
    (pkg / "template.json").write_text(json.dumps(manifest))
    res = cli("templates", "import", str(pkg))
    if res.returncode != 0:
        dest = data_dir / "templates" / template_id
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(pkg, dest)


@pytest.mark.slow
def test_keys_build_deploy_show_stats(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    _install_template(cli, data_dir, tmp_path, "cli-app")
    res = cli("keys", "create", "upload", "--dname", "CN=CLI Test, O=TrendForge, C=US", "--json")
    assert res.returncode == 0, res.stderr
    key = json.loads(res.stdout)
    assert len(key["fingerprint_sha256"]) == 64 and "password" not in res.stdout.lower().replace("keystore:", "")
    listed = json.loads(cli("keys", "list", "--json").stdout)
    assert [k["alias"] for k in listed] == ["upload"]

    dest = tmp_path / "release"
    res = cli("build", "cli-app", "--version", "1.2.0", "--platform", "apk", "--key", "upload",
              "--deploy", f"folder:{dest}")
    assert res.returncode == 0, res.stderr
    assert "signed" in res.stdout or "deployed" in res.stdout
    assert "[" in res.stderr and "sign" in res.stderr  # step progress streamed while waiting
    apk = next(dest.glob("*.apk"))
    out = subprocess.run(["apksigner", "verify", "--print-certs", str(apk)], capture_output=True, text=True)
    assert out.returncode == 0 and key["fingerprint_sha256"] in out.stdout

    builds = json.loads(cli("builds", "list", "--json").stdout)
    assert len(builds) == 1 and builds[0]["state"] == "deployed" and builds[0]["version_code"] == 10200
    shown = json.loads(cli("builds", "show", builds[0]["id"][:8], "--json").stdout)
    assert shown["fingerprint"] == key["fingerprint_sha256"]
    assert shown["log_tail"][-1].startswith("== done: deployed")
    stats = json.loads(cli("builds", "stats", "--json").stdout)
    assert stats == [{"template_id": "cli-app", "platform": "apk", "builds": 1, "succeeded": 1, "failed": 0,
                      "cancelled": 0, "success_rate": 1.0, "mean_s": stats[0]["mean_s"], "p95_s": stats[0]["p95_s"]}]

    # web bundle through the CLI
    res = cli("build", "cli-app", "--version", "1.2.0", "--platform", "web", "--json")
    assert res.returncode == 0, res.stderr
    with zipfile.ZipFile(json.loads(res.stdout)["artifact_path"]) as zf:
        assert {"index.html", "manifest.json", "content.json"} <= set(zf.namelist())


def test_cli_errors_are_one_line(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    res = cli("build", "no-such-template", "--version", "1.0.0")
    assert res.returncode == 1 and res.stderr.count("\n") == 1 and "no template" in res.stderr
    res = cli("build", "whatever", "--version", "1.0")
    assert res.returncode == 1 and "semantic version" in res.stderr
    res = cli("build", "whatever", "--version", "1.0.0", "--platform", "ipa")
    assert res.returncode == 2
    ks = tmp_path / "x.p12"
    subprocess.run(["keytool", "-genkeypair", "-noprompt", "-storetype", "PKCS12", "-keystore", str(ks), "-alias", "k",
                    "-keyalg", "RSA", "-keysize", "2048", "-validity", "100", "-storepass:env", "P", "-keypass:env", "P",
                    "-dname", "CN=X"], check=True, env={**os.environ, "P": "right-password"}, capture_output=True)
    res = cli("keys", "import", "mine", str(ks), input="wrong-password\n")
    assert res.returncode == 1 and "wrong password for keystore" in res.stderr
    res = cli("keys", "import", "mine", str(ks), input="right-password\n")
    assert res.returncode == 0, res.stderr
    res = cli("keys", "create", "typed", "--password-stdin", "--json", input="a-typed-password-123\n")
    assert res.returncode == 0, res.stderr
    assert "a-typed-password-123" not in res.stdout
    res = cli("builds", "show", "0000")
    assert res.returncode == 1 and "no build" in res.stderr


SLOW_GRADLEW = """#!/bin/bash
echo "> Task :app:preBuild UP-TO-DATE"
sleep 300 &
echo $! > "$PIDS_FILE"
echo $$ >> "$PIDS_FILE"
wait
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow
def test_cancel_from_another_process(cli: Any, data_dir: Path, tmp_path: Path) -> None:
    """`builds cancel` beside a running `build`: the owner cancels; no child outlives it."""
    _install_template(cli, data_dir, tmp_path, "slow-app", gradlew=SLOW_GRADLEW)
    ks = tmp_path / "k.p12"
    subprocess.run(["keytool", "-genkeypair", "-noprompt", "-storetype", "PKCS12", "-keystore", str(ks), "-alias", "k",
                    "-keyalg", "RSA", "-keysize", "2048", "-validity", "100", "-storepass:env", "P", "-keypass:env", "P",
                    "-dname", "CN=X"], check=True, env={**os.environ, "P": "right-password"}, capture_output=True)
    assert cli("keys", "import", "k", str(ks), input="right-password\n").returncode == 0
    pids_file = tmp_path / "pids"
    env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    env["PIDS_FILE"] = str(pids_file)
    owner = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "build", "slow-app",
                              "--version", "1.0.0"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (pids_file.exists() and len(pids_file.read_text().split()) >= 2):
            assert time.monotonic() < deadline and owner.poll() is None, owner.stderr.read() if owner.stderr else ""
            time.sleep(0.2)
        build_id = json.loads(cli("builds", "list", "--json").stdout)[0]["id"]
        res = cli("builds", "cancel", build_id)
        assert res.returncode == 0 and "cancel requested" in res.stdout
        _out, err = owner.communicate(timeout=60)
    finally:
        if owner.poll() is None:
            owner.kill()
    assert owner.returncode == 1 and "cancelled" in err
    assert json.loads(cli("builds", "show", build_id, "--json").stdout)["state"] == "cancelled"
    pids = [int(p) for p in pids_file.read_text().split()]
    assert not any(_alive(p) for p in pids)


@pytest.mark.slow
def test_shipped_samples_build_through_the_templates_service(cli: Any, tmp_path: Path) -> None:
    """The real sample packages (their template.json from the templates area), imported and built."""
    res = cli("templates", "import", *(str(SAMPLES / t) for t in ("quotes-daily", "trivia-quiz", "wallpaper-pack")))
    assert res.returncode == 0, res.stderr
    assert cli("keys", "create", "upload").returncode == 0
    res = cli("build", "trivia-quiz", "--version", "1.0.0", "--json")
    assert res.returncode == 0, res.stderr
    apk = json.loads(res.stdout)["artifact_path"]
    manifest = json.loads((SAMPLES / "trivia-quiz" / "template.json").read_text())
    badging = subprocess.run(["aapt2", "dump", "badging", apk], capture_output=True, text=True, check=True).stdout
    assert f"package: name='{manifest['application_id']}' versionCode='10000' versionName='1.0.0'" in badging
    assert f"application-label:'{manifest['app_name']}'" in badging
    with zipfile.ZipFile(apk) as zf:
        assert json.loads(zf.read("assets/content.json")) == manifest["content"]
    # the templates area shows the build figures registered by the builds area
    stats = json.loads(cli("templates", "show", "trivia-quiz", "--json").stdout)["stats"]
    assert stats["builds"] == 1 and stats["build_success_rate"] == 1.0

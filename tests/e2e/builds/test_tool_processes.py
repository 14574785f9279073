"""No tool outlives its CLI: real processes, real signals (the CLI as a subprocess, stand-in gradlew/apksigner)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "resources" / "samples" / "quotes-daily"

# a stand-in gradle wrapper that starts a child of its own (as gradle starts java) and waits
SLOW_TOOL = """#!/bin/bash
sleep 300 &
echo $! > "$PIDS_FILE.tmp"
echo $$ >> "$PIDS_FILE.tmp"
mv "$PIDS_FILE.tmp" "$PIDS_FILE"
echo "> Task :app:preBuild UP-TO-DATE"
wait
"""


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    env.update(extra or {})
    return env


def tf(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, env=_env(env), timeout=180, check=False)


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, IndexError):
        return False


def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _package(tmp_path: Path, template_id: str, gradlew: str | None) -> Path:
    pkg = tmp_path / "pkgs" / template_id
    shutil.copytree(SAMPLE, pkg)
    manifest = json.loads((pkg / "template.json").read_text())
    manifest["id"] = template_id
    (pkg / "template.json").write_text(json.dumps(manifest))
    if gradlew is not None:
        (pkg / "android").mkdir(exist_ok=True)
        (pkg / "android" / "gradlew").write_text(gradlew)
        (pkg / "android" / "gradlew").chmod(0o755)
    return pkg


@pytest.fixture
def prepared(tmp_path: Path) -> Path:
    """A data dir with a key and two templates: one built by a stand-in gradlew, one by the direct pipeline."""
    data = tmp_path / "home"
    for template_id, gradlew in (("slow-gradle", SLOW_TOOL), ("direct-app", None)):
        res = tf(data, "templates", "import", str(_package(tmp_path, template_id, gradlew)))
        assert res.returncode == 0, res.stderr
    assert tf(data, "keys", "create", "upload").returncode == 0
    return data


@pytest.fixture
def owner_of(tmp_path: Path) -> Iterator[Callable[..., tuple[subprocess.Popen[str], list[int]]]]:
    started: list[subprocess.Popen[str]] = []
    pids_file = tmp_path / "pids"

    def start(data: Path, template_id: str, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], list[int]]:
        proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data), "build", template_id,
                                 "--version", "1.0.0"], env=_env({"PIDS_FILE": str(pids_file), **(extra_env or {})}),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        started.append(proc)
        _until(lambda: pids_file.exists() or proc.poll() is not None, 90, "the tool to start")
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        return proc, [int(p) for p in pids_file.read_text().split()]

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_a_tool_dies_with_its_sigkilled_cli(prepared: Path,
                                            owner_of: Callable[..., tuple[subprocess.Popen[str], list[int]]]) -> None:
    owner, (_grandchild, tool) = owner_of(prepared, "slow-gradle")
    owner.kill()
    owner.wait(10)
    _until(lambda: not _alive(tool), 5, "the parent-death signal to end gradlew")


def test_the_next_start_ends_what_a_sigkilled_cli_left_running(
        prepared: Path, owner_of: Callable[..., tuple[subprocess.Popen[str], list[int]]]) -> None:
    owner, (grandchild, _tool) = owner_of(prepared, "slow-gradle")
    owner.kill()
    owner.wait(10)
    time.sleep(0.5)  # not a synchronisation: shows that nothing else ends the tool's own child
    assert _alive(grandchild)
    listed = tf(prepared, "builds", "list", "--json")  # any start of the app runs recovery
    assert listed.returncode == 0, listed.stderr
    _until(lambda: not _alive(grandchild), 5, "recovery to end the orphaned group")
    assert json.loads(listed.stdout)[0]["state"] == "failed"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_an_ending_signal_to_the_cli_ends_its_tools(prepared: Path, sig: signal.Signals,
                                                    owner_of: Callable[..., tuple[subprocess.Popen[str], list[int]]]) -> None:
    owner, pids = owner_of(prepared, "slow-gradle")
    owner.send_signal(sig)
    assert owner.wait(10) == -sig
    _until(lambda: not any(_alive(p) for p in pids), 2, "the tool group to end")
    assert f"stopped by {sig.name}" in (owner.stderr.read() if owner.stderr else "")


def test_sigterm_during_apksigner_leaves_no_child(prepared: Path, tmp_path: Path,
                                                  owner_of: Callable[..., tuple[subprocess.Popen[str], list[int]]]) -> None:
    # apksigner on PATH is a stand-in that starts a child and waits: the real tools build the APK up to it
    shims = tmp_path / "shims"
    shims.mkdir()
    (shims / "apksigner").write_text(SLOW_TOOL)
    (shims / "apksigner").chmod(0o755)
    owner, pids = owner_of(prepared, "direct-app", {"PATH": f"{shims}:{os.environ['PATH']}"})
    owner.send_signal(signal.SIGTERM)
    assert owner.wait(10) == -signal.SIGTERM
    _until(lambda: not any(_alive(p) for p in pids), 2, "apksigner's group to end")


def test_ctrl_c_with_no_tool_running_stays_a_clean_interrupt(tmp_path: Path) -> None:
    # `payments listen` stops on Ctrl-C and exits 0: the tool-ending handler leaves that alone
    data = tmp_path / "home"
    set_token = subprocess.run([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data), "credentials", "set",
                                "kofi"], input="kofi-token-sigint\n", capture_output=True, text=True, env=_env(),
                               timeout=120, check=False)
    assert set_token.returncode == 0, set_token.stderr
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--data-dir", str(data), "payments", "listen",
                             "--port", "0", "--seconds", "60"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=_env())
    try:
        assert proc.stdout is not None and "listening" in proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)

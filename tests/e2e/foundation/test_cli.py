"""The CLI as a user runs it: a subprocess per command, exit codes per the contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

CliRunner = Callable[..., subprocess.CompletedProcess[str]]


def test_health_json(cli: CliRunner) -> None:
    r = cli("health", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["status"] in {"ok", "degraded"}
    assert {s["name"] for s in report["services"]} >= {"events", "keyring"}


def test_json_flag_before_command(cli: CliRunner) -> None:
    r = cli("--json", "doctor")
    assert r.returncode == 0, r.stderr
    names = {c["name"] for c in json.loads(r.stdout)}
    assert {"data_dir", "database", "keyring", "tool:aapt2", "tool:apksigner"} <= names


def test_usage_error_exits_2(cli: CliRunner) -> None:
    r = cli("no-such-command")
    assert r.returncode == 2
    assert "invalid choice" in r.stderr


def test_domain_error_exits_1_with_one_line(cli: CliRunner) -> None:
    r = cli("events", "list", "--since", "yesterday-ish")
    assert r.returncode == 1
    assert r.stderr.strip().count("\n") == 0
    assert "ISO-8601" in r.stderr


def test_credentials_via_real_keyring_and_events(cli: CliRunner) -> None:
    secret = "tok_" + uuid.uuid4().hex
    r = cli("credentials", "set", "gumroad", input=secret)
    assert r.returncode == 0, r.stderr
    assert secret not in r.stdout + r.stderr
    listed = json.loads(cli("credentials", "list", "--json").stdout)
    assert {"name": "gumroad"} in listed
    events = json.loads(cli("events", "list", "--type", "credential.*", "--json").stdout)
    assert [e["type"] for e in events] == ["credential.set"]
    assert secret not in json.dumps(events)
    assert cli("credentials", "delete", "gumroad").returncode == 0
    again = cli("credentials", "delete", "gumroad")
    assert again.returncode == 1 and "no credential named gumroad" in again.stderr


def test_empty_secret_is_refused(cli: CliRunner) -> None:
    r = cli("credentials", "set", "stripe", input="")
    assert r.returncode == 1
    assert "no secret on stdin" in r.stderr


def test_a_publishable_stripe_key_is_refused_in_one_line(cli: CliRunner) -> None:
    r = cli("credentials", "set", "stripe", input="pk_live_51Habc")
    assert r.returncode == 1 and r.stderr.strip().count("\n") == 0
    assert "publishable key" in r.stderr and "nothing was stored" in r.stderr
    assert "stripe" not in cli("credentials", "list").stdout


def test_events_replay_and_counts(cli: CliRunner) -> None:
    cli("credentials", "set", "kofi", input="verif-token-1")
    r = cli("events", "replay", "--since", "2000-01-01T00:00:00Z", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["replayed"] >= 1
    counts = json.loads(cli("events", "counts", "--json").stdout)
    assert counts.get("credential.set") == 1


def test_version(cli: CliRunner) -> None:
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("TrendForge ")


def test_closed_pipe_is_not_a_traceback(data_dir: object) -> None:
    import os
    import sys
    from pathlib import Path

    from app.events import AppStarted
    from services.bootstrap import bootstrap
    from services.config import AppConfig
    from services.secrets import MemorySecretStore

    manager = bootstrap(AppConfig(data_dir=Path(str(data_dir)), log_to_file=False), secrets=MemorySecretStore())
    manager.bus.publish_batch([AppStarted(version=str(i)) for i in range(5000)])  # megabytes of JSON to print
    manager.close()
    root = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    proc = subprocess.run(
        f"'{sys.executable}' '{root / 'main.py'}' --data-dir '{data_dir}' events list --limit 0 | head -c 10",
        shell=True, capture_output=True, text=True, env=env, check=False, timeout=60,
    )
    assert proc.stdout.startswith("SEQ")
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr[-500:]


def run_into_closed_pipe(argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command whose stdout is a pipe nobody reads any more (`cmd | true` after true has exited)."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(argv, stdout=write_end, stderr=subprocess.PIPE, text=True, env=env, check=False, timeout=120)
    finally:
        os.close(write_end)


@pytest.mark.parametrize("args", [["--version"], ["health", "--json"], ["templates", "list"]])
def test_a_closed_pipe_ends_quietly_with_exit_0(data_dir: Path, args: list[str]) -> None:
    root = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if k != "TRENDFORGE_HOME"}
    proc = run_into_closed_pipe([sys.executable, str(root / "main.py"), "--data-dir", str(data_dir), *args], env=env)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert "Exception ignored" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr[-500:]

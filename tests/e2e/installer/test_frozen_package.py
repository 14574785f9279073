"""Build the PyInstaller package once and drive the frozen binary as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# the first test builds the installer (PyInstaller, the .deb): minutes on a busy 2-core machine
pytestmark = pytest.mark.timeout(1800)
# PySide6 ~92 MB, the Temporal SDK ~26 MB and psycopg ~12 MB (team mode), Pillow ~14 MB: 216 MB measured
BUDGET_MB = 240


def frozen(package: Path, *args: str, data_dir: Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k not in {"TRENDFORGE_HOME", "PYTHONPATH", "VIRTUAL_ENV"}}
    full_env.update(env or {})
    return subprocess.run(
        [str(package / "trendforge" / "trendforge"), "--data-dir", str(data_dir), *args],
        capture_output=True, text=True, timeout=timeout, check=False, env=full_env, cwd=package,
    )


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def test_layout_size_and_contents(package: Path) -> None:
    bundle = package / "trendforge"
    assert (bundle / "trendforge").is_file() and os.access(bundle / "trendforge", os.X_OK)
    desktop = (bundle / "trendforge.desktop").read_text()
    assert "Exec=trendforge" in desktop and "Type=Application" in desktop
    assert _size_mb(bundle) < BUDGET_MB
    names = [str(p.relative_to(bundle)) for p in bundle.rglob("*")]
    assert not [n for n in names if "WebEngine" in n], "WebEngine must not be bundled"
    assert not [n for n in names if "libqgtk3" in n], "the GTK platform theme must not be bundled"
    assert [n for n in names if n.endswith("platforms/libqxcb.so")], "the X11 platform plugin is needed"
    assert [n for n in names if n.endswith("keyring-25.7.0.dist-info/entry_points.txt")], "keyring backends need their metadata"
    archives = list(package.glob("trendforge-*-linux-*.tar.gz"))
    assert len(archives) == 1
    with tarfile.open(archives[0]) as tar:
        assert "trendforge/trendforge" in tar.getnames()


def test_version(package: Path, tmp_path: Path) -> None:
    r = frozen(package, "--version", data_dir=tmp_path / "d")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("TrendForge ")


def test_health_json_and_migrations_from_bundle(package: Path, tmp_path: Path) -> None:
    r = frozen(package, "health", "--json", data_dir=tmp_path / "d")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["data_dir"] == str(tmp_path / "d")
    assert (tmp_path / "d" / "trendforge.sqlite3").is_file()
    events = frozen(package, "events", "list", "--json", data_dir=tmp_path / "d")
    assert events.returncode == 0 and json.loads(events.stdout) == []


def test_gui_starts_offscreen_creates_data_dir_and_exits_cleanly(package: Path, tmp_path: Path) -> None:
    data = tmp_path / "first-run"
    r = frozen(package, "--quit-after", "1", data_dir=data, env={"QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 0, r.stderr[-3000:]
    assert f"created data directory {data}" in r.stderr
    assert (data / "trendforge.sqlite3").is_file()
    assert (data / "ui.ini").is_file()  # the window saved its state on close


def test_templates_import_of_a_bundled_sample(package: Path, tmp_path: Path) -> None:
    sample = package / "trendforge" / "_internal" / "resources" / "samples" / "quotes-daily"
    assert (sample / "template.json").is_file(), "the sample templates must be bundled"
    data = tmp_path / "d"
    r = frozen(package, "templates", "import", str(sample), data_dir=data)
    assert r.returncode == 0, r.stderr
    shown = frozen(package, "templates", "show", "quotes-daily", "--json", data_dir=data)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["title"] == "Quotes Daily"


def test_build_a_signed_apk_from_the_frozen_app(package: Path, tmp_path: Path) -> None:
    sample = package / "trendforge" / "_internal" / "resources" / "samples" / "quotes-daily"
    data = tmp_path / "d"
    assert frozen(package, "templates", "import", str(sample), data_dir=data).returncode == 0
    key = frozen(package, "keys", "create", "frozen-upload", "--json", data_dir=data)
    assert key.returncode == 0, key.stderr
    fingerprint = json.loads(key.stdout)["fingerprint_sha256"]
    dest = tmp_path / "release"
    built = frozen(
        package, "build", "quotes-daily", "--version", "1.0.1", "--platform", "apk", "--key", "frozen-upload",
        "--deploy", f"folder:{dest}", data_dir=data, timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    apk = next(dest.glob("*.apk"))
    verify = subprocess.run(["apksigner", "verify", "--print-certs", str(apk)], capture_output=True, text=True, check=False)
    assert verify.returncode == 0 and fingerprint in verify.stdout
    badging = subprocess.run(["aapt2", "dump", "badging", str(apk)], capture_output=True, text=True, check=False)
    assert "package: name='com.trendforge.quotes'" in badging.stdout
    assert "versionName='1.0.1'" in badging.stdout


@pytest.mark.parametrize("args", [["--version"], ["health", "--json"]])
def test_frozen_binary_ends_quietly_on_a_closed_pipe(package: Path, tmp_path: Path, args: list[str]) -> None:
    """`trendforge health --json | true`: the reader is gone before anything is written (it exited 120 before)."""
    env = {k: v for k, v in os.environ.items() if k not in {"TRENDFORGE_HOME", "PYTHONPATH", "VIRTUAL_ENV"}}
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        r = subprocess.run([str(package / "trendforge" / "trendforge"), "--data-dir", str(tmp_path / "d"), *args],
                           stdout=write_end, stderr=subprocess.PIPE, text=True, env=env, check=False, timeout=120)
    finally:
        os.close(write_end)
    assert r.returncode == 0, r.stderr[-500:]
    assert "Exception ignored" not in r.stderr and "BrokenPipe" not in r.stderr, r.stderr[-500:]

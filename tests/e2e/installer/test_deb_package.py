"""The .deb that `make installer` builds: control fields, file list, and the program run from the unpacked tree.

`apt install ./trendforge_VERSION_amd64.deb` on a bare Debian is `scripts/bare_machine_check.sh` (on demand: it
downloads a base system); here the package is checked with dpkg-deb and lintian, which need no network.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

import app

ROOT = Path(__file__).resolve().parents[3]
# the first test builds the installer (PyInstaller, the .deb): minutes on a busy 2-core machine
pytestmark = pytest.mark.timeout(1800)
# libraries the bundle carries itself: depending on them would pull packages nobody needs
CARRIED = ("libssl3", "libsqlite3-0", "libpython3", "libfontconfig1", "libfreetype6", "libxkbcommon0", "libdbus-1-3",
           "libglib2.0-0", "libx11-6", "libxcb-cursor0", "libzstd1", "libstdc++6", "libicu")


def _deb(package: Path) -> Path:
    debs = list(package.glob("trendforge_*_*.deb"))
    assert len(debs) == 1, debs
    return debs[0]


def _fields(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = ""
    for line in text.splitlines():
        if line.startswith(" ") and key:
            fields[key] += "\n" + line
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip()
            fields[key] = value.strip()
    return fields


def _names(relation: str) -> set[str]:
    return {re.split(r"[ (]", alt.strip())[0] for part in relation.split(",") for alt in part.split("|") if alt.strip()}


@pytest.fixture(scope="module")
def control(package: Path) -> dict[str, str]:
    text = subprocess.run(["dpkg-deb", "--field", str(_deb(package))], capture_output=True, text=True, check=True).stdout
    return _fields(text)


@pytest.fixture(scope="module")
def contents(package: Path) -> dict[str, str]:
    """Path in the package -> the line dpkg-deb --contents prints for it."""
    out = subprocess.run(["dpkg-deb", "--contents", str(_deb(package))], capture_output=True, text=True, check=True).stdout
    listing: dict[str, str] = {}
    for line in out.splitlines():
        path = line.split(None, 5)[5].split(" -> ")[0]
        listing[path.removeprefix(".").rstrip("/") or "/"] = line
    return listing


def test_file_name_and_control_fields(package: Path, control: dict[str, str]) -> None:
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True, check=True).stdout.strip()
    assert _deb(package).name == f"trendforge_{app.__version__}_{arch}.deb"
    assert control["Package"] == "trendforge"
    assert control["Version"] == app.__version__
    assert control["Architecture"] == arch
    assert control["Maintainer"] and control["Description"].startswith("desktop control center")


def test_depends_on_what_the_window_needs_and_nothing_the_bundle_carries(control: dict[str, str]) -> None:
    depends = _names(control["Depends"])
    assert {"libc6", "libgl1", "libegl1", "libxcb1", "libwayland-cursor0", "libwayland-egl1", "fontconfig-config",
            "fonts-dejavu-core"} <= depends
    assert not [d for d in depends if d.startswith(CARRIED)], control["Depends"]


def test_keyring_recommended_android_tools_suggested(control: dict[str, str]) -> None:
    assert {"gnome-keyring", "dbus-user-session"} <= _names(control["Recommends"])
    assert {"apksigner", "zipalign", "aapt", "android-framework-res", "libsmali-java",
            "openjdk-17-jdk-headless"} <= _names(control["Suggests"])
    assert not _names(control["Depends"]) & _names(control["Suggests"])


def test_info_agrees_with_the_bundle_size(package: Path, control: dict[str, str]) -> None:
    bundle_kb = sum(p.stat().st_size for p in (package / "trendforge").rglob("*") if p.is_file() and not p.is_symlink()) / 1024
    info = subprocess.run(["dpkg-deb", "--info", str(_deb(package))], capture_output=True, text=True, check=True).stdout
    assert f"Installed-Size: {control['Installed-Size']}" in info
    assert bundle_kb <= int(control["Installed-Size"]) <= bundle_kb * 1.1 + 1024


def test_contents_hold_the_bundle_under_opt(package: Path, contents: dict[str, str]) -> None:
    bundle = package / "trendforge"
    for path in bundle.rglob("*"):
        rel = path.relative_to(bundle)
        if rel.name in {"trendforge.desktop", "trendforge.svg", "INSTALL.txt"} and len(rel.parts) == 1:
            continue  # the tarball's extras: the .deb puts them in the system places instead
        line = contents.get(f"/opt/trendforge/{rel}")
        assert line is not None, f"{rel} missing from the .deb"
        if path.is_file() and not path.is_symlink():
            assert int(line.split()[2]) == path.stat().st_size, rel
    assert contents["/opt/trendforge/trendforge"].startswith("-rwxr-xr-x root/root")
    assert not [p for p, line in contents.items() if ".so" in p and line.startswith("-rwx")], "libraries are not executables"


def test_command_menu_entry_icons_and_docs_in_the_standard_places(contents: dict[str, str]) -> None:
    assert contents["/usr/bin/trendforge"].endswith("/usr/bin/trendforge -> /opt/trendforge/trendforge")
    for path in ("/usr/share/applications/trendforge.desktop", "/usr/share/icons/hicolor/scalable/apps/trendforge.svg",
                 "/usr/share/icons/hicolor/48x48/apps/trendforge.png", "/usr/share/icons/hicolor/256x256/apps/trendforge.png",
                 "/usr/share/man/man1/trendforge.1.gz", "/usr/share/doc/trendforge/copyright",
                 "/usr/share/doc/trendforge/changelog.gz"):
        assert path in contents, path
    outside = [p for p in contents if p != "/" and not p.startswith(("/opt/trendforge", "/usr/bin", "/usr/share"))
               and p not in {"/opt", "/usr"}]
    assert outside == []
    owners = {line.split()[1] for line in contents.values()}
    assert owners == {"root/root"}


def test_nothing_runs_at_install_or_remove_so_remove_leaves_no_file(package: Path, tmp_path: Path) -> None:
    control_dir = tmp_path / "DEBIAN"
    subprocess.run(["dpkg-deb", "--control", str(_deb(package)), str(control_dir)], check=True)
    assert sorted(p.name for p in control_dir.iterdir()) == ["control", "md5sums"]
    unpacked = tmp_path / "root"
    subprocess.run(["dpkg-deb", "--extract", str(_deb(package)), str(unpacked)], check=True)
    r = subprocess.run(["md5sum", "--check", "--quiet", str(control_dir / "md5sums")], cwd=unpacked, capture_output=True,
                       text=True, check=False)
    assert r.returncode == 0, r.stdout[-1000:] + r.stderr[-1000:]


def test_the_command_runs_through_a_symlink_from_the_unpacked_package(package: Path, tmp_path: Path) -> None:
    """As /usr/bin/trendforge does: the bundle finds its own files through a link from another folder."""
    unpacked = tmp_path / "root"
    subprocess.run(["dpkg-deb", "--extract", str(_deb(package)), str(unpacked)], check=True)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "trendforge").symlink_to(unpacked / "opt" / "trendforge" / "trendforge")
    env = {k: v for k, v in os.environ.items() if k not in {"TRENDFORGE_HOME", "PYTHONPATH", "VIRTUAL_ENV"}}
    r = subprocess.run([str(tmp_path / "bin" / "trendforge"), "--data-dir", str(tmp_path / "d"), "health", "--json"],
                       capture_output=True, text=True, env=env, check=False, timeout=120)
    assert r.returncode == 0, r.stderr[-1000:]
    assert '"status"' in r.stdout


def test_lintian_tags_are_each_explained(package: Path) -> None:
    explained = {line.split("#")[0].strip() for line in (ROOT / "packaging" / "lintian-explained.txt").read_text().splitlines()}
    explained.discard("")
    r = subprocess.run(["lintian", "--no-tag-display-limit", str(_deb(package))], capture_output=True, text=True,
                       check=False, timeout=900)
    tags = {line.split(": ", 2)[2].split()[0] for line in r.stdout.splitlines() if re.match(r"^[EWIP]: trendforge", line)}
    assert tags <= explained, f"unexplained lintian tags: {sorted(tags - explained)}\n{r.stdout[-3000:]}"

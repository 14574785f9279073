"""The Settings dialog's toolchain paths reach the tools: extra PATH folders and JAVA_HOME come first."""

from __future__ import annotations

import os
from pathlib import Path

from services.bootstrap import Services


def test_toolchain_settings_build_the_child_environment(services: Services, tmp_path: Path) -> None:
    assert services.builds.toolchain_env() == {}  # nothing set: the inherited environment is used as is
    services.settings.update({
        "toolchain.extra_path": f"{tmp_path / 'sdk' / 'build-tools'}{os.pathsep}{tmp_path / 'more'}",
        "toolchain.java_home": str(tmp_path / "jdk"),
        "toolchain.android_home": str(tmp_path / "sdk"),
    })
    env = services.builds.toolchain_env()
    assert env["JAVA_HOME"] == str(tmp_path / "jdk")
    assert env["ANDROID_HOME"] == str(tmp_path / "sdk")
    parts = env["PATH"].split(os.pathsep)
    assert parts[:3] == [str(tmp_path / "sdk" / "build-tools"), str(tmp_path / "more"), str(tmp_path / "jdk" / "bin")]
    assert parts[3:] == os.environ["PATH"].split(os.pathsep)


def test_a_tool_in_an_extra_folder_is_found_first(services: Services, tmp_path: Path) -> None:
    from services.builds.tools import resolve_tool

    folder = tmp_path / "tools"
    folder.mkdir()
    fake = folder / "zipalign"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    services.settings.update({"toolchain.extra_path": str(folder)})
    assert resolve_tool("zipalign", services.builds.toolchain_env()["PATH"]) == str(fake)

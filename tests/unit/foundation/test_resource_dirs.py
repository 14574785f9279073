"""Resource folders are found on disk whatever reader importlib gives (a real path, or the frozen app's)."""

from __future__ import annotations

from importlib import resources
from importlib.readers import MultiplexedPath
from pathlib import Path

import pytest

from services.resource_dirs import resource_dir


def test_a_checkout_gives_the_package_folder() -> None:
    folder = resource_dir("resources.runtime")
    assert (folder / "android" / "AndroidManifest.xml").is_file()


def test_a_multiplexed_reader_gives_a_real_folder_not_its_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    # the PyInstaller bundle's reader: code in the archive, data files in a folder (mocked: no bundle in unit tests)
    real = Path(str(resources.files("resources.runtime")))
    monkeypatch.setattr(resources, "files", lambda package: MultiplexedPath(str(real)))
    folder = resource_dir("resources.runtime")
    assert "MultiplexedPath" not in str(folder)
    assert (folder / "android" / "AndroidManifest.xml").is_file()

"""The folder on disk that holds a resource package's files, in a checkout, an installed venv and the frozen app.

``Path(str(importlib.resources.files(pkg)))`` works only where ``files()`` returns a real path. In the PyInstaller
bundle a package's code lives in the archive and its data files in a folder, and ``files()`` returns a
``MultiplexedPath`` whose ``str()`` is its repr: builds then looked for ``MultiplexedPath('…')/android/…``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_dir(package: str) -> Path:
    """The folder of ``package`` (e.g. ``resources.samples``) on disk."""
    root = resources.files(package)
    if isinstance(root, Path):
        return root
    # a reader over several folders (the frozen app): joinpath answers with a real path inside the first one
    return Path(str(root.joinpath("__init__.py"))).parent

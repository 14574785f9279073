"""Print every ELF file (executables and shared libraries) under a folder, NUL-separated, for the packaging scripts.

Usage: python scripts/list_elf.py DIR
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(top: str) -> int:
    for path in sorted(Path(top).rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as f:
                if f.read(4) == b"\x7fELF":
                    sys.stdout.write(f"{path}\0")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

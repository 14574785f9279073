"""Files the user asked for (exports) are written whole or not at all.

:func:`write_text_atomically` writes a hidden sibling, syncs it, then renames it over the
destination: a reader (or a crash) never sees half a file, and a failure leaves the old file as
it was and no temp file behind.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO, TypeVar

T = TypeVar("T")


def write_text_atomically(dest: Path, write: Callable[[IO[str]], T], *, newline: str = "") -> T:
    dest = Path(dest)
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.part")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with open(fd, "w", newline=newline, encoding="utf-8") as fh:
            result = write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return result

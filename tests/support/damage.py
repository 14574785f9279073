"""Data dirs damaged on purpose: a newer schema, a truncated file, an overwritten header, read-only, full."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

DB_NAME = "trendforge.sqlite3"


def newer_schema(data_dir: Path) -> None:
    conn = sqlite3.connect(data_dir / DB_NAME)
    conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future' "
                 "WHERE rowid = (SELECT min(rowid) FROM alembic_version)")
    conn.commit()
    conn.close()


def truncated(data_dir: Path) -> None:
    db = data_dir / DB_NAME
    with db.open("r+b") as fh:
        fh.truncate(db.stat().st_size // 3)


def overwritten_header(data_dir: Path) -> None:
    with (data_dir / DB_NAME).open("r+b") as fh:
        fh.write(b"\x00" * 100)


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "newer schema": (newer_schema, "was written by a newer TrendForge (schema 9999_from_the_future"),
    "truncated file": (truncated, "is truncated"),
    "overwritten header": (overwritten_header, "is not a SQLite database (its header is damaged)"),
}


def _run(*args: str) -> None:
    subprocess.run(list(args), check=True, capture_output=True)


@contextmanager
def read_only(data_dir: Path) -> Iterator[Path]:
    """``data_dir`` seen through a read-only bind mount (root may write anything, so chmod proves nothing)."""
    view = data_dir.parent / f"ro-{uuid.uuid4().hex[:8]}"
    view.mkdir()
    _run("mount", "--bind", str(data_dir), str(view))
    try:
        _run("mount", "-o", "remount,bind,ro", str(view))
        yield view
    finally:
        _run("umount", str(view))
        view.rmdir()


@contextmanager
def small_disk(where: Path, size: str = "3m") -> Iterator[Path]:
    """A real tmpfs of ``size`` mounted at ``where`` (unmounted on exit)."""
    where.mkdir(parents=True, exist_ok=True)
    _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where))
    try:
        yield where
    finally:
        _run("umount", "-l", str(where))


def can_mount() -> bool:
    return os.geteuid() == 0

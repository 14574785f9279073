"""Opening the store: a damaged data dir gives one line naming the file and what to do.

A database from a newer TrendForge (an Alembic revision this version does not know), a
truncated file, an overwritten header, a read-only data dir or a full disk all used to end in
a 60-line traceback (SQLAlchemy, sqlite3, Alembic). :func:`open_store` checks what can be
checked before opening, maps what SQLite and Alembic raise while opening to
:class:`StoreError`, and is the only place that decides these messages.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

import app
from app.errors import UserError
from services.config import AppConfig
from services.db import migrate
from services.db.backend import DatabaseUrlError, describe, parse_url
from services.db.base import make_engine, sqlite_url
from services.db.store_choice import StoreSource, parse_saveable, saved_file

SQLITE_MAGIC = b"SQLite format 3\x00"
RESTORE = "restore it from a backup, or move it aside to start with an empty database"


class StoreError(UserError):
    """The data dir or its database cannot be used; the message names the file and the remedy."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


def disk_full(where: Path) -> StoreError:
    return StoreError(f"the disk holding {where} is full: free some space there and try again", where)


def is_disk_full(exc: BaseException, where: Path | None = None) -> bool:
    """Did ``exc`` happen because the disk (holding ``where``) is full? SQLite says so in several ways."""
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(exc).lower()
    if "database or disk is full" in text or "no space left on device" in text:
        return True
    if "disk i/o error" in text and where is not None:  # a WAL write that hit the end of the disk
        try:
            return shutil.disk_usage(where).free < 1024 * 1024
        except OSError:
            return False
    return False


def prepare_data_dir(data_dir: Path) -> None:
    """Create the data dir (owner-only) and prove it is writable."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if data_dir.stat().st_mode & 0o077:
            data_dir.chmod(0o700)  # keys, logs and the database are the owner's alone
    except OSError as exc:
        raise _dir_error(data_dir, exc) from None
    try:
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise _dir_error(data_dir, exc) from None


def _dir_error(data_dir: Path, exc: OSError) -> StoreError:
    if is_disk_full(exc):
        return disk_full(data_dir)
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreError(f"the data directory {data_dir} is not writable ({exc.strerror}): fix its permissions "
                          "(or remount it read-write), or choose another data directory", data_dir)
    return StoreError(f"cannot use the data directory {data_dir}: {exc.strerror or exc}", data_dir)


def check_db_file(db: Path) -> None:
    """Refuse a file that is not SQLite or is shorter than its own header says, before SQLite sees it."""
    try:
        with db.open("rb") as fh:
            header = fh.read(100)
        size = db.stat().st_size
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot read the database {db} ({exc.strerror}): fix its permissions", db) from None
    if not header:
        return  # an empty file is a new database to SQLite
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        raise StoreError(f"{db} is not a SQLite database (its header is damaged): {RESTORE}", db)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96]  # "version-valid-for" matches the change counter
    if header_valid and pages and size < pages * page_size:
        raise StoreError(f"{db} is truncated ({size} of {pages * page_size} bytes): {RESTORE}", db)


def _owner_only(db: Path) -> None:
    """Create the database file 0600 (SQLite gives its -wal and -shm files the same mode), or tighten it."""
    try:
        fd = os.open(db, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        if db.stat().st_mode & 0o077:
            db.chmod(0o600)
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full(db.parent) from None
        raise StoreError(f"the database {db} cannot be written ({exc.strerror}): fix the permissions of it and "
                         f"of {db.parent}, or choose another data directory", db) from None


def _newer_revisions(engine: Engine) -> set[str]:
    return migrate.current_revisions(engine) - migrate.known_revisions()


def open_store(config: AppConfig) -> Engine:
    """The migrated engine for the data dir's database (or the shared one), or a :class:`StoreError`."""
    prepare_data_dir(config.data_dir)
    if config.database_url is not None:
        return _open_shared(config, config.database_url)
    db = config.db_path
    check_db_file(db)
    _owner_only(db)
    engine = make_engine(sqlite_url(db))
    try:
        newer = _newer_revisions(engine)
        if newer:
            raise StoreError(
                f"{db} was written by a newer TrendForge (schema {', '.join(sorted(newer))} is unknown to "
                f"TrendForge {app.__version__}): upgrade TrendForge, or restore a backup made with this version", db)
        migrate.upgrade(engine)
    except StoreError:
        engine.dispose()
        raise
    except (DBAPIError, sqlite3.Error, OSError) as exc:
        engine.dispose()
        raise _open_error(config, exc) from None
    return engine


def _open_shared(config: AppConfig, given: str) -> Engine:
    """A shared PostgreSQL (or a SQLite file named by URL), migrated; its problems in one line."""
    saved = config.store_source is StoreSource.SETTING
    # a URL saved in Settings is fixed there, once TrendForge starts on another store
    way_back = (f" (the URL saved in Settings, {saved_file(config.data_dir)}): start on another store (a database "
                "URL given when starting) and fix it in Settings > Shared store, or delete that file" if saved else "")
    try:
        url = parse_saveable(given) if saved else parse_url(given)
    except DatabaseUrlError as exc:
        raise StoreError(f"{exc}{way_back}", config.data_dir) from None
    where = describe(url)
    engine = make_engine(url)
    try:
        newer = _newer_revisions(engine)
        if newer:
            raise StoreError(
                f"the database {where} was written by a newer TrendForge (schema {', '.join(sorted(newer))} is "
                f"unknown to TrendForge {app.__version__}): upgrade TrendForge on this machine", config.data_dir)
        migrate.upgrade(engine)
    except StoreError:
        engine.dispose()
        raise
    except (DBAPIError, OSError) as exc:
        engine.dispose()
        original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
        reason = " ".join(str(original).split()) or type(original).__name__
        raise StoreError(f"cannot open the database {where} ({reason}): check that the server runs and that "
                         f"the database URL, user and database name are right{way_back}", config.data_dir) from None
    return engine


def _open_error(config: AppConfig, exc: BaseException) -> StoreError:
    db = config.db_path
    original: BaseException = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    text = str(original).lower()
    if is_disk_full(original):
        return disk_full(config.data_dir)
    if "not a database" in text:
        return StoreError(f"{db} is not a SQLite database (its header is damaged): {RESTORE}", db)
    if "malformed" in text or "corrupt" in text:
        return StoreError(f"{db} is damaged ({original}): {RESTORE}", db)
    if "readonly" in text or "read-only" in text or "unable to open" in text or not os.access(db.parent, os.W_OK):
        return StoreError(f"the database {db} cannot be written ({original}): fix the permissions of it and "
                          f"of {db.parent}, or choose another data directory", db)
    return StoreError(f"cannot open the database {db}: {original}", db)

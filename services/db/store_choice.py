"""The store chosen in Settings: checking, saving and testing a URL (the precedence is decided in
:func:`services.config.resolve_store`).

A saved URL carries no password: it would sit in a file in clear. The password goes in the user's
``~/.pgpass`` (or the file ``PGPASSFILE`` names), which psycopg reads by itself, so nothing secret is
written by TrendForge. A URL with a password is refused in one line saying so.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from services.config import PRECEDENCE, StoreSource, read_saved, saved_file

__all__ = ["PRECEDENCE", "StoreSource", "parse_saveable", "probe", "problem", "read_saved", "saved_file",
           "write_saved"]

if TYPE_CHECKING:  # the precedence is read at every start: SQLAlchemy is imported only to check or connect
    from sqlalchemy.engine.url import URL

CONNECT_TIMEOUT_S = 5


def parse_saveable(given: str) -> URL:
    """A URL that may be saved in Settings: one :func:`parse_url` accepts, and without a password."""
    from services.db.backend import DatabaseUrlError, describe, parse_url

    url = parse_url(given)
    if url.password is not None:
        raise DatabaseUrlError(
            f"{describe(url)}: a password is not saved in Settings (it would sit in a file in clear); give the URL "
            "without it and put the password in ~/.pgpass (or the file PGPASSFILE names)")
    return url


def write_saved(data_dir: Path, given: str) -> str | None:
    """Save ``given`` (checked by :func:`parse_saveable`; empty: the local SQLite file) for the next start,
    whole or not at all; returns the URL saved."""
    url = parse_saveable(given).render_as_string(hide_password=False) if given.strip() else None
    data_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".store-", suffix=".json", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"database_url": url}, out)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).replace(saved_file(data_dir))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return url


def probe(given: str) -> str:
    """Connect once to the store at ``given`` and say what answered: the server's version and whether it
    holds a TrendForge store; a failure is a :class:`DatabaseUrlError` in one line. Slow (a network
    round trip, up to :data:`CONNECT_TIMEOUT_S`): call it off the GUI thread."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.pool import NullPool

    from services.db.backend import Backend, DatabaseUrlError, backend_of, describe, has_table, parse_url

    url = parse_url(given)
    postgres = backend_of(url) is Backend.POSTGRESQL
    engine = create_engine(url, poolclass=NullPool,
                           connect_args={"connect_timeout": CONNECT_TIMEOUT_S} if postgres else {})
    try:
        with engine.connect() as conn:
            if postgres:
                version = "PostgreSQL " + str(conn.execute(text("SHOW server_version")).scalar_one()).split()[0]
            else:
                version = "SQLite " + str(conn.execute(text("SELECT sqlite_version()")).scalar_one())
            holds = has_table(conn, "alembic_version")
    except (DBAPIError, OSError) as exc:
        original = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
        reason = " ".join(str(original).split()) or type(original).__name__
        raise DatabaseUrlError(f"cannot connect to {describe(url)}: {reason}") from None
    finally:
        engine.dispose()
    store = "it holds a TrendForge store" if holds else "an empty database: TrendForge creates its tables at the next start"
    return f"connected to {describe(url)}: {version}; {store}"


def problem(given: str) -> str | None:
    """Why ``given`` cannot be saved in Settings (one line), or None: it can ('' is the local SQLite file)."""
    from services.db.backend import DatabaseUrlError

    if not given.strip():
        return None
    try:
        parse_saveable(given)
    except DatabaseUrlError as exc:
        return str(exc)
    return None

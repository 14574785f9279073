"""A private PostgreSQL cluster for tests: initdb + pg_ctl in a temp dir, on a free loopback port.

Started once per session, only when a PostgreSQL test asks for it (about 3 s), with fsync off,
and stopped at the end. As root, the server runs as the ``postgres`` user (it refuses root).
Each test gets its own database, copied from a migrated template database (``CREATE DATABASE
... TEMPLATE``), so no test sees another's rows and the migrations run once.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin")
SERVER_USER = "postgres"


def pg_bin(name: str) -> str:
    """The path of a PostgreSQL server program (``initdb``, ``pg_ctl``), or a clear failure."""
    for folder in BIN_DIRS:
        candidate = Path(folder) / name
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: install Debian's postgresql package (make test does)")
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", SERVER_USER, "--", *cmd]


@dataclass
class Cluster:
    """A running private cluster; :meth:`url` names a database on it."""

    root: Path
    port: int
    user: str
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE) as the cluster's superuser."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]

    def new_database(self, template: str | None = None) -> str:
        name = f"tf_{os.getpid()}_{next(self._names)}"
        self.admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop_database(self, name: str) -> None:
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        subprocess.run(_as_server_user([pg_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, check=False, timeout=60)


def start_cluster() -> Cluster:
    """initdb a temp dir and start a server on 127.0.0.1:free port; the caller stops it."""
    root = Path(tempfile.mkdtemp(prefix="tf-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        entry = pwd.getpwnam(SERVER_USER)
        os.chown(root, entry.pw_uid, entry.pw_gid)
        user = SERVER_USER
    else:
        user = pwd.getpwuid(os.geteuid()).pw_name
    init = subprocess.run(
        _as_server_user([pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", user, "--no-sync", "-E", "UTF8",
                         "--locale", "C"]),
        capture_output=True, text=True, check=False, timeout=120)
    if init.returncode != 0:
        raise RuntimeError(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
    port = free_port()
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=200")
    log = root / "server.log"
    started = subprocess.run(
        _as_server_user([pg_bin("pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]),
        capture_output=True, text=True, check=False, timeout=120)
    if started.returncode != 0:
        detail = log.read_text(errors="replace") if log.exists() else started.stderr
        raise RuntimeError(f"pg_ctl start failed: {detail.strip()}")
    return Cluster(root=root, port=port, user=user)


@contextlib.contextmanager
def running_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)

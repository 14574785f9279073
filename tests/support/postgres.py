"""A private PostgreSQL cluster for tests: initdb in a temp dir, then ``postgres`` as a child of the
test run on a free loopback port (not ``pg_ctl start``, which daemonizes: a killed run left its
clusters behind). The kernel ends the server with the run that owns it (PR_SET_PDEATHSIG), and its
backends follow their postmaster.

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
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from services.processes import launch_command
from tests.support.children import stop_child

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


def _owned_by_this_run(cmd: list[str]) -> list[str]:
    """``cmd`` exec'd (no forking wrapper between) so that the kernel kills it when this process dies;
    as root, as the server user, switched by the same setpriv (a later switch would clear the signal)."""
    program, args = launch_command(cmd[0], cmd[1:])
    if os.geteuid() != 0:
        return [program, *args]
    if Path(program).name != "setpriv":
        raise RuntimeError("setpriv not found: install util-linux (it ties the test server to the run)")
    return [program, "--reuid", SERVER_USER, "--regid", SERVER_USER, "--init-groups", *args]


@dataclass
class Cluster:
    """A running private cluster; :meth:`url` names a database on it."""

    root: Path
    port: int
    user: str
    server: subprocess.Popen[bytes]
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
        """Immediate shutdown (SIGQUIT to the postmaster), then wait for it."""
        stop_child(self.server, signal.SIGQUIT, grace=60)


def _accepts(port: int) -> bool:
    import psycopg

    try:
        with psycopg.connect(host="127.0.0.1", port=port, dbname="postgres", user=_user(), connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def _user() -> str:
    return SERVER_USER if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name


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
    with log.open("wb") as out:
        server = subprocess.Popen(
            _owned_by_this_run([pg_bin("postgres"), "-D", str(data), *options.split()]),
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while not _accepts(port):  # the server's start, at most a few seconds
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"postgres did not start: {log.read_text(errors='replace').strip()[-2000:]}")
        time.sleep(0.05)
    return Cluster(root=root, port=port, user=user, server=server)


@contextlib.contextmanager
def running_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)

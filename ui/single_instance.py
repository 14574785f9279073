"""One GUI per data directory: a second launch brings the running window to the front.

A ``QLockFile`` in the data dir says who owns it (a crashed owner's lock is taken over: Qt
checks its pid); the owner listens on a ``QLocalServer`` named after the data dir, and a second
launch connects, asks it to come forward, and exits, before it has started anything of its own
(a second trends scheduler, a second recovery).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

LOCK_NAME = "gui.lock"
RAISE = b"raise\n"


def server_name(data_dir: Path) -> str:
    return "trendforge-" + hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:20]


class SingleInstance(QObject):
    """``acquire()`` in the first GUI; ``activate_running()`` in any later one."""

    activation_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self._name = server_name(data_dir)
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True: this process owns the data dir's GUI (and listens for later launches)."""
        self._data_dir.mkdir(parents=True, exist_ok=True)
        lock = QLockFile(str(self._data_dir / LOCK_NAME))
        lock.setStaleLockTime(0)  # never stale by age: only when its owner is gone
        if not lock.tryLock(0):
            return False
        self._lock = lock
        QLocalServer.removeServer(self._name)  # a crashed owner's socket
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        server.newConnection.connect(self._on_server_new_connection)
        server.listen(self._name)
        self._server = server
        return True

    def activate_running(self, timeout_ms: int = 3000) -> bool:
        """Ask the running GUI to come to the front; False if it does not answer."""
        sock = QLocalSocket()
        sock.connectToServer(self._name)
        if not sock.waitForConnected(timeout_ms):
            return False
        sock.write(RAISE)
        ok = sock.waitForBytesWritten(timeout_ms)
        sock.disconnectFromServer()
        return ok

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def _on_server_new_connection(self) -> None:
        assert self._server is not None
        while (conn := self._server.nextPendingConnection()) is not None:
            conn.readyRead.connect(lambda c=conn: self._on_conn_ready_read(c))
            conn.disconnected.connect(conn.deleteLater)
            if conn.bytesAvailable():
                self._on_conn_ready_read(conn)

    def _on_conn_ready_read(self, conn: QLocalSocket) -> None:
        if bytes(conn.readAll().data()).startswith(RAISE.strip()):
            self.activation_requested.emit()

"""Desktop notifications through the freedesktop ``org.freedesktop.Notifications`` service.

Spoken with jeepney (pure-Python D-Bus, already here for the keyring): PySide6's QtDBus
sends a Python int as int32, so its ``Notify`` call goes out as ``sisssasa{sv}i`` instead of
the spec's ``susssasa{sv}i``, and strict servers (GLib's, GNOME Shell's) refuse it.

``notify`` blocks for at most ``timeout`` seconds: call it off the GUI thread. Clicks arrive
as ``ActionInvoked`` signals on a listener thread and are handed to ``on_action``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from jeepney import DBusAddress, MatchRule, MessageType, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
ADDRESS = DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)
DEFAULT_ACTION = "default"


class NotificationsUnavailableError(Exception):
    """No notification service answered on the session bus (the caller falls back)."""


class DesktopNotifications:
    def __init__(self, app_name: str, on_action: Callable[[int, str], None], *, timeout: float = 2.0) -> None:
        self.app_name = app_name
        self._on_action = on_action
        self._timeout = timeout
        self._lock = threading.Lock()
        self._conn: DBusConnection | None = None
        self._listener: threading.Thread | None = None
        self._stop = threading.Event()
        self._listening = threading.Event()

    def notify(self, summary: str, body: str, *, expire_ms: int = 8000) -> int:
        """Show a notification with a default action (a click); its id on the server."""
        msg = new_method_call(ADDRESS, "Notify", "susssasa{sv}i",
                              (self.app_name, 0, "", summary, body, [DEFAULT_ACTION, "Open"], {}, expire_ms))
        self._start_listener()
        self._listening.wait(self._timeout)  # a click right after showing must not be missed
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = open_dbus_connection(bus="SESSION")
                reply = self._conn.send_and_get_reply(msg, timeout=self._timeout)
            except (OSError, KeyError, TimeoutError, ValueError) as exc:  # no bus, or it went away
                self._drop()
                raise NotificationsUnavailableError(f"no session bus: {exc}") from exc
        if reply.header.message_type is MessageType.error:
            raise NotificationsUnavailableError(f"{SERVICE}: {reply.body[0] if reply.body else 'error'}")
        return int(reply.body[0])

    def _drop(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _start_listener(self) -> None:
        with self._lock:
            if self._listener is not None:
                return
            self._listener = threading.Thread(target=self._listen, name="notifications-listener", daemon=True)
            self._listener.start()

    def _listen(self) -> None:
        rule = MatchRule(type="signal", interface=SERVICE, member="ActionInvoked", path=PATH)
        try:
            conn = open_dbus_connection(bus="SESSION")
        except (OSError, KeyError):
            log.warning("notification clicks unavailable: no session bus")
            self._listening.set()
            return
        try:
            with conn.filter(rule) as queue:
                conn.send_and_get_reply(message_bus.AddMatch(rule), timeout=self._timeout)
                self._listening.set()
                while not self._stop.is_set():
                    try:
                        msg: Any = conn.recv_until_filtered(queue, timeout=0.25)
                    except TimeoutError:
                        continue
                    notification_id, action = msg.body
                    self._on_action(int(notification_id), str(action))
        except (OSError, TimeoutError):
            log.warning("notification clicks stopped: the session bus went away")
        finally:
            self._listening.set()
            conn.close()

    def close(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.join(timeout=2)
        with self._lock:
            self._drop()

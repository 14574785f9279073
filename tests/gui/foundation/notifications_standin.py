"""A stand-in org.freedesktop.Notifications service for tests, on the test's private session bus.

It follows the Desktop Notifications Specification's wire format: ``Notify`` must arrive with
the signature ``susssasa{sv}i`` (anything else is refused with InvalidArgs, as GLib-based
servers do), returns a fresh uint32 id, and answers Introspect and GetServerInformation. Each
accepted notification is printed as one JSON line. A line ``click ID`` on stdin emits
``ActionInvoked(ID, "default")``, what a server sends when the notification is clicked. It
stops on end of stdin, or after 120 s at most.

Run as ``python notifications_standin.py``; it prints ``ready`` once it owns the name.
"""

from __future__ import annotations

import json
import select
import sys
import time

from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
SIGNATURE = "susssasa{sv}i"
LIFETIME = 120.0


def main() -> int:
    conn = open_dbus_connection(bus="SESSION")
    owned = conn.send_and_get_reply(message_bus.RequestName(NAME, 4))  # 4: do not queue
    if owned.body != (1,):
        print(f"name taken: {owned.body}", flush=True)
        return 1
    print("ready", flush=True)
    emitter = DBusAddress(PATH, interface=NAME)
    next_id = 1
    deadline = time.monotonic() + LIFETIME
    while time.monotonic() < deadline:
        readable, _, _ = select.select([conn.sock, sys.stdin], [], [], 0.2)
        if sys.stdin in readable:
            line = sys.stdin.readline()
            if not line:
                return 0
            if line.startswith("click "):
                conn.send(new_signal(emitter, "ActionInvoked", "us", (int(line.split()[1]), "default")))
        if conn.sock not in readable:
            continue
        msg = conn.receive(timeout=1)
        if msg.header.message_type is not MessageType.method_call:
            continue
        member = msg.header.fields.get(HeaderFields.member)
        signature = msg.header.fields.get(HeaderFields.signature, "")
        if member == "Notify":
            if signature != SIGNATURE:
                conn.send(new_error(msg, "org.freedesktop.DBus.Error.InvalidArgs", "s",
                                    (f"Type of message {signature!r} does not match expected {SIGNATURE!r}",)))
                continue
            app, _replaces, _icon, summary, body, actions, _hints, expire = msg.body
            print(json.dumps({"id": next_id, "app": app, "summary": summary, "body": body, "actions": list(actions),
                              "expire": expire}), flush=True)
            conn.send(new_method_return(msg, "u", (next_id,)))
            next_id += 1
        elif member == "GetServerInformation":
            conn.send(new_method_return(msg, "ssss", ("standin", "trendforge-tests", "1.0", "1.2")))
        elif member == "GetCapabilities":
            conn.send(new_method_return(msg, "as", (["actions", "body"],)))
        else:
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s", (f"no method {member}",)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

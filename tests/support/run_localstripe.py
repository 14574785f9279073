"""Run localstripe's own aiohttp app on 127.0.0.1 only, without its /tmp persistence.

``python -m localstripe --port N`` binds every interface (``::``) and pickles its whole
store to the shared ``/tmp/localstripe.pickle`` after every write (slow, and shared by
every localstripe on this machine). This launcher serves the same app and resources,
bound to loopback, memory only. Usage: ``python run_localstripe.py PORT``.
"""

from __future__ import annotations

import sys

from aiohttp import web
from localstripe import resources, server


def main() -> None:
    port = int(sys.argv[1])
    resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]
    web.run_app(server.app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()

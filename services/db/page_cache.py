"""The page caches of idle SQLite connections handed back once the app is idle.

Each pooled SQLite connection keeps up to ``cache_size`` (2 MB by default) of the database's
pages in memory for as long as it is open, and the pool keeps connections open: after a sync
and a round of panels reading a million-row store, three connections held ~7.5 MB of pages
that no query was using. ``PRAGMA shrink_memory`` drops a connection's unused pages; the next
query on it reads what it needs again from the OS's file cache. The job runtime calls this once
the app has been idle a moment (:meth:`services.runtime.JobRuntime.add_idle_release`), so a burst
of queries still runs on warm caches. A PostgreSQL store keeps its cache on the server: nothing to do.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.pool import QueuePool

from services.db.backend import is_sqlite


def release_page_caches(engine: Engine) -> int:
    """Hand back the page cache of every connection idle in ``engine``'s pool; how many there were.

    Only connections already idle are taken: it stops when the pool has none left (a query may take
    one meanwhile), so it does not open connections for this."""
    if not is_sqlite(engine) or not isinstance(engine.pool, QueuePool):
        return 0
    taken = []
    try:
        while engine.pool.checkedin() > 0:
            taken.append(engine.raw_connection())
        for conn in taken:
            cur = conn.cursor()
            try:
                cur.execute("PRAGMA shrink_memory")
            finally:
                cur.close()
    finally:
        for conn in taken:
            conn.close()  # back to the pool, still open
    return len(taken)

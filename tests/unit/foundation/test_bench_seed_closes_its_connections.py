"""The benches' seed helpers close the SQLite connections they open, so a GUI bench's memory figure is the app's."""

from __future__ import annotations

import gc
import sqlite3
from pathlib import Path

from bench.seeded import forget_bench_syncs


def _open_connections() -> int:
    return sum(1 for obj in gc.get_objects() if isinstance(obj, sqlite3.Connection))


def test_looking_for_bench_syncs_leaves_no_connection_open(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "trendforge.sqlite3") as setup:
        setup.execute("CREATE TABLE payment_transactions (provider TEXT, provider_id TEXT)")
    setup.close()
    gc.collect()
    before = _open_connections()
    gc.disable()  # as the GUI benches run: a connection left to the collector stays
    try:
        assert forget_bench_syncs(tmp_path) == 0
        assert _open_connections() == before
    finally:
        gc.enable()

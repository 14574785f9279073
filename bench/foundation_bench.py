"""Foundation benchmarks, each beside a baseline measured in the same run.

1. events published and persisted per second: in batches (target >= 50,000/s and >= 0.45x raw)
   and one by one, beside raw sqlite3 executemany of the same rows, into a table of 200,000 events;
2. history by correlation id over 1,000,000 events (target < 10 ms), beside the raw SQL query;
3. start-up to main window shown on a data dir with 1,000,000 events, beside a bare PySide6
   window (target <= 1.5x).

Run: .venv/bin/python bench/foundation_bench.py [--events N]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.events import AppStarted, CredentialSet  # noqa: E402
from bench.table import load, row  # noqa: E402
from services.bootstrap import bootstrap  # noqa: E402
from services.config import AppConfig  # noqa: E402
from services.events.store import EventQuery, stored_row  # noqa: E402
from services.secrets import MemorySecretStore  # noqa: E402


def line(name: str, value: float, unit: str, baseline: float, target: str) -> None:
    ratio = value / baseline if baseline else float("nan")
    print(f"{name:<44} {value:>12,.2f} {unit:<8} baseline {baseline:>12,.2f} {unit:<8} ratio {ratio:5.2f}  target {target}")


PUBLISH_BASE = 200_000  # events already in the table when the rounds start (a studio's log is not empty)
CHAIN = 20  # events per correlation: a root event and what it caused (as the seeded data dir has them)


def publish_events(n: int, first: int = 0) -> list[AppStarted]:
    """``n`` events as the app makes them: chains of ``CHAIN``, each caused by its first event (so
    correlated by the root's id, ``Event.caused``); ids from the default factory (time-ordered)."""
    out: list[AppStarted] = []
    for i in range(first, first + n):
        event = AppStarted(version=str(i))
        out.append(event if i % CHAIN == 0 else out[-(i % CHAIN)].caused(event))
    return out


def bench_publish(tmp: Path) -> None:
    """Batched publish beside raw executemany of the same rows into the same table, interleaved
    (ours, raw, ours, raw ...: 5 rounds of 10,000 each, after a warm-up round), medians of the rates.

    Both sides append to one events table that holds ``PUBLISH_BASE`` events before the first
    round (into an empty table both run about twice as fast, which flatters neither but says
    little about a user's log). The raw side inserts the rows the event store writes for such
    events (their time-ordered ids and correlation ids, the actor, the event's own timestamp),
    built before its clock starts: the ratio is what the bus adds (stamping, serialising, the
    secret scan of the bound rows, the transaction through SQLAlchemy, delivery) to SQLite's own
    cost of storing those rows with the table's indexes. The secret store knows a Stripe key, as a
    maker's does: the redaction hook searches every batch for it.
    """
    secrets = MemorySecretStore()
    secrets.set("stripe", "sk_test_" + "bench" * 5)  # a maker with Stripe connected: rows are redacted
    services = bootstrap(AppConfig(data_dir=tmp / "pub", log_to_file=False), secrets=secrets)
    for start in range(0, PUBLISH_BASE, 10_000):
        services.bus.publish_batch(publish_events(10_000, start))
    actor = services.bus.store.actor
    db = tmp / "pub" / "trendforge.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous=NORMAL")  # as the app's engine
    sql = ("INSERT INTO events (id, type, source, timestamp, correlation_id, causation_id, payload, actor) "
           "VALUES (?,?,?,?,?,?,?,?)")

    per_round, rounds = 10_000, 5
    ours_rates: list[float] = []
    raw_rates: list[float] = []
    for r in range(rounds + 1):  # round 0 warms both paths up
        batch = publish_events(per_round)
        t = time.perf_counter()
        for i in range(0, per_round, 1000):
            services.bus.publish_batch(batch[i : i + 1000])
        ours = per_round / (time.perf_counter() - t)
        rows = [stored_row(e, actor) for e in publish_events(per_round)]
        t = time.perf_counter()
        for i in range(0, per_round, 1000):
            with conn:
                conn.executemany(sql, rows[i : i + 1000])
        raw = per_round / (time.perf_counter() - t)
        if r:
            ours_rates.append(ours)
            raw_rates.append(raw)
    single_n = 2000
    t = time.perf_counter()
    for i in range(single_n):
        services.bus.publish(AppStarted(version=str(i)))
    single = single_n / (time.perf_counter() - t)
    rows = [stored_row(AppStarted(version=str(i)), actor) for i in range(single_n)]
    t = time.perf_counter()
    for one in rows:
        with conn:
            conn.execute(sql, one)
    raw_single = single_n / (time.perf_counter() - t)
    conn.close()
    services.close()
    batched, raw_batched = statistics.median(ours_rates), statistics.median(raw_rates)
    print(f"(publish rounds, ours ev/s: {', '.join(f'{x:,.0f}' for x in ours_rates)}; "
          f"raw: {', '.join(f'{x:,.0f}' for x in raw_rates)}; {load()})")
    line("publish+persist, batches of 1000 (events/s)", batched, "ev/s", raw_batched, ">= 50,000 ev/s and >= 0.45x")
    line("publish+persist, one by one (events/s)", single, "ev/s", raw_single, "(report)")
    row("batched event publish", batched, raw_batched, "ev/s", ">= 50,000/s and >= 0.45x raw",
        batched >= 50_000 and batched / raw_batched >= 0.45)


def seed(data_dir: Path, total: int) -> None:
    services = bootstrap(AppConfig(data_dir=data_dir, log_to_file=False), secrets=MemorySecretStore())
    have = services.events.total()
    batch = 10_000
    for start in range(have, total, batch):
        services.bus.publish_batch(
            [
                CredentialSet(name="stripe", correlation_id=f"run-{i // 20}") if i % 7 == 0 else AppStarted(version=str(i), correlation_id=f"run-{i // 20}")
                for i in range(start, min(total, start + batch))
            ]
        )
    services.close()


def bench_history(data_dir: Path, total: int) -> None:
    services = bootstrap(AppConfig(data_dir=data_dir, log_to_file=False), secrets=MemorySecretStore())
    ids = [f"run-{(i * 7919) % (total // 20)}" for i in range(200)]
    times = []
    for cid in ids:
        t = time.perf_counter()
        rows = services.events.history(EventQuery(correlation_id=cid, limit=100))
        times.append(time.perf_counter() - t)
        assert rows, cid
    services.close()
    conn = sqlite3.connect(data_dir / "trendforge.sqlite3")
    raw = []
    for cid in ids:
        t = time.perf_counter()
        conn.execute("SELECT * FROM events WHERE correlation_id=? ORDER BY seq DESC LIMIT 100", (cid,)).fetchall()
        raw.append(time.perf_counter() - t)
    conn.close()
    times.sort()
    raw.sort()
    line(f"history by correlation id, {total:,} events, p50", times[100] * 1000, "ms", raw[100] * 1000, "< 10 ms")
    line(f"history by correlation id, {total:,} events, p95", times[190] * 1000, "ms", raw[190] * 1000, "< 10 ms")


BARE = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1200, 760); w.setWindowTitle("bare"); w.show()
app.processEvents()  # the same moment the app reports: shown and painted
Path(sys.argv[1]).write_text(f"shown {time.time():.6f}")
QTimer.singleShot(0, app.quit)
app.exec()
"""


def _timed(cmd: list[str], report: Path, env: dict[str, str], mark: str = "shown") -> float:
    report.unlink(missing_ok=True)
    start = time.time()
    subprocess.run(cmd, env=env, check=True, timeout=120, capture_output=True)
    marks = dict(line.split()[:2] for line in report.read_text().splitlines())  # a mark may carry more fields
    return float(marks[mark]) - start


def bench_startup(data_dir: Path, total: int, tmp: Path) -> None:
    report = tmp / "shown.txt"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TRENDFORGE_STARTUP_REPORT=str(report))
    app_cmd = [sys.executable, str(ROOT / "main.py"), "--data-dir", str(data_dir), "--quit-after", "1.5"]
    bare_cmd = [sys.executable, "-c", BARE, str(report)]
    # warm the page cache once each, then measure alternately
    _timed(app_cmd, report, env)
    _timed(bare_cmd, report, env)
    app_t, ready_t, bare_t = [], [], []
    for _ in range(5):
        app_t.append(_timed(app_cmd, report, env))
        ready_t.append(_timed(app_cmd, report, env, "ready"))
        bare_t.append(_timed(bare_cmd, report, env))
    line(f"start-up to window shown, {total:,} events (s)", statistics.median(app_t), "s", statistics.median(bare_t), "<= 1.5x")
    line(f"start-up to services attached, {total:,} events", statistics.median(ready_t), "s", statistics.median(bare_t), "(report)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=None, help="reuse a seeded data dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        print("== foundation benchmarks")
        bench_publish(tmp)
        data_dir = args.data or tmp / "big"
        t = time.perf_counter()
        seed(data_dir, args.events)
        print(f"(seeded {args.events:,} events in {time.perf_counter() - t:.1f} s)")
        bench_history(data_dir, args.events)
        bench_startup(data_dir, args.events, tmp)


if __name__ == "__main__":
    main()

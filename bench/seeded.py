"""A studio-sized data dir for the scale benches, seeded once and reused.

Sizes (issue 14): 1M payments, 1M events, 1M templates, 100k trends, 10k workflow runs, 10k
builds. ``rows`` scales them all (payments/events/templates = rows, trends = rows/10, runs and
builds = rows/100). Each table is filled through the schema the migrations made, triggers on:

- payments through the ledger's own write path (``Ledger.upsert_txns``, 20,000 a batch), which
  keeps the daily and monthly rollups and, by trigger, the search index;
- events through the event store's ``append`` (the bus's path), then its search index refresh;
- templates, trends, runs and builds by direct SQL: rows staged in a temporary table and copied
  with one ``INSERT ... SELECT`` per batch (services.db.bulk), so the FTS and category-count
  triggers run as they do for an import;

then ANALYZE, as after a bulk import. The dir lives under ``TRENDFORGE_BENCH_CACHE`` (default:
the user's cache folder, never the repository), keyed by the migration heads and the sizes, so every bench run reuses the same data; after a
new migration, an older seed of the same size is copied and migrated (as a user's data dir is on
upgrade), and only when there is none is the data seeded afresh.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WORDS = ["daily", "quiz", "quote", "wallpaper", "tracker", "fitness", "recipe", "budget", "habit", "timer", "journal",
         "radio", "weather", "flashcard", "puzzle", "chess", "yoga", "garden", "coffee", "neon", "retro", "pixel",
         "space", "vinyl", "travel", "language"]
NOW = datetime(2026, 11, 30, tzinfo=UTC)
MARK = "seeded"

if TYPE_CHECKING:
    from services.bootstrap import Services


def cache_root() -> Path:
    return Path(os.environ.get("TRENDFORGE_BENCH_CACHE", Path.home() / ".cache" / "trendforge-bench"))


def schema_key() -> str:
    import hashlib

    from services.db.migrate import head_revisions

    return hashlib.sha256(" ".join(sorted(head_revisions())).encode()).hexdigest()[:12]


def data_dir(rows: int = 1_000_000) -> Path:
    """The seeded data dir for ``rows`` at the current schema (seeded now if it is not cached yet)."""
    path = cache_root() / f"scale-{rows}-{schema_key()}"
    if not (path / MARK).exists():
        shutil.rmtree(path, ignore_errors=True)
        older = _older_seed(rows)
        if older is not None:
            upgrade(older, path)
        else:
            path.mkdir(parents=True)
            seed(path, rows)
        (path / MARK).write_text("ok\n", encoding="utf-8")
    _repair(path)
    forget_bench_syncs(path)
    return path


BUILD_STATES_FIXED = "builds-states-fixed"


def _repair(path: Path) -> None:
    """Seeds made before the seeder wrote valid build states held ``succeeded``, which is not a
    BuildState: the Builds panel's first read failed on them, so its open showed an error and no
    rows. Such a seed's builds are marked ``signed`` (what the seeder writes now), once."""
    if (path / BUILD_STATES_FIXED).exists():
        return
    import sqlite3

    # closed, not only committed (a connection's ``with`` does not close it): the benches measure the app's memory
    with contextlib.closing(sqlite3.connect(path / "trendforge.sqlite3", timeout=60)) as conn, conn:
        conn.execute("UPDATE builds SET state = 'signed' WHERE state = 'succeeded'")
    (path / BUILD_STATES_FIXED).write_text("ok\n", encoding="utf-8")


# the ids bench/payments_sync.py's stand-in gives a run's objects: pi_b<time>_<n>, txn_b<time>_<n>
BENCH_SYNC_IDS = "*_b[0-9]*_[0-9]*"


def forget_bench_syncs(path: Path) -> int:
    """Take out of the seed what benches synced into it, through the ledger (rollups and search
    index kept in step), so every bench reads and syncs into the ledger the seed holds.

    bench/gui_scale.py syncs 10,000 objects with new ids each run (4,000 ledger rows); left in, 75
    runs had grown the 1M ledger by 300,000 rows newer than any seeded one, which made the figures
    drift: a broad search walks them first. Returns how many ledger rows went."""
    import sqlite3

    # closed, not left to the garbage collector (a connection and its statement cache are a cycle): the GUI benches
    # pause collection, then freeze what is alive, so this one and the 2 MB page cache its scan of the ledger had
    # filled stayed in the window whose memory they measure
    with contextlib.closing(sqlite3.connect(path / "trendforge.sqlite3", timeout=60)) as conn:
        if conn.execute("SELECT 1 FROM payment_transactions WHERE provider = 'stripe' AND provider_id GLOB ? LIMIT 1",
                        (BENCH_SYNC_IDS,)).fetchone() is None:
            return 0
    from sqlalchemy import and_, delete

    from services.payments.ledger import Ledger
    from services.payments.models import BalanceRecord, TransactionRecord

    t0 = time.perf_counter()
    services = _open(path)
    try:
        with services.ctx.new_uow() as uow:
            gone = Ledger(uow.session, datetime.now(UTC)).forget(and_(
                TransactionRecord.provider == "stripe", TransactionRecord.provider_id.op("GLOB")(BENCH_SYNC_IDS)))
            uow.session.execute(delete(BalanceRecord).where(
                BalanceRecord.provider == "stripe", BalanceRecord.provider_id.op("GLOB")(BENCH_SYNC_IDS)))
            uow.commit()
        with services.ctx.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    finally:
        services.close()
    print(f"took {gone:,} bench-synced payments out of the seed in {time.perf_counter() - t0:.0f} s", flush=True)
    return gone


def _older_seed(rows: int) -> Path | None:
    """The newest complete seed of ``rows`` made at an earlier schema, if one is cached."""
    done = [p for p in cache_root().glob(f"scale-{rows}-*") if (p / MARK).exists()]
    return max(done, key=lambda p: (p / MARK).stat().st_mtime, default=None)


def upgrade(older: Path, path: Path) -> None:
    """Copy a seed made at an earlier schema and migrate it, as a user's data dir is on upgrade.

    Seeding 1M rows takes most of an hour on this machine; migrating a copy takes a minute or two,
    and runs the new migrations on a studio-sized data dir as a user's upgrade would. Rows a new
    migration backfills are filled by that migration, not by this seeder.
    """
    t0 = time.perf_counter()
    staging = path.with_name(path.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(older, staging)
    (staging / MARK).unlink()
    _open(staging).close()  # bootstrap runs the pending migrations, then ANALYZE
    staging.rename(path)
    print(f"migrated the seed in {older.name} to this schema in {time.perf_counter() - t0:.0f} s", flush=True)


def _open(path: Path) -> Services:
    from services.bootstrap import bootstrap
    from services.config import AppConfig
    from services.secrets import MemorySecretStore

    return bootstrap(AppConfig(data_dir=path, log_to_file=False), secrets=MemorySecretStore())


def seed(path: Path, n: int) -> None:
    from sqlalchemy import text

    from app.events import AppStarted, CredentialSet, Event
    from app.payments.model import Provider, TxnStatus
    from app.trends.model import HISTORY_POINTS
    from app.trends.normalize import tokens
    from app.trends.related_terms import related_terms
    from services.payments.ledger import Ledger
    from services.payments.providers.base import RemoteTxn

    rng = random.Random(14)
    services = _open(path)
    t0 = time.perf_counter()
    providers = (Provider.STRIPE, Provider.GUMROAD, Provider.ITCH)
    for start in range(0, n, 20_000):
        txns = [RemoteTxn(provider=providers[i % 3], provider_id=f"obj_{i}",
                          status=TxnStatus.SUCCEEDED if i % 9 else TxnStatus.DECLINED, amount=100 + i % 5000,
                          currency="USD" if i % 4 else "EUR", created_at=NOW - timedelta(seconds=30 * i),
                          template_id=f"tpl-{i % 40}", charge_id=f"ch_{i}",
                          description=f"{rng.choice(WORDS)} {rng.choice(WORDS)} sale")
                for i in range(start, min(n, start + 20_000))]
        by_provider: dict[Provider, list[RemoteTxn]] = {}
        for t in txns:
            by_provider.setdefault(t.provider, []).append(t)
        with services.ctx.new_uow() as uow:
            ledger = Ledger(uow.session, NOW)
            for batch in by_provider.values():
                ledger.upsert_txns(batch)
            ledger.flush_totals()
            uow.commit()
    print(f"seeded {n:,} payments through the ledger in {time.perf_counter() - t0:.0f} s", flush=True)

    t0 = time.perf_counter()
    store = services.bus.store
    for start in range(0, n, 50_000):
        events: list[Event] = []
        for i in range(start, min(n, start + 50_000)):
            if i % 100 == 0:
                events.append(CredentialSet(name=f"obj_{i}", source="settings", correlation_id=f"run-{i % 5000}"))
            else:
                events.append(AppStarted(version=f"{rng.choice(WORDS)}-{i}", source="app",
                                         correlation_id=f"run-{i % 5000}"))
        with services.ctx.engine.begin() as conn:
            store.append(conn, events)
    store.refresh_search_index()
    print(f"seeded {n:,} events through the event store in {time.perf_counter() - t0:.0f} s", flush=True)

    t0 = time.perf_counter()
    services.templates.import_paths([ROOT / "resources" / "samples" / "quotes-daily"])
    with services.ctx.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE seed_templates (id TEXT, title TEXT, category TEXT, description TEXT)")
        for start in range(0, n, 100_000):
            conn.exec_driver_sql("DELETE FROM seed_templates")
            conn.exec_driver_sql("INSERT INTO seed_templates VALUES (?, ?, ?, ?)", [
                (f"bulk-{i}", f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {i}", WORDS[i % 12],
                 ("zanzibar " if i % 50_000 == 7 else "") + " ".join(rng.choice(WORDS) for _ in range(8)))
                for i in range(start, min(n, start + 100_000))])
            conn.exec_driver_sql(
                "INSERT INTO templates (id, title, category, description, tags, version, app_name, application_id, "
                "min_sdk, target_sdk, price_amount, price_currency, content, preview, schema_version, status, "
                "has_package, source, rating_sum, rating_count, created_at, updated_at) "
                "SELECT s.id, s.title, s.category, s.description, t.tags, t.version, t.app_name, t.application_id, "
                "t.min_sdk, t.target_sdk, t.price_amount, t.price_currency, t.content, t.preview, t.schema_version, "
                "'active', 0, t.source, 0, 0, t.created_at, t.updated_at "
                "FROM seed_templates s, templates t WHERE t.id = 'quotes-daily'")
        conn.exec_driver_sql("DROP TABLE seed_templates")
    services.templates.optimize()
    print(f"seeded {n:,} templates in {time.perf_counter() - t0:.0f} s", flush=True)

    t0 = time.perf_counter()
    trends = max(1000, n // 10)
    base = datetime(2026, 11, 1)
    with services.ctx.engine.begin() as conn:
        for start in range(0, trends, 20_000):
            recs, terms = [], []
            for i in range(start, min(trends, start + 20_000)):
                title = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}"
                level = rng.uniform(10, 1000)
                series = [round(level := max(1.0, level * rng.uniform(0.8, 1.25)), 2) for _ in range(HISTORY_POINTS)]
                tid = f"{i:032x}"
                recs.append({"id": tid, "key": "".join(tokens(title)) + str(i), "title": title, "first": base,
                             "last": base, "recent": json.dumps(series, separators=(",", ":"))})
                terms.extend({"term": t, "tid": tid} for t in dict.fromkeys(related_terms(title, series,
                                                                                           HISTORY_POINTS)))
            conn.execute(text("INSERT INTO trends (id, key, title, first_seen, last_seen, recent) "
                              "VALUES (:id, :key, :title, :first, :last, :recent)"), recs)
            conn.execute(text("INSERT INTO trend_terms (term, trend_id) VALUES (:term, :tid)"), terms)
    print(f"seeded {trends:,} trends in {time.perf_counter() - t0:.0f} s", flush=True)

    t0 = time.perf_counter()
    runs = max(100, n // 100)
    _seed_runs_and_builds(services, runs, rng)
    print(f"seeded {runs:,} workflow runs and {runs:,} builds in {time.perf_counter() - t0:.0f} s", flush=True)
    with services.ctx.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    services.close()


def _seed_runs_and_builds(services: Services, runs: int, rng: random.Random) -> None:
    from sqlalchemy import insert

    from services.builds.models import BuildRecord
    from services.workflows.models import WorkflowRunRecord, WorkflowStepRecord

    statuses = ["succeeded"] * 6 + ["failed", "compensated", "cancelled", "running"]
    steps = ["pick_trend", "derive_template", "build", "sign", "deploy"]
    definition = {"name": "trend_to_release", "steps": [{"name": s, "action": s} for s in steps]}
    run_rows, step_rows, build_rows = [], [], []
    for i in range(runs):
        created = NOW - timedelta(minutes=7 * i)
        status = statuses[i % len(statuses)]
        rid = f"{i:032x}"
        run_rows.append({"id": rid, "workflow": "trend_to_release", "version": 1, "definition": definition,
                         "status": status, "phase": "forward", "inputs": {"trend": f"{rng.choice(WORDS)} {i}"},
                         "error": "deploy failed: target refused" if status == "failed" else None,
                         "failed_step": "deploy" if status == "failed" else None, "created_at": created,
                         "started_at": created, "ended_at": None if status == "running" else created + timedelta(
                             seconds=90), "owner_pid": None, "owner_token": None, "cancel_requested": False,
                         "rerun_of": None, "superseded_by": None, "signals": {}})
        for pos, name in enumerate(steps):
            step_rows.append({"run_id": rid, "position": pos, "name": name, "action": name,
                              "status": "succeeded" if status == "succeeded" or pos < 3 else "pending",
                              "attempts": 1, "inputs": {}, "output": {"n": pos}, "error": None, "error_type": None,
                              "started_at": created, "ended_at": created, "reused": False,
                              "compensation_action": None, "compensation_error": None, "compensation_attempts": 0,
                              "compensated_at": None})
        state = ("signed", "signed", "signed", "failed", "cancelled")[i % 5]  # BuildState values
        build_rows.append({"id": f"b{i:031x}", "template_id": f"tpl-{i % 40}", "application_id": f"com.studio.app{i % 40}",
                           "app_name": f"App {i % 40}", "platform": ("apk", "aab", "web")[i % 3], "backend": "direct",
                           "version_name": f"1.{i // 40}.0", "version_code": i + 1, "key_alias": None,
                           "deploy_target": None, "state": state, "step": "done", "percent": 100.0,
                           "created_at": NOW - timedelta(minutes=11 * i), "started_at": None, "finished_at": None,
                           "duration_s": 42.0, "artifact_path": None, "fingerprint": None,
                           "error": "apksigner failed" if state == "failed" else None, "log_path": None,
                           "retry_of": None, "options": {}})
    with services.ctx.engine.begin() as conn:
        conn.execute(insert(WorkflowRunRecord), run_rows)
        conn.execute(insert(WorkflowStepRecord), step_rows)
        conn.execute(insert(BuildRecord), build_rows)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Seed (or find) the cached studio-sized data dir; prints its path.")
    ap.add_argument("--rows", type=int, default=1_000_000)
    print(data_dir(ap.parse_args().rows))

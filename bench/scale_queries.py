"""Hot queries at a studio's scale, each beside its baseline (medians of interleaved runs).

Seeds once into a cache dir outside the repository (``TRENDFORGE_BENCH_CACHE``, default
``~/.cache/trendforge-bench``) and reuses it: N payments through the ledger's own write path
(``Ledger.upsert_txns``, which keeps the rollups and, by trigger, the search index), N events
through the event store's ``append``, N templates by SQL insert (the triggers keep the FTS index and
the category counts), and N/10 trends with their recent series and candidate terms computed by the
functions the sync uses (``app.trends.related_terms``). Then ANALYZE, as after a bulk import.

Figures (targets from issue 14): payments search, event type filter and payload search, template
categories, template search p95 for a common prefix, a rare and an absent word (each beside LIKE),
related trends (beside one pass over every trend, the old way).

Run: .venv/bin/python bench/scale_queries.py [--rows 1000000] [--reps 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import and_, select, text  # noqa: E402

from app.events import AppStarted, CredentialSet, Event  # noqa: E402
from app.payments.model import Provider, TxnStatus  # noqa: E402
from app.templates.model import TemplateQuery  # noqa: E402
from app.trends.correlate import CoMovementIndex, text_similarity  # noqa: E402
from app.trends.model import HISTORY_POINTS  # noqa: E402
from app.trends.normalize import tokens  # noqa: E402
from app.trends.related_terms import related_terms  # noqa: E402
from bench.table import interleaved, load, median_ms, p95_ms, row  # noqa: E402
from services.bootstrap import ServiceManager, bootstrap  # noqa: E402
from services.config import AppConfig  # noqa: E402
from services.events.store import EventQuery  # noqa: E402
from services.payments.ledger import Ledger, TxnFilter, list_txns  # noqa: E402
from services.payments.models import TransactionRecord  # noqa: E402
from services.payments.providers.base import RemoteTxn  # noqa: E402
from services.secrets import MemorySecretStore  # noqa: E402

WORDS = ["daily", "quiz", "quote", "wallpaper", "tracker", "fitness", "recipe", "budget", "habit", "timer", "journal",
         "radio", "weather", "flashcard", "puzzle", "chess", "yoga", "garden", "coffee", "neon", "retro", "pixel",
         "space", "vinyl", "travel", "language"]
NOW = datetime(2026, 11, 30, tzinfo=UTC)


def _open(data_dir: Path) -> ServiceManager:
    return bootstrap(AppConfig(data_dir=data_dir, log_to_file=False), secrets=MemorySecretStore())


def seed(data_dir: Path, n: int) -> None:
    rng = random.Random(14)
    services = _open(data_dir)
    t0 = time.perf_counter()
    for start in range(0, n, 20_000):
        txns = [RemoteTxn(provider=(Provider.STRIPE, Provider.GUMROAD, Provider.ITCH)[i % 3], provider_id=f"obj_{i}",
                          status=TxnStatus.SUCCEEDED if i % 9 else TxnStatus.DECLINED, amount=100 + i % 5000,
                          currency="USD" if i % 4 else "EUR", created_at=NOW - timedelta(seconds=30 * i),
                          template_id=f"tpl-{i % 40}", charge_id=f"ch_{i}",
                          description=f"{rng.choice(WORDS)} {rng.choice(WORDS)} sale")
                for i in range(start, min(n, start + 20_000))]
        with services.ctx.new_uow() as uow:
            ledger = Ledger(uow.session, NOW)
            ledger.upsert_txns(txns)
            ledger.flush_totals()
            uow.commit()
    print(f"seeded {n:,} payments in {time.perf_counter() - t0:.0f} s", flush=True)
    t0 = time.perf_counter()
    store = services.bus.store
    for start in range(0, n, 50_000):
        batch: list[Event] = []
        for i in range(start, min(n, start + 50_000)):
            if i % 100 == 0:
                batch.append(CredentialSet(name=f"obj_{i}", source="settings", correlation_id=f"run-{i % 5000}"))
            else:
                batch.append(AppStarted(version=f"{rng.choice(WORDS)}-{i}", source="app", correlation_id=f"run-{i % 5000}"))
        with services.ctx.engine.begin() as conn:
            store.append(conn, batch)
    store.refresh_search_index()
    print(f"seeded {n:,} events in {time.perf_counter() - t0:.0f} s", flush=True)
    t0 = time.perf_counter()
    sample = ROOT / "resources" / "samples" / "quotes-daily"
    services.templates.import_paths([sample])
    with services.ctx.engine.begin() as conn:
        for start in range(0, n, 100_000):
            rows = [{"id": f"bulk-{i}", "title": f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {i}",
                     "category": WORDS[i % 12], "description": ("zanzibar " if i % 50_000 == 7 else "") +
                     " ".join(rng.choice(WORDS) for _ in range(8))} for i in range(start, min(n, start + 100_000))]
            conn.execute(text(
                "INSERT INTO templates (id, title, category, description, tags, version, app_name, application_id, "
                "min_sdk, target_sdk, price_amount, price_currency, content, preview, schema_version, status, "
                "has_package, source, rating_sum, rating_count, created_at, updated_at) "
                "SELECT :id, :title, :category, :description, tags, version, app_name, application_id, min_sdk, "
                "target_sdk, price_amount, price_currency, content, preview, schema_version, 'active', 0, source, 0, 0, "
                "created_at, updated_at FROM templates WHERE id = 'quotes-daily'"), rows)
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
                terms.extend({"term": t, "tid": tid} for t in dict.fromkeys(related_terms(title, series, HISTORY_POINTS)))
            conn.execute(text("INSERT INTO trends (id, key, title, first_seen, last_seen, recent) "
                              "VALUES (:id, :key, :title, :first, :last, :recent)"), recs)
            conn.execute(text("INSERT INTO trend_terms (term, trend_id) VALUES (:term, :tid)"), terms)
        conn.exec_driver_sql("ANALYZE")
    print(f"seeded {trends:,} trends in {time.perf_counter() - t0:.0f} s", flush=True)
    services.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()
    cache = Path(os.environ.get("TRENDFORGE_BENCH_CACHE", Path.home() / ".cache" / "trendforge-bench"))
    data_dir = cache / f"scale-{args.rows}"
    if not (data_dir / "seeded").exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        seed(data_dir, args.rows)
        (data_dir / "seeded").write_text("ok\n", encoding="utf-8")
    services = _open(data_dir)
    reps = args.reps
    n = args.rows
    print(f"{n:,} rows per table, {reps} interleaved repetitions; {load()}")

    # -- payments: search and filters ------------------------------------------------------------------
    def payments(f: TxnFilter) -> object:
        with services.ctx.new_uow() as uow:
            return list_txns(uow.session, f)

    def payments_like(needle: str) -> object:
        t = TransactionRecord
        like = f"%{needle}%"
        stmt = (select(t).where(and_(True, t.id.like(like) | t.provider_id.like(like) | t.description.like(like)))
                .order_by(t.created_at.desc(), t.id.desc()).limit(200))
        with services.ctx.new_uow() as uow:
            return list(uow.session.scalars(stmt))

    a, b = interleaved(lambda: payments(TxnFilter(search="obj_4242")), lambda: payments_like("obj_4242"), reps)
    row(f"payments search 'obj_4242' ({n:,})", median_ms(a), median_ms(b), "ms", "< 50 ms", median_ms(a) < 50)
    a, b = interleaved(lambda: payments(TxnFilter(search="coffee")), lambda: payments_like("coffee"), reps)
    row(f"payments search 'coffee' (broad, {n:,})", median_ms(a), median_ms(b), "ms", "< 50 ms", median_ms(a) < 50)

    # -- events: type filter, payload search -----------------------------------------------------------
    events = services.events

    def raw_events(sql: str, *params: object) -> object:
        with services.ctx.engine.connect() as conn:
            return conn.exec_driver_sql(sql, params).fetchall()

    a, b = interleaved(lambda: events.history(EventQuery(types=("credential.set",), limit=200)),
                       lambda: raw_events("SELECT * FROM events WHERE +type = ? ORDER BY seq DESC LIMIT 200", "credential.set"),
                       reps)
    row(f"events type filter, 1% of {n:,}", median_ms(a), median_ms(b), "ms", "< 50 ms", median_ms(a) < 50)
    a, b = interleaved(lambda: events.history(EventQuery(search="nothingmatches", limit=200)),
                       lambda: raw_events("SELECT * FROM events WHERE payload LIKE ? ORDER BY seq DESC LIMIT 200",
                                          "%nothingmatches%"), reps)
    row(f"events payload search, no match ({n:,})", median_ms(a), median_ms(b), "ms", "< 50 ms", median_ms(a) < 50)

    # -- templates: categories, search ------------------------------------------------------------------
    tpl = services.templates

    def categories() -> object:
        tpl.invalidate()
        return tpl.categories()

    a, b = interleaved(categories, lambda: raw_events(
        "SELECT category, count(*) FROM templates WHERE status = 'active' GROUP BY category ORDER BY category"), reps)
    row(f"templates categories ({n:,})", median_ms(a), median_ms(b), "ms", "< 50 ms", median_ms(a) < 50)
    for label, word in (("common prefix 'da'", "da"), ("rare word 'zanzibar'", "zanzibar"), ("absent word", "qqqxyz")):
        def fts(word: str = word) -> object:
            tpl.invalidate()
            return tpl.find(TemplateQuery(search=word, limit=50))

        def like(word: str = word) -> object:
            return raw_events("SELECT id FROM templates WHERE status = 'active' AND (title LIKE ? OR description LIKE ?) "
                              "ORDER BY title LIMIT 50", f"%{word}%", f"%{word}%")

        a, b = interleaved(fts, like, max(reps, 20))
        row(f"template search p95, {label} ({n:,})", p95_ms(a), p95_ms(b), "ms", "p95 < 10 ms", p95_ms(a) < 10)

    # -- related trends ------------------------------------------------------------------------------------
    trend_ids = [r[0] for r in raw_events("SELECT id FROM trends ORDER BY id LIMIT 50")]
    with services.ctx.engine.connect() as conn:
        everything = {r[0]: (r[1], json.loads(r[2])) for r in conn.exec_driver_sql("SELECT id, title, recent FROM trends")}
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    old_index = CoMovementIndex({k: v[1] for k, v in everything.items()}, HISTORY_POINTS)
    picks = iter(trend_ids * 10)

    def related_new() -> object:
        return services.trends.related(next(picks))

    def related_old() -> object:  # one pass over every trend: the old candidate search (its index prebuilt)
        tid = trend_ids[0]
        title = everything[tid][0]
        words = set(tokens(title))
        found = {k for k, _ in old_index.top(tid, n=50, min_rho=0.5)}
        found |= {k for k, (other, _s) in everything.items() if words & set(tokens(other)) or text_similarity(title, other) >= 0.3}
        return found

    a, b = interleaved(related_new, related_old, 5)
    row(f"related trends ({len(everything):,} trends)", median_ms(a), median_ms(b), "ms", "< 200 ms", median_ms(a) < 200)
    print(f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
          f"(before the old index: {rss_before / 1024:.0f} MB); {load()}")
    services.close()


if __name__ == "__main__":
    main()

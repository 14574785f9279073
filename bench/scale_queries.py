"""Hot queries at a studio's scale, each beside its baseline (medians of interleaved runs).

Runs on the studio-sized data dir of bench/seeded.py (seeded once through the app's own write
paths, cached outside the repository, reused).

Figures (targets from issue 14): payments search, event type filter and payload search, template
categories, related trends (beside one pass over every trend, the old way); template search is in
bench/templates_search.py.

Run: .venv/bin/python bench/scale_queries.py [--rows 1000000] [--reps 7]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy import and_, select  # noqa: E402

from app.trends.correlate import CoMovementIndex, text_similarity  # noqa: E402
from app.trends.model import HISTORY_POINTS  # noqa: E402
from app.trends.normalize import tokens  # noqa: E402
from bench import seeded  # noqa: E402
from bench.table import interleaved, load, median_ms, row  # noqa: E402
from services.bootstrap import Services, bootstrap  # noqa: E402
from services.config import AppConfig  # noqa: E402
from services.events.store import EventQuery  # noqa: E402
from services.payments.ledger import TxnFilter, list_txns  # noqa: E402
from services.payments.models import TransactionRecord  # noqa: E402
from services.secrets import MemorySecretStore  # noqa: E402

WORDS = ["daily", "quiz", "quote", "wallpaper", "tracker", "fitness", "recipe", "budget", "habit", "timer", "journal",
         "radio", "weather", "flashcard", "puzzle", "chess", "yoga", "garden", "coffee", "neon", "retro", "pixel",
         "space", "vinyl", "travel", "language"]
NOW = datetime(2026, 11, 30, tzinfo=UTC)


def _open(data_dir: Path) -> Services:
    return bootstrap(AppConfig(data_dir=data_dir, log_to_file=False), secrets=MemorySecretStore())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=7)
    args = ap.parse_args()
    services = _open(seeded.data_dir(args.rows))
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
    # template search: bench/templates_search.py (several queries of each kind)

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

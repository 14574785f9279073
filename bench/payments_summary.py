"""Bench: revenue summary over 1,000,000 ledger rows (target: under 100 ms).

Builds a ledger of 1,000,000 transactions (4 providers, 40 templates, 3 currencies, two
years of days, ~8% declined/failed, some refunds) on a fresh data dir, with the daily
rollup the service maintains, then times ``PaymentsService.summary(by)`` for every
grouping (cache off) beside the same figures computed straight from the ledger with a
GROUP BY (the baseline), and checks both agree.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N = 1_000_000


def _fill(db: Path) -> None:
    rng = random.Random(42)
    providers = ["stripe", "gumroad", "kofi", "itch"]
    currencies = ["USD", "EUR", "GBP"]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    con = sqlite3.connect(db)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA cache_size=-262144")  # 256 MB for the bulk load
    # bulk load: drop the secondary indexes, recreate them after (the schema ends up as migrated)
    indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='payment_transactions' "
                          "AND sql IS NOT NULL").fetchall()
    for name, _sql in indexes:
        con.execute(f"DROP INDEX {name}")
    sql = ("INSERT INTO payment_transactions (id, provider, provider_id, charge_id, message_id, kind, status, amount, "
           "currency, fee, refunded_amount, template_id, product_id, description, payment_method, idempotency_key, "
           "failure_code, failure_message, attempts, day, created_at, updated_at, meta) VALUES "
           "(?,?,?,NULL,NULL,'charge',?,?,?,?,?,?,NULL,'',NULL,NULL,NULL,NULL,0,?,?,?,NULL)")
    batch = []
    days = [(start + timedelta(days=k)).strftime("%Y-%m-%d") for k in range(730)]
    rand = rng.random
    for i in range(N):
        k = int(rand() * 730)
        sec = int(rand() * 86400)
        day = days[k]
        ts = f"{day} {sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}.000000"
        amount = 100 + int(rand() * 4900)
        r = rand()
        status, refunded = "succeeded", 0
        if r < 0.08:
            status = "declined"
        elif r < 0.10:
            status, refunded = "refunded", amount
        elif r < 0.12:
            status, refunded = "partially_refunded", amount // 2
        batch.append((f"{i:032x}", providers[i % 4], f"obj_{i}", status, amount, currencies[i % 3],
                      amount * 3 // 100, refunded, f"tpl-{i % 40}", day, ts, ts))
        if len(batch) == 50_000:
            con.executemany(sql, batch)
            batch.clear()
    if batch:
        con.executemany(sql, batch)
    for _name, sql in indexes:
        con.execute(sql)
    # the rollups, exactly what Ledger maintains row by row (captured statuses only)
    con.execute("""INSERT INTO payment_daily_totals (day, provider, currency, count, gross, fees, refunds)
                   SELECT day, provider, currency, COUNT(*), SUM(amount), SUM(fee), SUM(refunded_amount)
                   FROM payment_transactions WHERE status IN ('succeeded', 'partially_refunded', 'refunded')
                   GROUP BY day, provider, currency""")
    con.execute("""INSERT INTO payment_monthly_totals (month, provider, template_id, currency, count, gross, fees,
                                                       refunds)
                   SELECT substr(day, 1, 7), provider, COALESCE(template_id, ''), currency, COUNT(*), SUM(amount),
                          SUM(fee), SUM(refunded_amount)
                   FROM payment_transactions WHERE status IN ('succeeded', 'partially_refunded', 'refunded')
                   GROUP BY substr(day, 1, 7), provider, COALESCE(template_id, ''), currency""")
    con.commit()
    con.execute("ANALYZE")
    con.close()


def main() -> None:
    from app.payments.model import SummaryBy
    from services.bootstrap import bootstrap
    from services.config import AppConfig
    from services.payments.ledger import summary_from_ledger
    from services.secrets import MemorySecretStore

    with tempfile.TemporaryDirectory() as d:
        cfg = AppConfig.from_env(d)
        cfg.log_to_file = False
        cfg.cache_ttl = 0.000001
        manager = bootstrap(cfg, secrets=MemorySecretStore())  # creates the schema
        t0 = time.perf_counter()
        _fill(cfg.db_path)
        print(f"built a ledger of {N:,} rows in {time.perf_counter() - t0:.1f} s")
        svc = manager.payments
        print(f"{'by':10} {'rows':>6} {'summary (ms)':>13} {'GROUP BY ledger (ms)':>21} {'speed-up':>9}  target < 100 ms")
        worst = 0.0
        for by in ("provider", "template", "currency", "day", "month"):
            times = []
            for _ in range(5):
                svc.invalidate()
                start = time.perf_counter()
                rows = svc.summary(by)
                times.append(time.perf_counter() - start)
            fast = min(times)
            worst = max(worst, fast)
            with manager.ctx.new_uow() as uow:
                start = time.perf_counter()
                slow_rows = summary_from_ledger(uow.session, SummaryBy(by))
                slow = time.perf_counter() - start
            assert rows == slow_rows, f"rollup and ledger disagree for {by}"
            print(f"{by:10} {len(rows):>6} {fast * 1000:>13.1f} {slow * 1000:>21.0f} {slow / fast:>8.0f}x  "
                  f"{'OK' if fast < 0.1 else 'OVER'}")
        print(f"worst summary: {worst * 1000:.1f} ms (target < 100 ms) {'OK' if worst < 0.1 else 'OVER TARGET'}")
        from services.payments.ledger import TxnFilter

        print("panel queries at 1M rows (best of 3):")
        for label, f in (("newest 1000", TxnFilter(limit=1000)),
                         ("provider=gumroad, 1000", TxnFilter(provider="gumroad", limit=1000)),
                         ("status=declined, 1000", TxnFilter(status=["declined"], limit=1000)),
                         ("template=tpl-7, since 2026-06-01", TxnFilter(template_id="tpl-7", limit=1000,
                                                                        since=datetime(2026, 6, 1, tzinfo=UTC)))):
            times = []
            for _ in range(3):
                start = time.perf_counter()
                svc.list_transactions(f)
                times.append(time.perf_counter() - start)
            print(f"  list {label:34} {min(times) * 1000:7.1f} ms")
        start = time.perf_counter()
        n = svc.count_transactions(TxnFilter())
        print(f"  count all ({n:,})                   {(time.perf_counter() - start) * 1000:7.1f} ms")
        manager.close()


if __name__ == "__main__":
    main()

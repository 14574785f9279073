"""Bench: revenue summary over the seeded 1,000,000-row ledger (target: under 100 ms).

The ledger and its daily/monthly rollups are bench/seeded.py's: every sale went in through
``Ledger.upsert_txns``, the write path sync and import use, so the rollups read here are the ones
the ledger code keeps (not filled by the bench's own SQL). For every grouping,
``PaymentsService.summary(by)`` (cache off) runs interleaved with the same figures computed
straight from the ledger with a GROUP BY (the baseline); medians of the repetitions, and both must
agree. Then the Payments panel's list queries, each beside the same rows read by a full scan.

Run: .venv/bin/python bench/payments_summary.py [--rows 1000000] [--reps 5]
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.seeded import data_dir  # noqa: E402
from bench.table import interleaved, load, median_ms, row  # noqa: E402


def main() -> None:
    from sqlalchemy import select

    from app.payments.model import SummaryBy
    from services.bootstrap import bootstrap
    from services.config import AppConfig
    from services.payments.ledger import TxnFilter, summary_from_ledger, to_domain
    from services.payments.models import TransactionRecord
    from services.secrets import MemorySecretStore

    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    cfg = AppConfig.from_env(data_dir(args.rows))
    cfg.log_to_file = False
    cfg.cache_ttl = 0.000001
    manager = bootstrap(cfg, secrets=MemorySecretStore())
    svc = manager.payments
    n = svc.count_transactions(TxnFilter())
    print(f"ledger of {n:,} rows (rollups kept by Ledger.upsert_txns); {args.reps} interleaved repetitions; {load()}")
    worst, worst_base = 0.0, 0.0
    for by in ("provider", "template", "currency", "day", "month"):
        def fast(by: str = by) -> object:
            svc.invalidate()
            return svc.summary(by)

        def slow(by: str = by) -> object:
            with manager.ctx.new_uow() as uow:
                return summary_from_ledger(uow.session, SummaryBy(by))

        assert fast() == slow(), f"rollup and ledger disagree for {by}"
        a, b = interleaved(fast, slow, args.reps)
        print(f"  by {by:9} summary {median_ms(a):8.1f} ms   GROUP BY ledger {median_ms(b):8.0f} ms")
        if median_ms(a) > worst:
            worst, worst_base = median_ms(a), median_ms(b)
    row(f"revenue summary, worst grouping ({n:,} sales)", worst, worst_base, "ms", "< 100 ms", worst < 100)

    t = TransactionRecord
    for label, f, where in (
            ("newest 1000", TxnFilter(limit=1000), True),
            ("provider=gumroad, 1000", TxnFilter(provider="gumroad", limit=1000), t.provider == "gumroad"),
            ("status=declined, 1000", TxnFilter(status=["declined"], limit=1000), t.status == "declined"),
            ("template=tpl-7 since 2026-06-01", TxnFilter(template_id="tpl-7", since=datetime(2026, 6, 1, tzinfo=UTC),
                                                          limit=1000),
             (t.template_id == "tpl-7") & (t.created_at >= datetime(2026, 6, 1)))):
        def scan(where: object = where) -> object:  # the same rows found by reading the whole ledger
            with manager.ctx.new_uow() as uow:
                return [to_domain(r) for r in uow.session.scalars(
                    select(t).where(where).order_by(t.created_at.desc()).limit(1000)  # type: ignore[arg-type]
                    .with_hint(t, "NOT INDEXED", "sqlite"))]

        a, b = interleaved(lambda f=f: svc.list_transactions(f), scan, args.reps)
        row(f"payments list {label} ({n:,})", median_ms(a), median_ms(b), "ms", "< 50 ms", median_ms(a) < 50)
    manager.close()
    print(load())


if __name__ == "__main__":
    main()

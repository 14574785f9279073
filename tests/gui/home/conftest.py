"""A busy data dir for the Home tests: sales in two currencies, builds, an emerging trend, a failing source.

Rows are written through the areas' own ledger and tables; Home only reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.qasync_loop import aloop, drive  # a qasync loop: the workflow engine runs on it, as in the app

__all__ = ["aloop", "drive"]

NOW = datetime(2026, 10, 21, 12, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def _drain_background_jobs(drain_background_jobs: None) -> None:
    """Let the panel's background reads finish before its widgets are closed at teardown."""


@pytest.fixture
def fixed(make_services: Callable[..., Any]) -> Any:
    """An app whose clock says ``NOW``."""
    return make_services(clock=lambda: NOW)


@pytest.fixture
def busy(fixed: Any) -> Any:
    from app.payments.model import Provider, TxnStatus
    from services.builds.models import BuildRecord
    from services.payments.ledger import Ledger
    from services.payments.providers.base import RemoteTxn
    from services.trends.models import SourceHealthRecord, TrendRecord

    def sale(pid: str, amount: int, currency: str, when: datetime, status: TxnStatus = TxnStatus.SUCCEEDED,
             **kw: Any) -> RemoteTxn:
        return RemoteTxn(provider=Provider.STRIPE, provider_id=pid, status=status, amount=amount, currency=currency,
                         created_at=when, template_id="quotes-daily", **kw)

    with fixed.ctx.new_uow() as uow:
        ledger = Ledger(uow.session, NOW)
        ledger.upsert_txns([
            sale("pi_1", 1000, "USD", NOW - timedelta(days=1)),
            sale("pi_2", 500, "USD", NOW - timedelta(days=16)),
            sale("pi_3", 700, "EUR", NOW - timedelta(days=26)),
            sale("pi_declined", 999, "USD", NOW - timedelta(hours=3), TxnStatus.DECLINED,
                 failure_code="card_declined", failure_message="Your card was declined."),
        ])
        ledger.flush_totals()
        for i, (state, error) in enumerate((("signed", None), ("failed", "aapt2 link failed: missing icon"))):
            uow.session.add(BuildRecord(
                id=f"{i}b" * 16, template_id="quotes-daily", application_id="com.example.quotes",
                platform="apk", backend="direct", version_name=f"1.{i}.0", version_code=i + 1, state=state,
                created_at=NOW - timedelta(hours=5 - i), finished_at=NOW - timedelta(hours=4 - i), error=error))
        uow.session.add(TrendRecord(id="a1" * 16, key="cozy games", title="Cozy games", first_seen=NOW,
                                    last_seen=NOW, score=87.0, emerging=True, sources=["reddit"]))
        uow.session.add(TrendRecord(id="b2" * 16, key="old news", title="Old news", first_seen=NOW,
                                    last_seen=NOW, score=10.0, emerging=False, sources=["reddit"]))
        uow.session.add(SourceHealthRecord(name="reddit", failures=3, last_error="HTTP 503 from reddit.com",
                                           last_attempt=NOW, last_error_at=NOW))
        uow.commit()
    for svc in fixed.services():
        svc.invalidate()
    return fixed

"""Fixtures for the Payments panel tests: a ledger with data, stand-in servers on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest


@pytest.fixture
def filled(services: Any) -> Any:
    """An app whose ledger holds sales from three providers, one declined charge and one Ko-fi refund."""
    from app.payments.model import Provider, TxnStatus
    from services.payments.ledger import Ledger
    from services.payments.providers.base import RemoteTxn

    base = datetime(2026, 10, 1, 12, tzinfo=UTC)
    txns = []
    for i, p in enumerate([Provider.STRIPE] * 6 + [Provider.GUMROAD] * 4 + [Provider.KOFI] * 3):
        txns.append(RemoteTxn(provider=p, provider_id=f"{p.value}-{i}", status=TxnStatus.SUCCEEDED,
                              amount=500 + 100 * i, currency="USD" if i % 5 else "EUR",
                              created_at=base + timedelta(days=i * 2), template_id=f"tpl-{i % 3}",
                              fee=30 if p is Provider.STRIPE else 0, description=f"sale {i}"))
    with services.ctx.new_uow() as uow:
        ledger = Ledger(uow.session, base)
        for p in (Provider.STRIPE, Provider.GUMROAD, Provider.KOFI):
            ledger.upsert_txns([t for t in txns if t.provider is p])
        ledger.upsert_txns([RemoteTxn(provider=Provider.STRIPE, provider_id="pi_declined", status=TxnStatus.DECLINED,
                                      amount=999, currency="USD", created_at=base + timedelta(days=3),
                                      failure_code="card_declined", failure_message="Your card was declined.")])
        ledger.flush_totals()
        uow.commit()
    return services

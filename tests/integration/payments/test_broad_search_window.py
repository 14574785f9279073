"""A broad payments search first looks among the ledger's newest rows (real SQLite, rows stored
through the ledger's write path): it reads only the part of the term's full-text matches whose
rowids can be among them, and gives the same page as reading every match, or falls back to that
when the newest rows cannot fill the page."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.payments.model import Provider, TxnStatus
from services.db.plans import recorded_statements
from services.payments import ledger as ledger_module
from services.payments.ledger import Ledger, TxnFilter, list_statement, list_txns
from services.payments.providers.base import RemoteTxn

pytestmark = pytest.mark.sqlite_only  # PostgreSQL's planner weighs its GIN index itself: no window there

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
ROWS = 3000


def _txn(i: int) -> RemoteTxn:
    words = ["sale"]
    if i % 2 == 0:
        words.append("common")
    if i % 50 == 0:
        words.append("rare")
    if i > ROWS - 40:
        words.append("late")  # only in the oldest rows: the newest cannot fill a page
    return RemoteTxn(provider=Provider.STRIPE if i % 3 else Provider.GUMROAD, provider_id=f"obj_{i}",
                     status=TxnStatus.SUCCEEDED, amount=500 + i, currency="USD",
                     created_at=NOW - timedelta(minutes=i // 3),  # three rows share each minute
                     description=" ".join(words))


@pytest.fixture
def window_app(services: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    order = list(range(ROWS))
    random.Random(7).shuffle(order[: ROWS // 2])  # the newer half stored out of time order, the rest against it
    with services.ctx.new_uow() as uow:
        ledger = Ledger(uow.session, NOW)
        for start in range(0, ROWS, 500):
            ledger.upsert_txns([_txn(i) for i in order[start:start + 500]])
        ledger.flush_totals()
        uow.commit()
    monkeypatch.setattr(ledger_module, "BROAD_SEARCH", 10)  # every word here counts as broad
    monkeypatch.setattr(ledger_module, "NEWEST_WINDOW", 64)
    return services


def _every_match(app: Any, f: TxnFilter) -> list[str]:
    with app.ctx.new_uow() as uow:
        return [r.provider_id for r in uow.session.scalars(list_statement(f, broad=False))]


@pytest.mark.parametrize("search", ["common", "rare", "late", "sale com"])
@pytest.mark.parametrize(("offset", "limit"), [(0, 3), (0, 50), (7, 20), (2990, 50)])
def test_a_broad_page_is_the_page_every_match_gives(window_app: Any, search: str, offset: int, limit: int) -> None:
    f = TxnFilter(search=search, offset=offset, limit=limit)
    with window_app.ctx.new_uow() as uow:
        assert [t.provider_id for t in list_txns(uow.session, f)] == _every_match(window_app, f)


@pytest.mark.parametrize("provider", ["stripe", "gumroad"])
def test_a_broad_page_under_a_filter_is_the_page_every_match_gives(window_app: Any, provider: str) -> None:
    f = TxnFilter(search="common", provider=provider, limit=40, offset=5)
    with window_app.ctx.new_uow() as uow:
        assert [t.provider_id for t in list_txns(uow.session, f)] == _every_match(window_app, f)


def _listing_statements(app: Any, f: TxnFilter) -> list[str]:
    with recorded_statements(app.ctx.engine) as recorded, app.ctx.new_uow() as uow:
        list_txns(uow.session, f)
    return [sql for sql, _ in recorded if "payment_transactions.created_at DESC, payment_transactions.id DESC" in sql]


def test_a_dense_term_reads_only_the_matches_in_the_newest_rows_span(window_app: Any) -> None:
    pages = _listing_statements(window_app, TxnFilter(search="common", limit=10))
    assert len(pages) == 1, pages
    assert "payment_transactions_fts.rowid BETWEEN" in pages[0], pages[0]


def test_a_term_the_newest_rows_cannot_fill_reads_every_match(window_app: Any) -> None:
    pages = _listing_statements(window_app, TxnFilter(search="late", limit=10))
    assert len(pages) == 2, pages
    assert "BETWEEN" in pages[0] and "BETWEEN" not in pages[1], pages


def test_rows_tied_with_the_windows_oldest_are_left_to_the_full_read(services: Any) -> None:
    # stored: x (the oldest minute of the window, lowest rowid), four newer rows, three more of x's minute, older rows
    newer, tied, older = NOW, NOW - timedelta(minutes=1), NOW - timedelta(minutes=2)

    def txn(name: str, at: datetime) -> RemoteTxn:
        return RemoteTxn(provider=Provider.STRIPE, provider_id=name, status=TxnStatus.SUCCEEDED, amount=500,
                         currency="USD", created_at=at, description="tie sale")

    rows = [txn("x", tied)] + [txn(f"y{i}", newer) for i in range(4)] + [txn(f"z{i}", tied) for i in range(3)]
    rows += [txn(f"w{i}", older) for i in range(6)]
    with services.ctx.new_uow() as uow:
        ledger = Ledger(uow.session, NOW)
        for row in rows:  # one at a time: rowids in this order
            ledger.upsert_txns([row])
        ledger.flush_totals()
        uow.commit()
    with services.ctx.engine.begin() as conn:  # x sorts first among its minute (ids break ties, newest first)
        conn.exec_driver_sql("UPDATE payment_transactions SET id = 'ffffffff' WHERE provider_id = 'x'")
    f = TxnFilter(search="tie", limit=7)
    with services.ctx.new_uow() as uow:
        window = ledger_module.newest_window(uow.session, f, 5)
        assert window is not None
        page = ledger_module._page_in_newest_window(uow.session, f, 5)
        assert page is None or [t.provider_id for t in page] == _every_match(services, f)
        assert [t.provider_id for t in list_txns(uow.session, f)] == _every_match(services, f)

"""Linking a provider's product to a template from the Payments panel, on a real ledger."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.payments.model import Provider, TxnStatus
from ui.panels.payments.link_dialog import LinkProductDialog, ProductLink
from ui.panels.payments_panel import PaymentsPanel

pytestmark = pytest.mark.usefixtures("drain_background_jobs")


@pytest.fixture
def unlinked(services: Any) -> Any:
    """Three Gumroad sales of product 'prod-quotes' with no template; the product is known from a sync."""
    from services.payments.ledger import Ledger
    from services.payments.providers.base import RemoteProduct, RemoteTxn

    services.home.import_samples()
    base = datetime(2026, 10, 1, 12, tzinfo=UTC)
    with services.ctx.new_uow() as uow:
        ledger = Ledger(uow.session, base)
        ledger.upsert_products([RemoteProduct(Provider.GUMROAD, "prod-quotes", "Quotes Pro")])
        ledger.upsert_txns([RemoteTxn(provider=Provider.GUMROAD, provider_id=f"sale-{i}", status=TxnStatus.SUCCEEDED,
                                      amount=400, currency="USD", created_at=base + timedelta(days=i),
                                      product_id="prod-quotes") for i in range(3)])
        ledger.flush_totals()
        uow.commit()
    return services


def _panel(qtbot: QtBot, services: Any) -> PaymentsPanel:
    panel = PaymentsPanel(services)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: not panel.loading and panel.model.rowCount() > 0, timeout=5000)
    return panel


def test_the_dialog_starts_from_the_selected_sales_product(qtbot: QtBot) -> None:
    products = [{"provider": "gumroad", "product_id": "prod-quotes", "name": "Quotes Pro", "template_id": None},
                {"provider": "itch", "product_id": "game-1", "name": "Game", "template_id": "flash"}]
    dialog = LinkProductDialog(products, [("quotes-daily", "Daily Quotes")], Provider.GUMROAD, "prod-quotes")
    qtbot.addWidget(dialog)
    assert dialog.product_id() == "prod-quotes"
    assert [dialog.product_box.itemText(i) for i in range(dialog.product_box.count())] == ["Quotes Pro"]
    assert not dialog.link_button.isEnabled()  # no template chosen yet
    dialog.template_box.setCurrentIndex(dialog.template_box.findData("quotes-daily"))
    assert dialog.link_button.isEnabled()
    assert dialog.link() == ProductLink(Provider.GUMROAD, "prod-quotes", "quotes-daily")


def test_linking_moves_the_recorded_sales_to_the_template(qtbot: QtBot, unlinked: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    panel = _panel(qtbot, unlinked)
    panel.select_row(0)
    offered: list[tuple[Any, ...]] = []

    def ask(cls: Any, parent: Any, products: list[dict[str, Any]], templates: list[tuple[str, str]],
            provider: Provider | None = None, product_id: str | None = None) -> ProductLink:
        offered.append((provider, product_id, [p["product_id"] for p in products], "quotes-daily" in dict(templates)))
        return ProductLink(Provider.GUMROAD, "prod-quotes", "quotes-daily")

    monkeypatch.setattr(LinkProductDialog, "ask", classmethod(ask))
    with qtbot.waitSignal(panel.link_finished, timeout=5000) as blocker:
        panel.link_button.click()
    assert offered == [(Provider.GUMROAD, "prod-quotes", ["prod-quotes"], True)]
    assert blocker.args == [3]
    assert {t.template_id for t in panel.model.rows()} == {"quotes-daily"}
    assert "3 recorded sales moved to it" in panel.progress_label.text()
    [row] = unlinked.payments.summary("template")
    assert (row.key, row.count, row.gross) == ("quotes-daily", 3, 1200)  # the rollups moved with the sales
    assert unlinked.payments.products()[0]["template_id"] == "quotes-daily"


def test_cancelling_links_nothing(qtbot: QtBot, unlinked: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    panel = _panel(qtbot, unlinked)
    monkeypatch.setattr(LinkProductDialog, "ask", classmethod(lambda cls, *a, **k: None))
    with qtbot.waitSignal(panel.link_finished, timeout=5000) as blocker:
        panel.link_button.click()
    assert blocker.args == [None]
    assert unlinked.payments.products()[0]["template_id"] is None


def test_enter_links_and_escape_cancels(qtbot: QtBot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    products = [{"provider": "gumroad", "product_id": "prod-quotes", "name": "Quotes Pro", "template_id": None}]
    dialog = LinkProductDialog(products, [("quotes-daily", "Daily Quotes")], Provider.GUMROAD, "prod-quotes")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=5000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    dialog.template_box.setCurrentIndex(1)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert dialog.result() == LinkProductDialog.DialogCode.Accepted

    other = LinkProductDialog(products, [("quotes-daily", "Daily Quotes")])
    qtbot.addWidget(other)
    other.show()
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow, timeout=5000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=5000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    assert other.result() == LinkProductDialog.DialogCode.Rejected and other.link() is None

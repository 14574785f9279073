"""The payments area's workflow actions: charge, refund (its compensation), link a product."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from services.actions import ActionContext, ActionRegistry, Param

if TYPE_CHECKING:
    from services.payments.service import PaymentsService


def register_actions(registry: ActionRegistry, payments: Callable[[], PaymentsService]) -> None:
    """``payments()`` gives the service when an action runs (the area is built on first use)."""

    @registry.action(
        "payments.charge",
        Param("provider", str), Param("amount", str, description="e.g. 9.99"), Param("currency", str),
        Param("template_id", str, required=False), Param("payment_method", str, required=False),
        idempotent=False, area="payments", description="Charge a customer (compensate with payments.refund)",
    )
    async def charge(actx: ActionContext, provider: str, amount: str, currency: str, template_id: str | None = None,
                     payment_method: str | None = None) -> dict[str, Any]:
        txn = await payments().charge_async(provider, template_id, amount, currency, payment_method)
        return dict(txn.to_dict())

    @registry.action(
        "payments.refund", Param("txn_id", str), Param("amount", str, required=False),
        idempotent=False, area="payments", description="Refund a transaction (all of it, or an amount)",
    )
    async def refund(actx: ActionContext, txn_id: str, amount: str | None = None) -> dict[str, Any]:
        result = await payments().refund_async(txn_id, amount)
        return {"amount": result.amount, "refund_id": result.refund_id, "remote": result.remote, "message": result.message}

    @registry.action(
        "payments.link_product", Param("provider", str), Param("product_id", str), Param("template_id", str),
        idempotent=True, area="payments", description="Link a provider's product to a template (for revenue per template)",
    )
    def link_product(actx: ActionContext, provider: str, product_id: str, template_id: str) -> dict[str, Any]:
        payments().link_product(provider, product_id, template_id)
        return {"provider": provider, "product_id": product_id, "template_id": template_id}

"""What the payments area adds to a template's stats: its revenue, sales and last sale.

``PaymentsService.template_stats`` answers with :func:`template_revenue`, and the composition root
hands it to the templates area as a stats source without building this area (so ``templates list``
does not import the providers).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, func, select

from app.payments.model import CAPTURED_STATUSES
from services.context import ServiceContext
from services.payments.models import MonthlyTotalRecord, TransactionRecord
from services.ports import CurrencyRevenue, TemplateFigures


def template_revenue(ctx: ServiceContext, template_ids: list[str]) -> dict[str, TemplateFigures]:
    """Per-template revenue for the templates area's stats (``register_stats_source``).

    ``revenue_minor``/``currency`` is the net in the template's main currency (the one with
    the most net); every currency is in ``revenue_by_currency``.
    """
    ids = [i for i in dict.fromkeys(template_ids) if i]
    if not ids:
        return {}
    since = ctx.clock() - timedelta(days=30)
    m = MonthlyTotalRecord
    t = TransactionRecord
    captured = [s.value for s in CAPTURED_STATUSES]
    with ctx.new_uow() as uow:
        totals = uow.session.execute(
            select(m.template_id, m.currency, func.sum(m.count), func.sum(m.gross), func.sum(m.fees),
                   func.sum(m.refunds)).where(m.template_id.in_(ids)).group_by(m.template_id, m.currency)).all()
        recent = dict(uow.session.execute(
            select(t.template_id, func.count()).where(t.template_id.in_(ids), t.created_at >= since,
                                                      t.status.in_(captured)).group_by(t.template_id)).all())
        # newest captured sale per template: a short walk back on (template_id, created_at, status)
        # for each, where max() over the group read every sale the template ever had
        latest = (select(t.created_at).where(t.template_id == bindparam("tid"), t.status.in_(captured))
                  .order_by(t.created_at.desc()).limit(1))
        last = {tid: uow.session.scalar(latest, {"tid": tid}) for tid in ids}
    sales: dict[str, int] = {}
    by_currency: dict[str, list[CurrencyRevenue]] = {}
    for tid, cur, n, gross, fees, refunds in totals:
        net = int(gross or 0) - int(fees or 0) - int(refunds or 0)
        sales[str(tid)] = sales.get(str(tid), 0) + int(n or 0)
        by_currency.setdefault(str(tid), []).append({"currency": cur, "gross": int(gross or 0), "net": net})
    out: dict[str, TemplateFigures] = {}
    for tid, revenues in by_currency.items():
        entry: TemplateFigures = {"sales": sales[tid], "revenue_by_currency": revenues}
        out[tid] = entry
        main = max(revenues, key=lambda r: r["net"])
        entry["revenue_minor"] = main["net"]
        entry["currency"] = main["currency"]
        entry["recent_sales"] = int(recent.get(tid, 0))
        if last.get(tid) is not None:
            entry["last_activity"] = last[tid]
    return out

"""Timed housekeeping of orders: order summaries never confirmed lapse, and
free-standing special prices lapse at the end of their validity."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from chat.context import Context, Services
from models.db import unit_of_work
from chat.messages import Text
from handlers.orders.cards import stamp_card
from handlers.orders.status import end_order
from handlers.special_prices.on_orders import pending_for_order
from handlers.common.texts import t
from models import Order, SpecialPrice, User


def sweep(svc: Services) -> dict[str, int]:
    counts = {"drafts_lapsed": 0, "grants_expired": 0}
    with svc.factory() as s:
        ctx = Context.for_system(s, svc, actor="scheduler")
        cutoff = ctx.now - timedelta(hours=ctx.rules.orders.draft_valid_hours)
        drafts = s.execute(select(Order.id).where(Order.status == "draft", Order.updated_at < cutoff)
                           .order_by(Order.id)).scalars().all()
        grants = s.execute(select(SpecialPrice.id).where(SpecialPrice.status == "approved",
                                                         SpecialPrice.valid_until < ctx.now)).scalars().all()
    for order_id in drafts:
        with unit_of_work(svc.factory) as s:
            counts["drafts_lapsed"] += _lapse(Context.for_system(s, svc, actor="scheduler"), order_id)
    for sp_id in grants:
        with unit_of_work(svc.factory) as s:
            counts["grants_expired"] += _expire_grant(Context.for_system(s, svc, actor="scheduler"), sp_id)
    return counts


def _lapse(ctx: Context, order_id: int) -> int:
    from handlers.orders.confirm import draft_expired
    order = ctx.s.execute(select(Order).where(Order.id == order_id).with_for_update()
                          .execution_options(populate_existing=True)).scalar_one()
    if order.status != "draft" or pending_for_order(ctx, order) or not draft_expired(ctx, order):
        return 0     # a special price still being decided keeps the summary alive
    notes = end_order(ctx, order, "cancelled", "expired", reason="draft expired")
    stamp_card(ctx, order, t("order_stamp_expired", "zh"), None, "expired")
    ctx.send(ctx.s.get(User, order.submitter_id), Text("\n".join(x for x in (t("order_draft_expired", "zh", number=order.number,
                                                   hours=ctx.rules.orders.draft_valid_hours), notes) if x)),
             key=f"order-lapsed:{order.id}")
    return 1


def _expire_grant(ctx: Context, sp_id: int) -> int:
    sp = ctx.s.execute(select(SpecialPrice).where(SpecialPrice.id == sp_id).with_for_update()
                       .execution_options(populate_existing=True)).scalar_one()
    if sp.status != "approved" or sp.valid_until is None or sp.valid_until >= ctx.now:
        return 0
    sp.status, sp.updated_at = "expired", ctx.now
    ctx.audit("special_price.expired", "special_price", sp.number, before={"status": "approved"},
              after={"status": "expired"})
    ctx.send(ctx.s.get(User, sp.submitter_id), Text(t("sp_expired", "zh", number=sp.number)),
             key=f"sp-expired:{sp.id}")
    return 1

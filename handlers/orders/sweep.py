"""Timed housekeeping of orders: order summaries never confirmed lapse."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from chat import sweeps
from chat.context import Context, Services
from chat.messages import Text
from handlers.orders.cards import stamp_card
from handlers.orders.confirm import draft_expired
from handlers.orders.special_terms import pending_for_order
from handlers.orders.status import end_order
from handlers.orders.texts import t
from models import Order, OrderStatus, User


def sweep(svc: Services) -> dict[str, int]:
    return sweeps.each(svc, sweeps.read(svc, _stale_drafts), _lapse, outcomes=("drafts_lapsed",))


def _stale_drafts(ctx: Context) -> list[int]:
    cutoff = ctx.now - timedelta(hours=ctx.rules.orders.draft_valid_hours)
    return list(ctx.s.execute(select(Order.id).where(Order.status == OrderStatus.DRAFT, Order.updated_at < cutoff)
                              .order_by(Order.id)).scalars())


def _lapse(ctx: Context, order_id: int) -> str | None:
    order = ctx.s.execute(select(Order).where(Order.id == order_id).with_for_update()
                          .execution_options(populate_existing=True)).scalar_one()
    if order.status != OrderStatus.DRAFT or pending_for_order(ctx, order) or not draft_expired(ctx, order):
        return None     # a special price still being decided keeps the summary alive
    notes = end_order(ctx, order, OrderStatus.CANCELLED, "expired", reason="draft expired")
    stamp_card(ctx, order, t("order_stamp_expired", "zh"), "expired")
    expired = t("order_draft_expired", "zh", number=order.number, hours=ctx.rules.orders.draft_valid_hours)
    ctx.send(ctx.s.get(User, order.submitter_id), Text("\n".join(x for x in (expired, notes) if x)),
             key=f"order-lapsed:{order.id}")
    return "drafts_lapsed"

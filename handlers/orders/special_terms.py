"""An order's special terms: the special prices approved for its current
revision (pricing uses them), the one still being decided (it holds the
order open), and voiding them when the order changes, is cancelled or lapses
(each approver who agreed, or still had the card, is told). Requesting and
deciding special prices is the special_prices capability's."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from chat.context import Context
from domain.money import money
from handlers.approvals import void_flows
from handlers.orders.texts import t
from models import Order, SpecialPrice, SpecialPriceStatus


@dataclass(frozen=True)
class OrderTerms:
    """An order's special prices, in one read: the number of one still being
    decided, and sku → (price, special price) of those approved for its revision."""
    pending: str | None
    approved: dict[str, tuple[Decimal, SpecialPrice]]


def terms_of(ctx: Context, order: Order) -> OrderTerms:
    rows = ctx.s.execute(select(SpecialPrice).where(
        SpecialPrice.order_id == order.id,
        SpecialPrice.status.in_((SpecialPriceStatus.PENDING, SpecialPriceStatus.APPROVED)))
        .order_by(SpecialPrice.id)).scalars().all()
    return OrderTerms(
        pending=next((sp.number for sp in rows if sp.status == SpecialPriceStatus.PENDING), None),
        approved={item["sku"]: (money(item["asked_price"]), sp) for sp in rows
                  if sp.status == SpecialPriceStatus.APPROVED and sp.order_revision == order.revision
                  for item in sp.items})


def approved_for_order(ctx: Context, order: Order) -> dict[str, tuple[Decimal, SpecialPrice]]:
    return terms_of(ctx, order).approved


def pending_for_order(ctx: Context, order: Order) -> str | None:
    """The number of a special price still being decided for the order."""
    return terms_of(ctx, order).pending


def void_for_order(ctx: Context, order: Order, why: str) -> list[str]:
    """The order changed, was cancelled or lapsed (``why``: changed | cancelled |
    expired): its special prices no longer apply. Waiting cards turn into
    stamps; their approvers and those who already agreed are told. Returns
    the numbers voided, for the dealer's message."""
    voided = []
    reason = t("sp_void_why", "zh", order=order.number, why=t(f"sp_void_{why}", "zh"))
    live = (SpecialPriceStatus.PENDING, SpecialPriceStatus.APPROVED)     # asked for, or granted
    for sp in ctx.s.execute(select(SpecialPrice).where(SpecialPrice.order_id == order.id,
                                                       SpecialPrice.status.in_(live))
                            .with_for_update()).scalars():
        was = sp.status
        void_flows(ctx, "special_price", sp.id, reason)
        sp.status, sp.updated_at = SpecialPriceStatus.VOID, ctx.now
        ctx.audit("special_price.void", "special_price", sp.number, before={"status": was},
                  after={"status": SpecialPriceStatus.VOID, "why": f"order {why}", "order_revision": order.revision})
        voided.append(sp.number)
    return voided

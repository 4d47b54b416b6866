"""An order's status changes and what the dealer is told about each.

Every push is keyed by order, status and revision: a retried command, a
repeated ERP post or a second scheduler never tells the dealer twice.

A change, a cancellation or a lapse undoes what was approved for the order
(an approval covers the exact order, product.md point 3): its approval flows
and special prices are voided, the approvers are told, and so is the dealer,
in the same message as the change itself.
"""
from __future__ import annotations

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from domain.money import json_money
from domain.rules.words import reason_label
from domain.wording import yuan
from handlers.approvals import void_flows
from handlers.orders.special_terms import void_for_order
from handlers.orders.texts import t
from models import Order, OrderStatus, SpecialPrice, SpecialPriceStatus, User

STAMP_FIELD = {OrderStatus.CONFIRMED: "confirmed_at", OrderStatus.SHIPPED: "shipped_at",
               OrderStatus.DELIVERED: "delivered_at", OrderStatus.CANCELLED: "cancelled_at"}


def order_snapshot(order: Order) -> dict:
    return {"number": order.number, "status": order.status, "revision": order.revision,
            "partner_id": order.partner_id, "customer": order.customer_text, "ship_to": order.ship_to,
            "ship_to_region": order.ship_to_region, "total_yuan": json_money(order.total_yuan or 0),
            "lines": [[ln.sku, ln.qty, json_money(ln.unit_price), ln.price_source] for ln in order.lines]}


def set_status(ctx: Context, order: Order, status: str, reason: str | None = None) -> None:
    order.status, order.updated_at = status, ctx.now
    if status in STAMP_FIELD:
        setattr(order, STAMP_FIELD[status], ctx.now)
    if status == OrderStatus.CONFIRMED:
        _use_grants(ctx, order)


def _use_grants(ctx: Context, order: Order) -> None:
    """A free-standing special price is used up by the order that confirms at it."""
    numbers = {ln.price_source.split(":", 1)[1] for ln in order.lines
               if ln.price_source.startswith("special:") and ln.special_price_id is None}
    for number in numbers:
        grant = ctx.s.execute(select(SpecialPrice).where(SpecialPrice.number == number)
                              .with_for_update()).scalar_one_or_none()
        if grant is not None and grant.status == SpecialPriceStatus.APPROVED and grant.order_id is None:
            grant.status, grant.updated_at = SpecialPriceStatus.USED, ctx.now
            ctx.audit("special_price.used", "special_price", grant.number,
                      before={"status": SpecialPriceStatus.APPROVED},
                      after={"status": SpecialPriceStatus.USED, "order": order.number})


def notify_status(ctx: Context, order: Order, status: str, reply: bool = False, extra: str = "") -> None:
    """Tell the dealer who placed the order; ``reply`` when they caused it."""
    dealer = ctx.s.get(User, order.submitter_id)
    text = t(f"order_now_{status}", "zh", number=order.number, total=yuan(order.total_yuan),
             tracking=order.tracking or "-") + (f"\n{extra}" if extra else "")
    key = f"order-status:{order.id}:r{order.revision}:{status}"
    if reply:
        ctx.reply_or_send(dealer, Text(text), key=key)
    else:
        ctx.send(dealer, Text(text), key=key)


def void_bound(ctx: Context, order: Order, why: str) -> str:
    """Void what was approved or asked for this order (``why``: changed |
    cancelled | expired); the approvers are told. Returns what to tell the
    dealer about it ("" when nothing was bound to the order)."""
    notes = []
    for v in void_flows(ctx, "order", order.id, t(f"order_void_why_{why}", "zh")):
        reasons = "、".join(reason_label(r["reason_code"]) for r in v.flow.reasons)
        if v.waiting:
            notes.append(t("order_void_waiting", "zh", who="、".join(u.name for u in v.waiting), reasons=reasons))
        elif v.agreed:
            notes.append(t("order_void_agreed", "zh", who="、".join(u.name for u in v.agreed), reasons=reasons))
    sps = void_for_order(ctx, order, why)
    if sps:
        notes.append(t("order_void_sps", "zh", sps="、".join(sps)))
    return "\n".join(notes)


def end_order(ctx: Context, order: Order, status: str, why: str, reason: str | None = None) -> str:
    """Cancel (the dealer did) or lapse an order; what was bound to it goes
    with it. Returns the dealer's note about that (see void_bound)."""
    before = order_snapshot(order)
    notes = void_bound(ctx, order, why)
    set_status(ctx, order, status, reason=reason)
    ctx.audit(f"order.{'expired' if why == 'expired' else status}", "order", order.number, before=before,
              after=order_snapshot(order))
    return notes

"""What the ERP tells us: an order shipped, was delivered or cancelled there, and
each partner's unpaid receivables — so credit exposure stays true.

Each update is applied in its own transaction and is idempotent: the same
status twice changes nothing and tells the dealer nothing more; receivables
older than what we have (deliveries can arrive out of order) are ignored.

Once the ERP has taken a confirmed order (order_export), the dealer can no
longer change or cancel it in the chat (order_access), so the statuses the
ERP posts always find the order as it exported it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from chat.api import ItemError
from chat.context import Context
from handlers.orders.price_list import money
from handlers.orders.status import notify_status, order_snapshot, set_status, void_bound
from models import Order, OrderStatus, Partner

# ERP status → the statuses it may follow.
TRANSITIONS = {OrderStatus.SHIPPED: (OrderStatus.CONFIRMED,),
               OrderStatus.DELIVERED: (OrderStatus.SHIPPED, OrderStatus.CONFIRMED),
               OrderStatus.CANCELLED: (OrderStatus.CONFIRMED,)}
MAX_TRACKING = 120
MAX_UNPAID = Decimal("100000000000")


class ErpError(ItemError):
    """A refused update: ``code`` for machines, the message for people."""


@dataclass
class Applied:
    ref: str
    result: str        # updated | unchanged | ignored (older data)
    status: str | None = None

    def to_dict(self) -> dict:
        return {"ref": self.ref, "result": self.result, **({"status": self.status} if self.status else {})}


def _text(d: dict, key: str, limit: int) -> str | None:
    value = d.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, (str, int)):
        raise ErpError("bad_field", f"{key} must be a string")
    value = str(value).strip()
    if len(value) > limit:
        raise ErpError("bad_field", f"{key} is longer than {limit} characters")
    return value


def _when(d: dict, key: str) -> datetime | None:
    value = d.get(key)
    if value in (None, ""):
        return None
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        raise ErpError("bad_time", f"{key} must be an ISO 8601 time, e.g. 2026-12-02T10:00:00+08:00") from None
    if when.tzinfo is None:
        raise ErpError("bad_time", f"{key} needs a time zone offset, e.g. +08:00")
    return when.astimezone(UTC)


def apply_shipment(ctx: Context, update: dict) -> Applied:
    if not isinstance(update, dict):
        raise ErpError("bad_body", "each update must be a JSON object")
    number = _text(update, "order", 32)
    status = _text(update, "status", 20)
    if not number:
        raise ErpError("missing_order", "order (the SO number) is required")
    if status not in TRANSITIONS:
        raise ErpError("bad_status", f"status must be one of {', '.join(TRANSITIONS)}")
    tracking, erp_ref = _text(update, "tracking", MAX_TRACKING), _text(update, "erp_ref", 64)
    order = ctx.s.execute(select(Order).where(Order.number == number.upper()).with_for_update()).scalar_one_or_none()
    if order is None:
        raise ErpError("unknown_order", f"no order {number}")
    if order.status == status:
        return Applied(order.number, "unchanged", status)
    if order.status not in TRANSITIONS[status]:
        raise ErpError("bad_transition", f"order {order.number} is {order.status}; it cannot become {status}")
    before = order_snapshot(order)
    if tracking:
        order.tracking = tracking
    if erp_ref:
        order.erp_ref = erp_ref
    # A cancelled order takes its approvals and special prices with it; approvers
    # and the dealer hear it, as when the dealer cancels.
    notes = void_bound(ctx, order, "cancelled") if status == OrderStatus.CANCELLED else ""
    set_status(ctx, order, status)
    at = _when(update, "at")
    if at is not None and status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        setattr(order, f"{status}_at", at)
    ctx.audit(f"order.{status}", "order", order.number, before=before,
              after={**order_snapshot(order), "tracking": order.tracking, "erp_ref": order.erp_ref})
    notify_status(ctx, order, status, extra=notes)
    return Applied(order.number, "updated", status)


def apply_receivable(ctx: Context, update: dict) -> Applied:
    if not isinstance(update, dict):
        raise ErpError("bad_body", "each balance must be a JSON object")
    key = _text(update, "partner", 200)
    if not key:
        raise ErpError("missing_partner", "partner (its code, or its name) is required")
    try:
        unpaid = Decimal(str(update.get("unpaid_yuan")))
    except (InvalidOperation, ValueError):
        raise ErpError("bad_amount", "unpaid_yuan must be a number") from None
    if not unpaid.is_finite() or unpaid < 0 or unpaid > MAX_UNPAID:
        raise ErpError("bad_amount", "unpaid_yuan must be between 0 and 100,000,000,000")
    as_of = _when(update, "as_of") or ctx.now
    partner = ctx.s.execute(select(Partner).where((Partner.code == key) | (Partner.name == key))
                            .with_for_update()).scalars().first()
    if partner is None:
        raise ErpError("unknown_partner", f"no partner {key}")
    ref = partner.code or partner.name
    if partner.receivables_as_of is not None and as_of < partner.receivables_as_of:
        return Applied(ref, "ignored")
    if money(partner.receivables_yuan or 0) == money(unpaid) and partner.receivables_as_of is not None:
        partner.receivables_as_of = as_of
        return Applied(ref, "unchanged")
    before = {"receivables_yuan": float(partner.receivables_yuan or 0),
              "as_of": partner.receivables_as_of.isoformat() if partner.receivables_as_of else None}
    partner.receivables_yuan, partner.receivables_as_of = money(unpaid), as_of
    ctx.audit("partner.receivables", "partner", ref, before=before,
              after={"receivables_yuan": float(money(unpaid)), "as_of": as_of.isoformat()})
    return Applied(ref, "updated")

"""What the ERP tells us: an order shipped, was delivered or cancelled there, and
each partner's unpaid receivables — so credit exposure stays true.

A batch is checked whole before any of it is applied (check_shipment,
check_receivable: a malformed item refuses the batch); then each update is
applied in its own savepoint of the batch's transaction and is idempotent: the same
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
from domain.money import LARGEST_AMOUNT, json_money, money
from handlers.orders.status import notify_status, order_snapshot, set_status, void_bound
from models import Order, OrderStatus, Partner

# ERP status → the statuses it may follow.
TRANSITIONS = {OrderStatus.SHIPPED: (OrderStatus.CONFIRMED,),
               OrderStatus.DELIVERED: (OrderStatus.SHIPPED, OrderStatus.CONFIRMED),
               OrderStatus.CANCELLED: (OrderStatus.CONFIRMED,)}
MAX_TRACKING = 120
MAX_UNPAID = LARGEST_AMOUNT


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
    if isinstance(value, bool) or not isinstance(value, (str, int)):      # true is no order number
        raise ErpError("bad_field", f"{key} must be a string")
    if isinstance(value, str) and "\x00" in value:        # PostgreSQL's text refuses it at the write
        raise ErpError("bad_field", f"{key} holds a NUL character")
    value = str(value).strip()
    if len(value) > limit:
        raise ErpError("bad_field", f"{key} is longer than {limit} characters")
    return value


# Times the ERP may state: anything else is a typo or a placeholder (0001-01-01), and
# the far ends do not even convert to UTC (OverflowError).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _when(d: dict, key: str) -> datetime | None:
    value = d.get(key)
    if value in (None, ""):
        return None
    return parse_time(value, key)


def parse_time(value: object, key: str, default_tz=None) -> datetime:
    """An ISO 8601 time with its offset (or ``default_tz``), in UTC, between 2000 and 2100."""
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        raise ErpError("bad_time", f"{key} must be an ISO 8601 time, e.g. 2026-12-02T10:00:00+08:00") from None
    if when.tzinfo is None:
        if default_tz is None:
            raise ErpError("bad_time", f"{key} needs a time zone offset, e.g. +08:00")
        when = when.replace(tzinfo=default_tz)
    try:
        when = when.astimezone(UTC)
    except (OverflowError, ValueError):
        when = None
    if when is None or not EARLIEST <= when < LATEST:
        raise ErpError("bad_time", f"{key} must lie between 2000-01-01 and 2100-01-01 (got {str(value)[:40]})")
    return when


@dataclass(frozen=True)
class ShipmentUpdate:
    number: str
    status: str
    tracking: str | None
    erp_ref: str | None
    at: datetime | None


def check_shipment(update: object) -> ShipmentUpdate:
    """Everything that can be said of an update without the database: all of a
    batch is checked before any of it is applied."""
    if not isinstance(update, dict):
        raise ErpError("bad_body", "each update must be a JSON object")
    number = _text(update, "order", 32)
    status = _text(update, "status", 20)
    if not number:
        raise ErpError("missing_order", "order (the SO number) is required")
    if status not in TRANSITIONS:
        raise ErpError("bad_status", f"status must be one of {', '.join(TRANSITIONS)}")
    return ShipmentUpdate(number.upper(), status, _text(update, "tracking", MAX_TRACKING),
                          _text(update, "erp_ref", 64), _when(update, "at"))


@dataclass(frozen=True)
class Balance:
    key: str
    unpaid: Decimal
    as_of: datetime | None


def check_receivable(update: object) -> Balance:
    if not isinstance(update, dict):
        raise ErpError("bad_body", "each balance must be a JSON object")
    key = _text(update, "partner", 200)
    if not key:
        raise ErpError("missing_partner", "partner (its code, or its name) is required")
    raw = update.get("unpaid_yuan")
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ErpError("bad_amount", "unpaid_yuan must be a number")
    try:
        unpaid = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise ErpError("bad_amount", "unpaid_yuan must be a number") from None
    if not unpaid.is_finite() or unpaid < 0 or unpaid > MAX_UNPAID:
        raise ErpError("bad_amount", "unpaid_yuan must be between 0 and 100,000,000,000")
    return Balance(key, unpaid, _when(update, "as_of"))


def apply_shipment(ctx: Context, update: dict) -> Applied:
    u = check_shipment(update)
    number, status, tracking, erp_ref = u.number, u.status, u.tracking, u.erp_ref
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
    at = u.at
    if at is not None and status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
        setattr(order, f"{status}_at", at)
    ctx.audit(f"order.{status}", "order", order.number, before=before,
              after={**order_snapshot(order), "tracking": order.tracking, "erp_ref": order.erp_ref})
    notify_status(ctx, order, status, extra=notes)
    return Applied(order.number, "updated", status)


def apply_receivable(ctx: Context, update: dict) -> Applied:
    b = check_receivable(update)
    key, unpaid, as_of = b.key, b.unpaid, b.as_of or ctx.now
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
    before = {"receivables_yuan": json_money(partner.receivables_yuan or 0),
              "as_of": partner.receivables_as_of.isoformat() if partner.receivables_as_of else None}
    partner.receivables_yuan, partner.receivables_as_of = money(unpaid), as_of
    ctx.audit("partner.receivables", "partner", ref, before=before,
              after={"receivables_yuan": json_money(unpaid), "as_of": as_of.isoformat()})
    return Applied(ref, "updated")

"""Which order a dealer's command is about, and whether it may still change.

Orders are found by number among the partner's own and locked in the order
placing takes them (partner, then order). A confirmed order stays the
dealer's to change or cancel only until the ERP has taken it (pulled by the
API or exported to a file, see order_export): after that the ERP owns it —
its shipment posts would fail on an order turned back into a draft — so a
change goes through the channel manager, whom the refusal names.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from chat.records import Found, partner_record
from handlers.approvals import routing
from handlers.orders.texts import t
from models import CHANGEABLE_ORDER_STATUSES, Order, Partner, Role

# An order summary card: "so-<order id>-r<revision>-<8 hex>" (approval cards add "-s<step>").
_TASK_RE = re.compile(r"^so-(\d+)-r(\d+)-[0-9a-f]{8}$")


def is_dealer(ctx: Context) -> bool:
    if ctx.user.role != Role.DEALER or ctx.user.partner_id is None:
        ctx.reply(Text(t("order_partners_only", ctx.lang)))
        return False
    return True


def own_order(ctx: Context, ref: str | None) -> Order | None:
    """The partner's order of that number, or None (and the dealer told why)."""
    lang = ctx.lang
    if not is_dealer(ctx):
        return None
    order, found = partner_record(ctx, Order, ref)
    if found != Found.OWN:
        # Another partner's order is answered exactly as one that does not exist
        # (as `订单 SO…` answers): a dealer must not learn another's numbers exist.
        ctx.reply(Text(t("order_not_found", lang, ref=ref or "")))
    return order


def order_for_card(ctx: Context, task_id: str) -> Order | None:
    m = _TASK_RE.match(task_id or "")
    return ctx.s.get(Order, int(m.group(1))) if m else None


def lock_for_change(ctx: Context, order: Order) -> tuple[Partner, Order]:
    """Partner first (as placing does), then the order, refreshed."""
    partner = ctx.s.execute(select(Partner).where(Partner.id == order.partner_id).with_for_update()).scalar_one()
    order = ctx.s.execute(select(Order).where(Order.id == order.id).with_for_update()
                          .execution_options(populate_existing=True)).scalar_one()
    return partner, order


def channel_manager(ctx: Context, order: Order) -> str:
    """Who a dealer turns to about an order the chat can no longer change."""
    partner = ctx.s.get(Partner, order.partner_id)
    return routing.approver_for(ctx, "area_manager", (partner.regions or [None])[0]).name


def refused_as_fixed(ctx: Context, order: Order, action: str) -> bool:
    """True, and the dealer told why and whom to ask, when the order can no
    longer be changed (``action`` "change") or cancelled ("cancel") here."""
    what = t(f"order_action_{action}", ctx.lang)
    if order.status not in CHANGEABLE_ORDER_STATUSES:
        key = f"order_fixed_{order.status}"
    elif order.exported_at is not None:
        key = "order_fixed_exported"
    else:
        return False
    ctx.reply(Text(t(key, ctx.lang, number=order.number, action=what, manager=channel_manager(ctx, order),
                     when=ctx.fmt(order.exported_at) if order.exported_at else "")))
    return True

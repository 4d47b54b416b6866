"""修改订单: change quantities, add or drop lines (`B200*0`, `删除 B200`), or the
ship-to address of an order the dealer may still change.

The changed order is priced and checked first, and only then applied. A
change the checks refuse (over credit, not in whole packs …) is answered
with the reasons and leaves the order exactly as it was — a confirmed order
stays confirmed, its approvals and special prices stand — so a mistyped
quantity never kills an order. An accepted change voids what was approved
for the old version, tells its approvers and says so to the dealer, and the
order goes back to a draft with a new card to confirm.
"""
from __future__ import annotations

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from domain.language import Parsed
from domain.wording import yuan
from handlers.orders.access import lock_for_change, own_order, refused_as_fixed
from handlers.orders.cards import edit_qty, order_status_word, resend_card
from handlers.orders.checks import ship_to_region
from handlers.orders.confirm import refusal
from handlers.orders.lines import MAX_LINES, Wanted, wanted_from
from handlers.orders.pricing import apply_pricing, price_items
from handlers.orders.status import order_snapshot, void_bound
from handlers.orders.texts import t
from models import Order, OrderStatus, Product

MAX_ADDRESS_CHARS = 200


def amend(ctx: Context, parsed: Parsed) -> None:
    lang = ctx.lang
    found = own_order(ctx, parsed.ref)
    if found is None:
        return
    partner, order = lock_for_change(ctx, found)
    if refused_as_fixed(ctx, order, "change"):
        return
    wanted = wanted_from(ctx.s, parsed)
    if wanted.unknown or wanted.inactive or wanted.bad_qty:
        bad = [w for w, _ in wanted.unknown] + wanted.inactive + wanted.bad_qty
        ctx.reply(Text(t("order_amend_bad_items", lang, items="、".join(bad))))
        return
    if parsed.address and len(parsed.address) > MAX_ADDRESS_CHARS:
        ctx.reply(Text(t("order_text_too_long", lang)))
        return
    changed = _changed_items(ctx, order, wanted)
    if changed is None:
        return
    items, changes = changed
    if parsed.address and parsed.address != order.ship_to:
        changes.append(t("order_change_ship_to", lang, ship_to=parsed.address))
    if not changes:
        first = order.lines[0]
        ctx.reply(Text(t("order_amend_nothing", lang, number=order.number, sku=order.lines[-1].sku,
                         example=f"{first.sku}*{edit_qty(first.qty, ctx.s.get(Product, first.sku).pack_size)}")))
        return
    ship_to = parsed.address or order.ship_to
    priced = price_items(ctx, partner, order, items, ship_to, keep_special=False)
    if priced.outcome.rejects:
        ctx.audit("order.amend_refused", "order", order.number, before=order_snapshot(order),
                  after={"wanted": [[p.sku, q] for p, q in items], "ship_to": ship_to},
                  verdicts=[v.to_dict() for v in priced.outcome.verdicts])
        ctx.reply_private(refusal(ctx, order, priced.outcome, "order_amend_refused", changes="；".join(changes),
                          kept=_as_it_stands(order)))
        return
    before = order_snapshot(order)
    was_draft = order.status == OrderStatus.DRAFT
    notes = void_bound(ctx, order, "changed")
    if parsed.address:
        order.ship_to, order.ship_to_region = parsed.address, ship_to_region(partner, parsed.address)
    order.revision += 1
    apply_pricing(ctx, order, priced)
    order.status, order.confirmed_at = OrderStatus.DRAFT, None
    ctx.audit("order.amended", "order", order.number, before=before, after=order_snapshot(order),
              verdicts=order.verdicts)
    ctx.reply(Text("\n".join(x for x in (t("order_amended", lang, number=order.number, changes="；".join(changes)),
                                         notes, "" if was_draft else t("order_amend_reconfirm", lang)) if x)))
    resend_card(ctx, order, None)


def _changed_items(ctx: Context, order: Order,
                   wanted: Wanted) -> tuple[list[tuple[Product, int]], list[str]] | None:
    """The order's items after the change, and the changes in words; None when
    the change can't be made (the dealer is told why)."""
    lang = ctx.lang
    current = {ln.sku: ln.qty for ln in order.lines}
    drop = list(dict.fromkeys(wanted.removed + wanted.zero))
    missing = [sku for sku in drop if sku not in current]
    if missing:
        ctx.reply(Text(t("order_remove_missing", lang, number=order.number, skus="、".join(missing))))
        return None
    new_qty = {p.sku: q for p, q in wanted.items if p.sku not in drop}
    products = {p.sku: p for p in ctx.s.execute(select(Product).where(Product.sku.in_(list(current)))).scalars()}
    items: list[tuple[Product, int]] = []
    changes: list[str] = []
    for ln in order.lines:
        if ln.sku in drop:
            changes.append(t("order_change_removed", lang, sku=ln.sku, qty=ln.qty))
            continue
        qty = new_qty.get(ln.sku, ln.qty)
        if qty != ln.qty:
            changes.append(f"{ln.sku} {ln.qty}→{qty}")
        items.append((products[ln.sku], qty))
    added = [(p, q) for p, q in wanted.items if p.sku not in current and p.sku not in drop]
    items += added
    changes += [f"+{p.sku}×{q}" for p, q in added]
    if not items:
        ctx.reply(Text(t("order_remove_last", lang, number=order.number, skus="、".join(drop))))
        return None
    if len(items) > MAX_LINES:
        ctx.reply(Text(t("order_too_many", lang)))
        return None
    return items, changes


def _as_it_stands(order: Order) -> str:
    return "、".join(f"{ln.sku}×{ln.qty}" for ln in order.lines) + \
        f"，{yuan(order.total_yuan)}，{order_status_word(order.status)}"

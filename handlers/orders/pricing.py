"""An existing order priced afresh: its lines at today's policy prices (keeping
special prices approved for this revision, and a grant it cited), checked
again. Pricing is separate from applying it, so a check that fails leaves
the order as it was."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from chat.context import Context
from domain.rules.order_checks import LineFacts
from handlers.orders.checks import OrderOutcome, evaluate
from handlers.orders.lines import price_lines, same_lines, set_lines, usable_grants
from handlers.orders.special_terms import approved_for_order
from models import Order, Partner, Product, SpecialPrice


@dataclass
class Priced:
    lines: list[LineFacts]
    outcome: OrderOutcome
    special_ids: dict[str, int]          # sku → the special price approved for this order's revision


def cited_grant(order: Order) -> str | None:
    """The free-standing special price the order was placed against, by number."""
    return next((ln.price_source.split(":", 1)[1] for ln in order.lines if ln.price_source.startswith("special:")
                 and ln.special_price_id is None), None)


def price_items(ctx: Context, partner: Partner, order: Order, items: list[tuple[Product, int]],
                ship_to: str | None, keep_special: bool,
                approved: dict[str, tuple[Decimal, SpecialPrice]] | None = None) -> Priced:
    """``items`` priced for ``order`` and checked; nothing is written.
    ``keep_special``: the special prices approved for the order still apply
    (False for a change, which voids them); ``approved``: those, already read."""
    special = (approved if approved is not None else approved_for_order(ctx, order)) if keep_special else {}
    grants = usable_grants(ctx.s, partner, order.customer_id, cited_grant(order), ctx.now, order.customer_text)
    lines = price_lines(ctx.s, ctx.rules.pricing, partner, items, grants=grants,
                        special={sku: (price, f"special:{sp.number}") for sku, (price, sp) in special.items()})
    return Priced(lines, evaluate(ctx, partner, lines, ship_to, exclude_order_id=order.id),
                  {sku: sp.id for sku, (_, sp) in special.items()})


def price_afresh(ctx: Context, partner: Partner, order: Order,
                 approved: dict[str, tuple[Decimal, SpecialPrice]] | None = None) -> Priced:
    """``approved``: the special prices approved for the order, when already read."""
    products = {p.sku: p for p in ctx.s.execute(select(Product).where(
        Product.sku.in_([ln.sku for ln in order.lines]))).scalars()}
    return price_items(ctx, partner, order, [(products[ln.sku], ln.qty) for ln in order.lines], order.ship_to,
                       keep_special=True, approved=approved)


def apply_pricing(ctx: Context, order: Order, priced: Priced, shown_again: bool = True) -> None:
    """Keep the pricing on the order (lines priced to the same figures stay). ``shown_again``:
    the summary is shown afresh, so its validity restarts even if nothing changed
    (a confirmation that changes nothing leaves that to the status it sets)."""
    changed = not same_lines(order, priced.lines, priced.special_ids)
    if changed:
        set_lines(order, priced.lines)
        for ln in order.lines:
            ln.special_price_id = priced.special_ids.get(ln.sku)
    order.verdicts = [v.to_dict() for v in priced.outcome.verdicts]
    if changed or shown_again:
        order.updated_at = ctx.now


def reprice(ctx: Context, partner: Partner, order: Order) -> OrderOutcome:
    """Price the order afresh and keep the result (a special price was decided
    or withdrawn: the summary shows the price that now applies)."""
    priced = price_afresh(ctx, partner, order)
    apply_pricing(ctx, order, priced)
    return priced.outcome

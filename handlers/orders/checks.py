"""Gather an order's facts (credit exposure, ship-to region) and run the order
check kinds of the rule store; the outcome decides refused / to approve / ok."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from chat.context import Context
from domain.matching import region_of
from domain.money import money
from domain.rules import order_checks as checks
from domain.rules.order_checks import CreditFacts, LineFacts
from domain.rules.verdict import NEEDS_APPROVAL, REJECT, WARN, Verdict
from models import OPEN_ORDER_STATUSES, Order, Partner


@dataclass
class OrderOutcome:
    verdicts: list[Verdict]
    open_orders: Decimal          # the partner's other open orders, as the credit check read them

    @property
    def rejects(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.outcome == REJECT]

    @property
    def needing(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.outcome == NEEDS_APPROVAL]

    @property
    def warnings(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.outcome == WARN]

    @property
    def credit(self) -> dict:
        return next(v.facts for v in self.verdicts if v.rule_id == "order.credit")


def open_orders_total(ctx: Context, partner_id: int, exclude_order_id: int | None) -> Decimal:
    q = select(func.coalesce(func.sum(Order.total_yuan), 0)).where(
        Order.partner_id == partner_id, Order.status.in_(OPEN_ORDER_STATUSES))
    if exclude_order_id is not None:
        q = q.where(Order.id != exclude_order_id)
    return money(ctx.s.execute(q).scalar() or 0)


def ship_to_region(partner: Partner, ship_to: str | None) -> str | None:
    """The region of the ship-to address; no address means the partner's own
    address (its default ship-to), and failing that its home region."""
    if ship_to:
        return region_of(ship_to)
    if partner.address:
        return region_of(partner.address) or (partner.regions[0] if partner.regions else None)
    return partner.regions[0] if partner.regions else None


def evaluate(ctx: Context, partner: Partner, lines: list[LineFacts], ship_to: str | None,
             exclude_order_id: int | None = None, open_orders: Decimal | None = None) -> OrderOutcome:
    """Every check, in the order a dealer would want them explained. Credit is
    read under the partner's row lock (taken by the caller), so two orders of
    one partner can't both squeeze under the limit. ``open_orders``: the other
    open orders' total, already read under that lock in this command."""
    rules, lang = ctx.rules.orders, ctx.lang
    total = sum((ln.amount for ln in lines), Decimal(0))
    credit = CreditFacts(limit=money(partner.credit_limit_yuan) if partner.credit_limit_yuan is not None else None,
                         receivables=money(partner.receivables_yuan or 0),
                         open_orders=(open_orders if open_orders is not None
                                      else open_orders_total(ctx, partner.id, exclude_order_id)),
                         this_order=money(total))
    region = ship_to_region(partner, ship_to)
    verdicts = [
        checks.qualification(rules, partner.product_lines or [], lines, lang),
        checks.minimum_quantity(lines, lang),
        checks.pack_multiple(lines, lang),
        checks.pricing(lines, lang),
        checks.credit(rules, credit, lang),
        checks.territory(rules, partner.regions or [], ship_to or partner.address or "默认地址", region, lang),
        checks.stock(rules, lines, lang),
    ]
    return OrderOutcome(verdicts, credit.open_orders)

"""特价申请: a price below the partner's policy price, approved up a ladder of
approvers chosen by how deep the extra discount goes (rule store).

A request names an order (a draft: the price is settled before the order is
confirmed) or, free-standing, items and a customer; then an approved price
may be ordered against for a while. The approval covers the exact payload:
if the order changes afterwards, the special price is void and says so
(special_price_orders). The approvals' side is special_price_kind.
"""
from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select

from chat.context import Context
from chat.messages import Markdown, Text
from chat.records import partner_record
from domain.language import Parsed
from domain.money import money
from domain.rules import Verdict
from domain.rules.verdict import NEEDS_APPROVAL
from domain.rules.words import role_word
from domain.wording import unit_yuan, yuan
from handlers.approvals import start_flow, void_flows
from handlers.approvals.deciders import decider_words
from handlers.customers import lookup as customers
from handlers.orders.lines import wanted_from
from handlers.orders.price_list import policy_prices
from handlers.special_prices.approval_kind import SpecialPriceKind, pct, special_snapshot, what_asked
from handlers.special_prices.texts import t
from models import (
    MANAGING_ROLES,
    OPEN_STATUSES,
    Order,
    OrderStatus,
    Partner,
    Product,
    Registration,
    Role,
    SpecialPrice,
    SpecialPriceStatus,
)

MAX_REASON_CHARS = 300
FLOOR = Decimal("0.2")     # below 20% of list price is a typo, not a negotiation


# ---- asking ----------------------------------------------------------------------

def request(ctx: Context, parsed: Parsed, text: str) -> None:
    lang, user = ctx.lang, ctx.user
    if user.role != Role.DEALER or user.partner_id is None:
        ctx.reply(Text(t("sp_partners_only", lang)))
        return
    ctx.clear_state()
    if parsed.unit_price is None and parsed.discount is None:
        ctx.reply(Text(t("sp_ask_price", lang, example=_example(ctx, parsed))))
        return
    reason = (parsed.note or "").strip()
    if not reason:
        ctx.set_state({"flow": "special_reason", "text": text})
        ctx.reply(Text(t("sp_ask_reason", lang)))
        return
    if len(reason) > MAX_REASON_CHARS:
        ctx.reply(Text(t("reason_too_long", lang, limit=MAX_REASON_CHARS)))
        return
    partner = ctx.s.execute(select(Partner).where(Partner.id == user.partner_id).with_for_update()).scalar_one()
    order = None
    if parsed.ref and parsed.ref.startswith("SO"):
        order = ctx.s.execute(select(Order).where(Order.number == parsed.ref).with_for_update()).scalar_one_or_none()
        if order is None or order.partner_id != partner.id:
            ctx.reply(Text(t("order_not_found", lang, ref=parsed.ref)))
            return
        if order.status != OrderStatus.DRAFT:
            ctx.reply(Text(t("sp_order_not_draft", lang, number=order.number,
                             status=t(f"order_status_{order.status}", lang))))
            return
    items = _items(ctx, parsed, order)
    if items is None:
        return
    customer = order.customer if order else None
    if order is None:
        if not parsed.customer:
            ctx.reply(Text(t("sp_need_customer", lang)))
            return
        match = customers.find(ctx.s, parsed.customer)
        customer = match.matched if match.verdict == "duplicate" else None
    _submit(ctx, partner, order, items, parsed, reason, customer,
            customer.name if customer else (order.customer_text if order else parsed.customer))


def _example(ctx: Context, parsed: Parsed) -> str:
    """特价申请 for the dealer's draft order if the message named one, a little
    (4%) below its policy price, so the example itself is one that works."""
    order = ctx.s.execute(select(Order).where(Order.number == (parsed.ref or "").upper(),
                                              Order.partner_id == ctx.user.partner_id)).scalar_one_or_none()
    if order is None or not order.lines:
        return t("sp_example_generic", ctx.lang)
    line = order.lines[0]
    price = (Decimal(line.policy_price) * Decimal("0.96") / 100).quantize(Decimal(1), ROUND_DOWN) * 100
    return t("sp_example_order", ctx.lang, number=order.number, sku=line.sku, price=f"{price:.0f}")


def _items(ctx: Context, parsed: Parsed, order: Order | None) -> list[tuple[Product, int | None]] | None:
    """The SKUs asked about with their quantities (None: any quantity, free-standing)."""
    lang = ctx.lang
    wanted = wanted_from(ctx.s, parsed)
    if wanted.unknown:
        ctx.reply(Text(t("order_unknown_sku", lang, items="；".join(
            t("order_unknown_one", lang, word=w, near="、".join(n) or t("order_no_near", lang))
            for w, n in wanted.unknown))))
        return None
    named: list[tuple[Product, int | None]] = list(wanted.items)
    products = {p.sku: p for p in ctx.s.execute(select(Product).where(Product.sku.in_(wanted.no_qty))).scalars()} \
        if wanted.no_qty else {}
    named += [(products[sku], None) for sku in wanted.no_qty]
    if order is not None:
        in_order = {ln.sku: ln.qty for ln in order.lines}
        if not named and len(in_order) == 1:
            sku = next(iter(in_order))
            named = [(ctx.s.get(Product, sku), None)]
        missing = [p.sku for p, _ in named if p.sku not in in_order]
        if missing:
            ctx.reply(Text(t("sp_not_in_order", lang, skus="、".join(missing), number=order.number)))
            return None
        named = [(p, in_order[p.sku]) for p, _ in named]
    if not named:
        ctx.reply(Text(t("sp_name_sku", lang)))
        return None
    if parsed.unit_price is not None and len(named) > 1:
        ctx.reply(Text(t("sp_one_price_many_skus", lang)))
        return None
    return named


def _submit(ctx: Context, partner: Partner, order: Order | None, items, parsed: Parsed, reason: str,
            customer, customer_text: str | None) -> None:
    lang, now = ctx.lang, ctx.now
    policy = policy_prices(ctx.s, ctx.rules.pricing, partner, [p for p, _ in items])
    rows, depth = [], Decimal(0)
    for product, qty in items:
        list_price, pp = money(product.list_price), policy[product.sku]
        try:
            asked = (money(parsed.unit_price) if parsed.unit_price is not None
                     else money(list_price * Decimal(str(parsed.discount))))
        except ValueError:                  # 400 digits: past what a float holds
            asked = None
        if asked is None or asked <= list_price * FLOOR or asked > list_price:
            ctx.reply(Text(t("sp_price_implausible", lang, sku=product.sku,
                             asked=unit_yuan(asked) if asked is not None else "∞", list=unit_yuan(list_price))))
            return
        extra = (pp.price - asked) / pp.price if pp.price else Decimal(0)
        depth = max(depth, extra)
        rows.append({"sku": product.sku, "name": product.name, "line": product.line, "qty": qty,
                     "list_price": str(list_price), "policy_price": str(pp.price), "policy_source": pp.source,
                     "asked_price": str(asked), "extra_discount": str(extra.quantize(Decimal("0.0001"))),
                     "cost": str(product.cost_yuan) if product.cost_yuan is not None else None})
    if depth <= 0:
        r = rows[0]
        ctx.reply(Text(t("sp_not_below_policy", lang, sku=r["sku"], asked=unit_yuan(r["asked_price"]),
                         policy=unit_yuan(r["policy_price"]))))
        return
    rung = ctx.rules.special_price.rung_for(depth)
    reg = _related_registration(ctx, partner, customer, {r["line"] for r in rows})
    sp = SpecialPrice(partner_id=partner.id, submitter_id=ctx.user.id, order_id=order.id if order else None,
                      order_revision=order.revision if order else None, customer_id=customer.id if customer else None,
                      customer_text=customer_text, registration_id=reg.id if reg else None, items=rows,
                      depth=depth.quantize(Decimal("0.0001")), reason=reason, status=SpecialPriceStatus.PENDING,
                      received_at=ctx.received_at, created_at=now, updated_at=now)
    ctx.s.add(sp)
    ctx.s.flush()
    sp.number = f"SP{ctx.clock.local(ctx.received_at):%Y%m%d}-{sp.id:04d}"
    verdict = Verdict("special_price.ladder", NEEDS_APPROVAL, "SPECIAL_PRICE",
                      t("sp_verdict", "zh", depth=pct(depth), steps=" → ".join(role_word(r) for r in rung.steps)),
                      {"depth": float(depth), "up_to": float(rung.up_to) if rung.up_to is not None else None,
                       "steps": list(rung.steps), "warning": rung.warning},
                      approver_role=rung.steps[0])
    region = (customer.region if customer and customer.region else None) or (partner.regions or [None])[0]
    flow = start_flow(ctx, "special_price", sp, list(rung.steps), [verdict], region=region, warning=rung.warning)
    ctx.audit("special_price.requested", "special_price", sp.number, after=special_snapshot(sp),
              verdicts=[verdict.to_dict()])
    ctx.reply(Text(t("sp_submitted", lang, number=sp.number, what=what_asked(rows), depth=pct(depth),
                     ladder=" → ".join(role_word(r, lang) for r in rung.steps),
                     first=decider_words(ctx, flow, lang) or "-")
                   + (f"\n⚠️ {rung.warning}" if rung.warning else "")))


def _related_registration(ctx: Context, partner: Partner, customer, lines: set[str]) -> Registration | None:
    if customer is None:
        return None
    regs = ctx.s.execute(select(Registration).where(
        Registration.partner_id == partner.id, Registration.customer_id == customer.id,
        Registration.status.in_(OPEN_STATUSES)).order_by(Registration.received_at)).scalars().all()
    return next((r for r in regs if lines & set(r.product_lines)), regs[0] if regs else None)


def continue_reason(ctx: Context, state: dict, text: str) -> bool:
    """The reason we asked for: the rest of the original request."""
    parsed = ctx.parse(state["text"])
    parsed.note = text.strip()
    request(ctx, parsed, state["text"])
    return True


# ---- reading and withdrawing --------------------------------------------------------

SP_STATUS = {"pending": "审批中", "approved": "已批准", "rejected": "已驳回", "void": "已失效", "used": "已使用",
             "expired": "已过期", "withdrawn": "已撤回"}


def _line(ctx: Context, sp: SpecialPrice) -> str:
    granted = sp.status == SpecialPriceStatus.APPROVED and sp.valid_until
    until = f"，{ctx.fmt(sp.valid_until, '%Y-%m-%d')} 前有效" if granted else ""
    return f"> {sp.number} {what_asked(sp.items)} · {SP_STATUS.get(sp.status, sp.status)}{until}"


def my_special_prices(ctx: Context) -> None:
    if ctx.user.partner_id is None:
        ctx.reply(Text(t("sp_partners_only", ctx.lang)))
        return
    rows = ctx.s.execute(select(SpecialPrice).where(SpecialPrice.partner_id == ctx.user.partner_id)
                         .order_by(SpecialPrice.id.desc()).limit(10)).scalars().all()
    if not rows:
        ctx.reply(Text(t("sp_none", ctx.lang)))
        return
    ctx.reply(Markdown("\n".join([t("sp_header", ctx.lang, n=len(rows)), *(_line(ctx, sp) for sp in rows)])))


def show(ctx: Context, parsed: Parsed) -> None:
    sp = SpecialPriceKind().find(ctx, parsed.ref or "")
    staff = ctx.user.role in MANAGING_ROLES
    if sp is None or not (staff or sp.partner_id == ctx.user.partner_id):
        ctx.reply(Text(t("no_such_ref", ctx.lang, ref=parsed.ref or "")))
        return
    ctx.reply(Text(_line(ctx, sp).lstrip("> ") + "\n" + t("sp_card_reason", "zh", reason=sp.reason)))


def withdraw(ctx: Context, parsed: Parsed) -> None:
    sp, _found = partner_record(ctx, SpecialPrice, parsed.ref, lock=True)
    if sp is None:                  # missing or another company's: the same answer
        ctx.reply(Text(t("no_such_ref", ctx.lang, ref=parsed.ref or "")))
        return
    sp = SpecialPriceKind().lock(ctx, sp.id)
    if sp.status not in (SpecialPriceStatus.PENDING, SpecialPriceStatus.APPROVED):
        ctx.reply(Text(t("sp_cannot_withdraw", ctx.lang, number=sp.number, status=SP_STATUS.get(sp.status, sp.status))))
        return
    was = sp.status
    void_flows(ctx, "special_price", sp.id, t("sp_void_withdrawn", "zh"))
    sp.status, sp.updated_at = SpecialPriceStatus.WITHDRAWN, ctx.now
    ctx.audit("special_price.withdrawn", "special_price", sp.number, before={"status": was},
              after={"status": SpecialPriceStatus.WITHDRAWN})
    if was == SpecialPriceStatus.APPROVED and sp.order_id:
        from handlers.orders.cards import resend_card
        from handlers.orders.pricing import reprice
        order = ctx.s.execute(select(Order).where(Order.id == sp.order_id).with_for_update()).scalar_one()
        if order.status == OrderStatus.DRAFT:
            partner = ctx.s.execute(
                select(Partner).where(Partner.id == order.partner_id).with_for_update()).scalar_one()
            reprice(ctx, partner, order)
            resend_card(ctx, order, t("sp_withdrawn_repriced", "zh", order=order.number,
                                            total=yuan(order.total_yuan)))
    ctx.reply(Text(t("sp_withdrawn", ctx.lang, number=sp.number)))

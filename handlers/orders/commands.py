"""订货: the order commands. Placing an order and reading orders live here;
confirming and cancelling in order_confirm, changing in order_amend (both
re-exported: dispatch and cards reach every order command through this
module). Checks come from the rule store (handlers.orders.checks); an order
outside the partner's territory is confirmed only after an approval."""
from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import case, select

from chat.context import Context
from chat.messages import Markdown, Text
from domain.language import Parsed
from domain.language.suggest import code_typos, is_yes
from handlers.customers import lookup as customers
from handlers.orders.access import is_dealer, order_for_card
from handlers.orders.amend import MAX_ADDRESS_CHARS, amend
from handlers.orders.cards import Known, detail, new_task_id, one_line, summary_card
from handlers.orders.checks import evaluate, ship_to_region
from handlers.orders.confirm import cancel_by_text, confirm_by_text, on_card_click, refusal
from handlers.orders.deal_link import deal_for
from handlers.orders.lines import price_lines, read_prices, set_lines, usable_grants, wanted_from
from handlers.orders.status import order_snapshot
from handlers.orders.texts import t
from models import MANAGING_ROLES, Order, OrderStatus, Partner, Product

__all__ = [
    "DRAFT_FLOW",
    "amend",
    "answer_draft",
    "cancel_by_text",
    "cancel_draft",
    "confirm_by_text",
    "continue_flow",
    "my_orders",
    "on_card_click",
    "order_for_card",
    "place",
    "show",
]

MAX_REMARK_CHARS = 300
LIST_LIMIT = 10
DRAFT_FLOW = "order_draft"


# ---- placing ------------------------------------------------------------------

def place(ctx: Context, parsed: Parsed, text: str, replace: dict[str, str] | None = None) -> None:
    lang = ctx.lang
    if not is_dealer(ctx):
        return
    ctx.clear_state()
    wanted = wanted_from(ctx.s, parsed, replace)
    if wanted.unknown:
        word, near = wanted.unknown[0]
        if len(wanted.unknown) == 1 and len(near) == 1:
            sku = near[0].split()[0]
            ctx.set_state({"flow": "order_fix", "text": text, "replace": {**(replace or {}), word.upper(): sku}})
            ctx.reply(Text(t("order_did_you_mean", lang, word=word, suggestion=near[0], sku=sku)))
        else:
            listed = "；".join(t("order_unknown_one", lang, word=w, near="、".join(n) or t("order_no_near", lang))
                               for w, n in wanted.unknown)
            ctx.reply(Text(t("order_unknown_sku", lang, items=listed)))
        return
    if wanted.inactive:
        ctx.reply(Text(t("order_inactive", lang, skus="、".join(wanted.inactive))))
        return
    if wanted.bad_qty or wanted.zero:
        ctx.reply(Text(t("order_bad_qty", lang,
                         items="、".join(wanted.bad_qty + [f"{sku}（0）" for sku in wanted.zero]))))
        return
    if wanted.no_qty:
        ctx.set_state({"flow": "order_qty", "text": text, "skus": wanted.no_qty, "replace": replace or {}})
        ctx.reply(Text(t("order_ask_qty", lang, skus="、".join(wanted.no_qty), example=wanted.no_qty[0])))
        return
    if not wanted.items:
        fixed = code_typos(text, {p.sku for p in ctx.s.execute(select(Product).where(Product.active)).scalars()})
        if fixed:
            # "A1OO": a letter O for a zero. Asked, never guessed.
            typed, sku = fixed[0]
            corrected = text.replace(typed, sku, 1)
            ctx.set_state({"flow": "order_fix", "text": corrected, "replace": replace or {}})
            ctx.reply(Text(t("order_code_did_you_mean", lang, typed=typed, sku=sku, name=ctx.s.get(Product, sku).name)))
            return
        ctx.reply(Text(t("order_usage", lang)))
        return
    if wanted.too_many:
        ctx.reply(Text(t("order_too_many", lang)))
        return
    too_long = ((parsed.address and len(parsed.address) > MAX_ADDRESS_CHARS)
                or (parsed.remark and len(parsed.remark) > MAX_REMARK_CHARS))
    if too_long:
        ctx.reply(Text(t("order_text_too_long", lang)))
        return
    _create(ctx, parsed, wanted.items)


def _create(ctx: Context, parsed: Parsed, items: list[tuple[Product, int]]) -> None:
    s, user, now, lang = ctx.s, ctx.user, ctx.now, ctx.lang
    # The partner row lock serialises this partner's orders: credit exposure is
    # read and this order added to it before another order can read it.
    partner = s.execute(select(Partner).where(Partner.id == user.partner_id).with_for_update()).scalar_one()
    customer = None
    if parsed.customer:
        match = customers.find(s, parsed.customer)
        customer = match.matched if match.verdict == "duplicate" else None
    cited = parsed.ref if parsed.ref and parsed.ref.startswith("SP") else None
    deal = deal_for(ctx, partner.id, parsed.ref, customer)
    if deal.refused:
        ctx.reply(Text(t("order_deal_not_yours", ctx.lang, ref=deal.refused)))
        return
    grants = usable_grants(s, partner, customer.id if customer else None, cited, now,
                           customer.name if customer else parsed.customer)
    reads = read_prices(s, ctx.rules.pricing, partner, [p for p, _ in items])
    lines = price_lines(s, ctx.rules.pricing, partner, items, grants=grants, reads=reads)
    outcome = evaluate(ctx, partner, lines, parsed.address)
    order = Order(partner_id=partner.id, submitter_id=user.id,
                  status=OrderStatus.REJECTED if outcome.rejects else OrderStatus.DRAFT,
                  customer_id=customer.id if customer else None,
                  customer_text=(customer.name if customer else parsed.customer),
                  ship_to=parsed.address, ship_to_region=ship_to_region(partner, parsed.address), note=parsed.remark,
                  list_total_yuan=Decimal(0), total_yuan=Decimal(0), verdicts=[v.to_dict() for v in outcome.verdicts],
                  rules_version=ctx.rules.version, received_at=ctx.received_at, created_at=now, updated_at=now,
                  registration_id=deal.registration.id if deal.registration else None,
                  lines=[])      # a new order's lines are known to be none: no read of them before set_lines
    s.add(order)
    s.flush()        # its id makes its number: the number, lines and totals follow in one UPDATE
    order.number = f"SO{ctx.clock.local(ctx.received_at):%Y%m%d}-{order.id:04d}"
    set_lines(order, lines)
    if order.status == OrderStatus.DRAFT:
        order.card_task_id = new_task_id(order)
    s.flush()
    ctx.audit("order.submitted", "order", order.number, after=order_snapshot(order), verdicts=order.verdicts)
    # Prices, the credit line and exposure are the partner's own: from a group
    # chat they go to the dealer alone, and the group hears the order's number.
    if outcome.rejects:
        ctx.reply_private(refusal(ctx, order, outcome, "order_refused"),
                          group_note=t("order_refused_privately", lang))
        return
    note = t("order_draft_privately", lang, number=order.number)
    ctx.reply_private(detail(ctx, order, lang=lang, known=Known(reads, outcome.open_orders)), group_note=note)
    ctx.reply_private(summary_card(ctx, order), group_note=note)
    # "是" confirms this draft, "取消" drops it (a later order replaces the question).
    ctx.set_state({"flow": DRAFT_FLOW, "order": order.number})


def continue_flow(ctx: Context, state: dict, text: str) -> bool:
    """An answer to an order question (a quantity, "是" to a suggestion). False:
    the message is something else and goes its normal way."""
    catalog = ctx.catalog
    if state["flow"] == "order_fix":
        if not is_yes(text):
            return False
        place(ctx, ctx.parse(state["text"], catalog), state["text"],
              replace=state.get("replace"))
        return True
    # order_qty: "20" / "20台" for a single SKU, or "A100*20 B200*5"
    skus = state.get("skus") or []
    bare = re.fullmatch(r"\s*(\d{1,6})\s*(?:台|套|个|件|箱|支|盒|部|只|组)?\s*", text)
    if bare and len(skus) == 1:
        addition = f" {skus[0]}*{bare.group(1)}"
    else:
        more = ctx.parse("订货 " + text, catalog)
        if not more.items:
            return False
        addition = " " + " ".join(f"{i.sku}*{i.qty}" for i in more.items)
    merged = re.sub(r"(?<![A-Za-z0-9])(" + "|".join(map(re.escape, skus)) + r")(?![A-Za-z0-9*xX×])", "",
                    state["text"], flags=re.I) if skus else state["text"]
    full = merged + addition
    place(ctx, ctx.parse(full, catalog), full, replace=state.get("replace"))
    return True


def answer_draft(ctx: Context, state: dict, text: str) -> bool:
    """After a draft order: "是"/"好的" confirm it; anything else goes its own way."""
    if not is_yes(text):
        return False
    ctx.clear_state()
    confirm_by_text(ctx, Parsed(intent="order", action="confirm", ref=state["order"]))
    return True


def cancel_draft(ctx: Context, state: dict) -> None:
    """取消 right after a draft order cancels that draft."""
    ctx.clear_state()
    cancel_by_text(ctx, Parsed(intent="order", action="cancel", ref=state["order"]))


# ---- reading --------------------------------------------------------------------------

def show(ctx: Context, parsed: Parsed) -> None:
    lang = ctx.lang
    order = ctx.s.execute(select(Order).where(Order.number == (parsed.ref or "").upper())).scalar_one_or_none()
    staff = ctx.user.role in MANAGING_ROLES
    if order is None or not (staff or order.partner_id == ctx.user.partner_id):
        ctx.reply(Text(t("order_not_found", lang, ref=parsed.ref or "")))
        return
    ctx.reply_private(detail(ctx, order, header_key=f"order_header_{order.status}", lang=lang),
                      group_note=t("order_detail_privately", lang, number=order.number))


def my_orders(ctx: Context) -> None:
    lang = ctx.lang
    if ctx.user.partner_id is None:
        ctx.reply(Text(t("order_partners_only", lang)))
        return
    open_first = case((Order.status.in_((OrderStatus.DRAFT, OrderStatus.PENDING_APPROVAL, OrderStatus.CONFIRMED,
                                        OrderStatus.SHIPPED)), 0), else_=1)
    rows = ctx.s.execute(select(Order).where(Order.partner_id == ctx.user.partner_id)
                         .order_by(open_first, Order.created_at.desc()).limit(LIST_LIMIT)).scalars().all()
    if not rows:
        ctx.reply(Text(t("orders_empty", lang)))
        return
    partner = ctx.s.get(Partner, ctx.user.partner_id)
    ctx.reply(Markdown("\n".join([t("orders_header", lang, partner=partner.name, n=len(rows)),
                                  *(one_line(ctx, o) for o in rows)])))

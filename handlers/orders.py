"""订货: place an order, confirm or cancel it from its card or by text, change it,
see it. Checks come from the rule store (handlers.order_checks); an order
outside the partner's territory is confirmed only after an approval."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import case, select

from bot.context import Context
from bot.messages import CardStamp, Markdown, Text
from bot.nlp import Parsed
from handlers import customers, order_approval  # noqa: F401  (registers the approval kind)
from handlers.approvals import start_flow, void_open_flows
from handlers.order_cards import detail, new_task_id, one_line, summary_card
from handlers.order_checks import OrderOutcome, evaluate, ship_to_region
from handlers.order_lines import price_lines, usable_grants, wanted_from
from handlers.order_status import notify_status, order_snapshot, set_status
from handlers.pricing import money
from handlers.texts import rule_name, t, yuan
from models import CHANGEABLE_ORDER_STATUSES, Order, OrderLine, Partner, Product, SpecialPrice, User

MAX_ADDRESS_CHARS = 200
MAX_REMARK_CHARS = 300
LIST_LIMIT = 10
YES = {"是", "是的", "对", "对的", "好", "好的", "可以", "确认", "yes", "y", "ok"}
_TASK_RE = re.compile(r"^so-(\d+)-r(\d+)-")


# ---- placing ------------------------------------------------------------------

def _dealer(ctx: Context) -> bool:
    if ctx.user.role != "dealer" or ctx.user.partner_id is None:
        ctx.reply(Text(t("order_partners_only", ctx.lang)))
        return False
    return True


def place(ctx: Context, parsed: Parsed, text: str, replace: dict[str, str] | None = None) -> None:
    lang = ctx.lang
    if not _dealer(ctx):
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
    if wanted.bad_qty:
        ctx.reply(Text(t("order_bad_qty", lang, skus="、".join(wanted.bad_qty))))
        return
    if wanted.no_qty:
        ctx.set_state({"flow": "order_qty", "text": text, "skus": wanted.no_qty, "replace": replace or {}})
        ctx.reply(Text(t("order_ask_qty", lang, skus="、".join(wanted.no_qty), example=wanted.no_qty[0])))
        return
    if not wanted.items:
        ctx.reply(Text(t("order_usage", lang)))
        return
    if wanted.too_many:
        ctx.reply(Text(t("order_too_many", lang)))
        return
    if parsed.address and len(parsed.address) > MAX_ADDRESS_CHARS or parsed.remark and len(parsed.remark) > MAX_REMARK_CHARS:
        ctx.reply(Text(t("order_text_too_long", lang)))
        return
    _create(ctx, parsed, wanted.items)


def _create(ctx: Context, parsed: Parsed, items: list[tuple[Product, int]]) -> None:
    s, user, now = ctx.s, ctx.user, ctx.now
    # The partner row lock serialises this partner's orders: credit exposure is
    # read and this order added to it before another order can read it.
    partner = s.execute(select(Partner).where(Partner.id == user.partner_id).with_for_update()).scalar_one()
    customer = None
    if parsed.customer:
        match = customers.find(s, parsed.customer)
        customer = match.matched if match.verdict == "duplicate" else None
    cited = parsed.ref if parsed.ref and parsed.ref.startswith("SP") else None
    grants = usable_grants(s, partner, customer.id if customer else None, cited, now)
    lines = price_lines(s, ctx.rules.pricing, partner, items, grants=grants)
    outcome = evaluate(ctx, partner, lines, parsed.address)
    order = Order(partner_id=partner.id, submitter_id=user.id, status="rejected" if outcome.rejects else "draft",
                  customer_id=customer.id if customer else None,
                  customer_text=(customer.name if customer else parsed.customer),
                  ship_to=parsed.address, ship_to_region=ship_to_region(partner, parsed.address), note=parsed.remark,
                  list_total_yuan=Decimal(0), total_yuan=Decimal(0), verdicts=[v.to_dict() for v in outcome.verdicts],
                  rules_version=ctx.rules.version, received_at=ctx.received_at, created_at=now, updated_at=now)
    s.add(order)
    s.flush()
    order.number = f"SO{ctx.clock.local(ctx.received_at):%Y%m%d}-{order.id:04d}"
    _set_lines(order, lines)
    if order.status == "draft":
        order.card_task_id = new_task_id(order)
    s.flush()
    ctx.audit("order.submitted", "order", order.number, after=order_snapshot(order), verdicts=order.verdicts)
    if outcome.rejects:
        _reply_refused(ctx, order, outcome)
        return
    ctx.reply(detail(ctx, order))
    ctx.reply(summary_card(ctx, order))


def _set_lines(order: Order, lines) -> None:
    order.lines.clear()
    for i, ln in enumerate(lines):
        order.lines.append(OrderLine(position=i, sku=ln.sku, name=ln.name, product_line=ln.product_line, qty=ln.qty,
                                     list_price=ln.list_price, policy_price=ln.policy_price, unit_price=ln.unit_price,
                                     price_source=ln.price_source, amount_yuan=money(ln.amount),
                                     special_price_id=None))
    order.list_total_yuan = money(sum((ln.list_price * ln.qty for ln in lines), Decimal(0)))
    order.total_yuan = money(sum((ln.amount for ln in lines), Decimal(0)))


def _reply_refused(ctx: Context, order: Order, outcome: OrderOutcome) -> None:
    first = outcome.rejects[0]
    others = [v.message for v in outcome.rejects[1:]]
    ctx.reply(Text(t("order_refused", ctx.lang, number=order.number, rule_name=rule_name(first.rule_id, ctx.lang),
                     rule=first.rule_id, message="\n".join([first.message, *others]), next_step=first.next_step)))


def continue_flow(ctx: Context, state: dict, text: str) -> bool:
    """An answer to an order question (a quantity, "是" to a suggestion). False:
    the message is something else and goes its normal way."""
    from bot.nlp import parse_message
    from handlers.catalog import DbCatalog
    catalog = DbCatalog(ctx.s)
    if state["flow"] == "order_fix":
        if text.strip().lower() not in YES:
            return False
        place(ctx, parse_message(state["text"], today=ctx.clock.today(), catalog=catalog), state["text"],
              replace=state.get("replace"))
        return True
    # order_qty: "20" / "20台" for a single SKU, or "A100*20 B200*5"
    skus = state.get("skus") or []
    bare = re.fullmatch(r"\s*(\d{1,6})\s*(?:台|套|个|件|箱|支|盒|部|只|组)?\s*", text)
    if bare and len(skus) == 1:
        addition = f" {skus[0]}*{bare.group(1)}"
    else:
        more = parse_message("订货 " + text, today=ctx.clock.today(), catalog=catalog)
        if not more.items:
            return False
        addition = " " + " ".join(f"{i.sku}*{i.qty}" for i in more.items)
    merged = re.sub(r"(?<![A-Za-z0-9])(" + "|".join(map(re.escape, skus)) + r")(?![A-Za-z0-9*xX×])", "",
                    state["text"], flags=re.I) if skus else state["text"]
    full = merged + addition
    place(ctx, parse_message(full, today=ctx.clock.today(), catalog=catalog), full, replace=state.get("replace"))
    return True


# ---- finding an order ------------------------------------------------------------

def order_for_card(ctx: Context, task_id: str) -> Order | None:
    m = _TASK_RE.match(task_id or "")
    return ctx.s.get(Order, int(m.group(1))) if m else None


def _own(ctx: Context, ref: str | None, lock: bool = True) -> Order | None:
    lang = ctx.lang
    if not _dealer(ctx):
        return None
    q = select(Order).where(Order.number == (ref or "").upper())
    order = ctx.s.execute(q.with_for_update() if lock else q).scalar_one_or_none()
    if order is None:
        ctx.reply(Text(t("order_not_found", lang, ref=ref or "")))
        return None
    if order.partner_id != ctx.user.partner_id:
        ctx.reply(Text(t("order_not_yours", lang, ref=order.number)))
        return None
    return order


def _lock_for_change(ctx: Context, order: Order) -> tuple[Partner, Order]:
    """Partner first (as placing does), then the order, refreshed."""
    partner = ctx.s.execute(select(Partner).where(Partner.id == order.partner_id).with_for_update()).scalar_one()
    order = ctx.s.execute(select(Order).where(Order.id == order.id).with_for_update()
                          .execution_options(populate_existing=True)).scalar_one()
    return partner, order


# ---- confirm / cancel ---------------------------------------------------------------

def on_card_click(ctx: Context, order: Order) -> None:
    click = ctx.inbound.card
    if ctx.user.id != order.submitter_id:
        ctx.reply(Text(t("order_card_not_yours", ctx.lang)))
        return
    if click.task_id != order.card_task_id:
        ctx.reply(Text(t("order_card_stale", ctx.lang, number=order.number)))
        return
    if click.key == "confirm":
        confirm(ctx, order, response_code=click.response_code)
    elif click.key == "cancel":
        cancel(ctx, order, response_code=click.response_code)
    else:
        ctx.reply(Text(t("card_gone", ctx.lang)))


def confirm_by_text(ctx: Context, parsed: Parsed) -> None:
    order = _own(ctx, parsed.ref, lock=False)
    if order is not None:
        confirm(ctx, order)


def cancel_by_text(ctx: Context, parsed: Parsed) -> None:
    order = _own(ctx, parsed.ref, lock=False)
    if order is not None:
        cancel(ctx, order)


def _stamp_card(ctx: Context, order: Order, text: str, response_code: str | None, tag: str) -> None:
    code = response_code or order.card_response_code
    if code and order.card_task_id:
        ctx.reply_or_send(ctx.s.get(User, order.submitter_id),
                          CardStamp(task_id=order.card_task_id, response_code=code, text=text),
                          key=f"order-stamp:{order.card_task_id}:{tag}")
    order.card_response_code = None


def confirm(ctx: Context, order: Order, response_code: str | None = None) -> None:
    lang, now = ctx.lang, ctx.now
    partner, order = _lock_for_change(ctx, order)
    if order.status != "draft":
        ctx.reply(Text(t("order_not_draft", lang, number=order.number, status=t(f"order_status_{order.status}", lang))))
        return
    if draft_expired(ctx, order):
        before = order_snapshot(order)
        set_status(ctx, order, "cancelled", reason="draft expired")
        ctx.audit("order.expired", "order", order.number, before=before, after=order_snapshot(order))
        _stamp_card(ctx, order, t("order_stamp_expired", "zh"), response_code, "expired")
        ctx.reply(Text(t("order_draft_expired", lang, number=order.number,
                         hours=ctx.rules.orders.draft_valid_hours)))
        return
    pending_sp = ctx.s.execute(select(SpecialPrice.number).where(SpecialPrice.order_id == order.id,
                                                                 SpecialPrice.status == "pending")).scalars().first()
    if pending_sp:
        ctx.reply(Text(t("order_wait_special", lang, number=order.number, sp=pending_sp)))
        return
    # Prices, credit and stock may have moved since the summary was shown: check again.
    before = order_snapshot(order)
    outcome = reprice(ctx, partner, order)
    if outcome.rejects:
        order.status, order.updated_at = "rejected", now
        order.verdicts = [v.to_dict() for v in outcome.verdicts]
        ctx.audit("order.refused_on_confirm", "order", order.number, before=before, after=order_snapshot(order),
                  verdicts=order.verdicts)
        _stamp_card(ctx, order, t("order_stamp_refused", "zh"), response_code, "refused")
        _reply_refused(ctx, order, outcome)
        return
    if Decimal(str(order.total_yuan)) != Decimal(str(before["total_yuan"])):
        resend_card(ctx, order, response_code, t("order_prices_moved", "zh", number=order.number,
                                                  before=yuan(before["total_yuan"]), now=yuan(order.total_yuan)))
        ctx.audit("order.repriced", "order", order.number, before=before, after=order_snapshot(order))
        return
    who = ctx.user.name
    _stamp_card(ctx, order, t("order_stamp_confirmed", "zh", who=who, when=ctx.fmt(now)), response_code, "confirmed")
    if outcome.needing:
        set_status(ctx, order, "pending_approval")
        role = "director" if any(v.approver_role == "director" for v in outcome.needing) else "area_manager"
        start_flow(ctx, "order", order, [role], outcome.needing, region=(partner.regions or [None])[0])
        ctx.audit("order.confirmed_pending", "order", order.number, before=before, after=order_snapshot(order),
                  verdicts=order.verdicts)
        ctx.reply(Text(t("order_pending", lang, number=order.number, total=yuan(order.total_yuan),
                         reasons="；".join(v.message for v in outcome.needing))))
        return
    set_status(ctx, order, "confirmed")
    ctx.audit("order.confirmed", "order", order.number, before=before, after=order_snapshot(order),
              verdicts=order.verdicts)
    notify_status(ctx, order, "confirmed", reply=True)


def draft_expired(ctx: Context, order: Order) -> bool:
    """A summary lapses this long after it was last shown (placed, changed, repriced)."""
    return order.updated_at + timedelta(hours=ctx.rules.orders.draft_valid_hours) < ctx.now


def reprice(ctx: Context, partner: Partner, order: Order) -> OrderOutcome:
    """Price the order's lines afresh (keeping special prices approved for it)
    and run the checks again; the order's lines and verdicts are updated."""
    from handlers.special_prices import approved_for_order
    products = {p.sku: p for p in ctx.s.execute(select(Product).where(
        Product.sku.in_([ln.sku for ln in order.lines]))).scalars()}
    items = [(products[ln.sku], ln.qty) for ln in order.lines]
    special = approved_for_order(ctx, order)
    cited = next((ln.price_source.split(":", 1)[1] for ln in order.lines if ln.price_source.startswith("special:")
                  and ln.special_price_id is None), None)
    grants = usable_grants(ctx.s, partner, order.customer_id, cited, ctx.now)
    lines = price_lines(ctx.s, ctx.rules.pricing, partner, items, grants=grants,
                        special={sku: (price, f"special:{sp.number}") for sku, (price, sp) in special.items()})
    outcome = evaluate(ctx, partner, lines, order.ship_to, exclude_order_id=order.id)
    _set_lines(order, lines)
    for ln in order.lines:
        if ln.sku in special:
            ln.special_price_id = special[ln.sku][1].id
    order.verdicts = [v.to_dict() for v in outcome.verdicts]
    order.updated_at = ctx.now
    return outcome


def resend_card(ctx: Context, order: Order, response_code: str | None, why: str) -> None:
    """The order changed while it was a draft: the old card is void, a new one goes out."""
    _stamp_card(ctx, order, t("order_stamp_changed", "zh"), response_code, "changed")
    order.card_task_id = new_task_id(order)
    ctx.s.flush()
    dealer = ctx.s.get(User, order.submitter_id)
    ctx.reply_or_send(dealer, Text(why), key=f"order-why:{order.card_task_id}")
    ctx.reply_or_send(dealer, detail(ctx, order), key=f"order-detail:{order.card_task_id}")
    ctx.reply_or_send(dealer, summary_card(ctx, order), key=f"order-card:{order.card_task_id}")


def cancel(ctx: Context, order: Order, response_code: str | None = None) -> None:
    lang = ctx.lang
    partner, order = _lock_for_change(ctx, order)
    if order.status not in CHANGEABLE_ORDER_STATUSES:
        ctx.reply(Text(t("order_cannot_cancel", lang, number=order.number,
                         status=t(f"order_status_{order.status}", lang))))
        return
    before = order_snapshot(order)
    from handlers.special_prices import void_for_order
    void_open_flows(ctx, "order", order.id)
    void_for_order(ctx, order, why="cancelled")
    was_draft = order.status == "draft"
    set_status(ctx, order, "cancelled")
    ctx.audit("order.cancelled", "order", order.number, before=before, after=order_snapshot(order))
    if was_draft:
        _stamp_card(ctx, order, t("order_stamp_cancelled", "zh", who=ctx.user.name, when=ctx.fmt(ctx.now)),
                    response_code, "cancelled")
    notify_status(ctx, order, "cancelled", reply=True)


# ---- change ---------------------------------------------------------------------------

def amend(ctx: Context, parsed: Parsed) -> None:
    lang = ctx.lang
    found = _own(ctx, parsed.ref, lock=False)
    if found is None:
        return
    partner, order = _lock_for_change(ctx, found)
    if order.status not in CHANGEABLE_ORDER_STATUSES:
        ctx.reply(Text(t("order_cannot_change", lang, number=order.number,
                         status=t(f"order_status_{order.status}", lang))))
        return
    wanted = wanted_from(ctx.s, parsed)
    if wanted.unknown or wanted.inactive or wanted.bad_qty:
        bad = [w for w, _ in wanted.unknown] + wanted.inactive + wanted.bad_qty
        ctx.reply(Text(t("order_amend_bad_items", lang, items="、".join(bad))))
        return
    new_qty = {p.sku: q for p, q in wanted.items}
    changes: list[str] = []
    for ln in order.lines:
        if ln.sku in new_qty and new_qty[ln.sku] != ln.qty:
            changes.append(f"{ln.sku} {ln.qty}→{new_qty[ln.sku]}")
    added = [(p, q) for p, q in wanted.items if p.sku not in {ln.sku for ln in order.lines}]
    changes += [f"+{p.sku}×{q}" for p, q in added]
    if parsed.address and parsed.address != order.ship_to:
        if len(parsed.address) > MAX_ADDRESS_CHARS:
            ctx.reply(Text(t("order_text_too_long", lang)))
            return
        changes.append(t("order_change_ship_to", lang, ship_to=parsed.address))
    if not changes:
        ctx.reply(Text(t("order_amend_nothing", lang, number=order.number)))
        return
    before = order_snapshot(order)
    products = {p.sku: p for p in ctx.s.execute(select(Product).where(
        Product.sku.in_([ln.sku for ln in order.lines]))).scalars()}
    items = [(products[ln.sku], new_qty.get(ln.sku, ln.qty)) for ln in order.lines] + added
    from handlers.special_prices import void_for_order
    voided_sp = void_for_order(ctx, order, why="changed")
    void_open_flows(ctx, "order", order.id)
    if parsed.address:
        order.ship_to, order.ship_to_region = parsed.address, ship_to_region(partner, parsed.address)
    was_draft = order.status == "draft"
    order.revision += 1
    lines = price_lines(ctx.s, ctx.rules.pricing, partner, items,
                        grants=usable_grants(ctx.s, partner, order.customer_id, None, ctx.now))
    outcome = evaluate(ctx, partner, lines, order.ship_to, exclude_order_id=order.id)
    _set_lines(order, lines)
    order.verdicts = [v.to_dict() for v in outcome.verdicts]
    order.status, order.updated_at = ("rejected" if outcome.rejects else "draft"), ctx.now
    order.confirmed_at = None
    ctx.audit("order.amended", "order", order.number, before=before, after=order_snapshot(order),
              verdicts=order.verdicts)
    ctx.reply(Text(t("order_amended", lang, number=order.number, changes="；".join(changes))
                   + ("\n" + t("order_amend_voided_sp", lang, sps="、".join(voided_sp)) if voided_sp else "")
                   + ("" if was_draft else "\n" + t("order_amend_reconfirm", lang))))
    if outcome.rejects:
        _stamp_card(ctx, order, t("order_stamp_changed", "zh"), None, "changed")
        _reply_refused(ctx, order, outcome)
        return
    _stamp_card(ctx, order, t("order_stamp_changed", "zh"), None, "changed")
    order.card_task_id = new_task_id(order)
    ctx.s.flush()
    ctx.reply(detail(ctx, order))
    ctx.reply(summary_card(ctx, order))


# ---- reading --------------------------------------------------------------------------

def show(ctx: Context, parsed: Parsed) -> None:
    lang = ctx.lang
    order = ctx.s.execute(select(Order).where(Order.number == (parsed.ref or "").upper())).scalar_one_or_none()
    staff = ctx.user.role in ("manager", "director", "admin")
    if order is None or not (staff or order.partner_id == ctx.user.partner_id):
        ctx.reply(Text(t("order_not_found", lang, ref=parsed.ref or "")))
        return
    ctx.reply(detail(ctx, order, header_key=f"order_header_{order.status}"))


def my_orders(ctx: Context) -> None:
    lang = ctx.lang
    if ctx.user.partner_id is None:
        ctx.reply(Text(t("order_partners_only", lang)))
        return
    open_first = case((Order.status.in_(("draft", "pending_approval", "confirmed", "shipped")), 0), else_=1)
    rows = ctx.s.execute(select(Order).where(Order.partner_id == ctx.user.partner_id)
                         .order_by(open_first, Order.created_at.desc()).limit(LIST_LIMIT)).scalars().all()
    if not rows:
        ctx.reply(Text(t("orders_empty", lang)))
        return
    partner = ctx.s.get(Partner, ctx.user.partner_id)
    ctx.reply(Markdown("\n".join([t("orders_header", lang, partner=partner.name, n=len(rows)),
                                  *(one_line(ctx, o) for o in rows)])))

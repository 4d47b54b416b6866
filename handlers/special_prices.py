"""特价申请: a price below the partner's policy price, approved up a ladder of
approvers chosen by how deep the extra discount goes (rule store).

A request names an order (a draft: the price is settled before the order is
confirmed) or, free-standing, items and a customer; then an approved price
may be ordered against for a while. The approval covers the exact payload:
if the order changes afterwards, the special price is void and says so.
"""
from __future__ import annotations

from decimal import Decimal
from datetime import timedelta

from sqlalchemy import select

from bot.context import Context
from bot.messages import Text
from bot.nlp import Parsed
from bot.rules import Verdict
from bot.rules.verdict import NEEDS_APPROVAL
from handlers import customers
from handlers.approvals import start_flow, void_open_flows
from handlers.approvals.kinds import CardView, register_kind
from handlers.order_cards import price_source_word
from handlers.order_lines import wanted_from
from handlers.pricing import money, policy_prices
from handlers.texts import role_word, t, unit_yuan, yuan
from models import Approval, ApprovalFlow, Order, Partner, Product, Registration, SpecialPrice, User

MAX_REASON_CHARS = 300
FLOOR = Decimal("0.2")     # below 20% of list price is a typo, not a negotiation


def _pct(x: Decimal) -> str:
    return f"{(x * 100).quantize(Decimal('0.1'))}%"


# ---- asking ----------------------------------------------------------------------

def request(ctx: Context, parsed: Parsed, text: str) -> None:
    lang, user = ctx.lang, ctx.user
    if user.role != "dealer" or user.partner_id is None:
        ctx.reply(Text(t("sp_partners_only", lang)))
        return
    ctx.clear_state()
    if parsed.unit_price is None and parsed.discount is None:
        ctx.reply(Text(t("sp_ask_price", lang)))
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
        if order.status != "draft":
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
        asked = money(parsed.unit_price) if parsed.unit_price is not None else money(list_price * Decimal(str(parsed.discount)))
        if asked <= list_price * FLOOR or asked > list_price:
            ctx.reply(Text(t("sp_price_implausible", lang, sku=product.sku, asked=unit_yuan(asked),
                             list=unit_yuan(list_price))))
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
                      depth=depth.quantize(Decimal("0.0001")), reason=reason, status="pending",
                      received_at=ctx.received_at, created_at=now, updated_at=now)
    ctx.s.add(sp)
    ctx.s.flush()
    sp.number = f"SP{ctx.clock.local(ctx.received_at):%Y%m%d}-{sp.id:04d}"
    verdict = Verdict("special_price.ladder", NEEDS_APPROVAL, "SPECIAL_PRICE",
                      t("sp_verdict", "zh", depth=_pct(depth), steps=" → ".join(role_word(r) for r in rung.steps)),
                      {"depth": float(depth), "up_to": float(rung.up_to) if rung.up_to is not None else None,
                       "steps": list(rung.steps), "warning": rung.warning},
                      approver_role=rung.steps[0])
    region = (customer.region if customer and customer.region else None) or (partner.regions or [None])[0]
    flow = start_flow(ctx, "special_price", sp, list(rung.steps), [verdict], region=region, warning=rung.warning)
    ctx.audit("special_price.requested", "special_price", sp.number, after=special_snapshot(sp),
              verdicts=[verdict.to_dict()])
    first = ctx.s.get(User, flow.approvals[-1].approver_id) if flow.approvals else None
    ctx.reply(Text(t("sp_submitted", lang, number=sp.number, what=_what(rows), depth=_pct(depth),
                     ladder=" → ".join(role_word(r) for r in rung.steps), first=first.name if first else "-")
                   + (f"\n⚠️ {rung.warning}" if rung.warning else "")))


def _what(rows: list[dict]) -> str:
    return "；".join(t("sp_item", "zh", sku=r["sku"], qty=f"×{r['qty']}" if r["qty"] else "",
                       asked=unit_yuan(r["asked_price"]), policy=unit_yuan(r["policy_price"])) for r in rows)


def _related_registration(ctx: Context, partner: Partner, customer, lines: set[str]) -> Registration | None:
    if customer is None:
        return None
    regs = ctx.s.execute(select(Registration).where(
        Registration.partner_id == partner.id, Registration.customer_id == customer.id,
        Registration.status.in_(("pending", "approved"))).order_by(Registration.received_at)).scalars().all()
    return next((r for r in regs if lines & set(r.product_lines)), regs[0] if regs else None)


def special_snapshot(sp: SpecialPrice) -> dict:
    return {"number": sp.number, "status": sp.status, "order_id": sp.order_id, "order_revision": sp.order_revision,
            "customer": sp.customer_text, "items": sp.items, "depth": str(sp.depth), "reason": sp.reason,
            "valid_until": sp.valid_until.isoformat() if sp.valid_until else None}


def continue_reason(ctx: Context, state: dict, text: str) -> None:
    """The reason we asked for: the rest of the original request."""
    from bot.nlp import parse_message
    from handlers.catalog import DbCatalog
    parsed = parse_message(state["text"], today=ctx.clock.today(), catalog=DbCatalog(ctx.s))
    parsed.note = text.strip()
    request(ctx, parsed, state["text"])


# ---- reading and withdrawing --------------------------------------------------------

SP_STATUS = {"pending": "审批中", "approved": "已批准", "rejected": "已驳回", "void": "已失效", "used": "已使用",
             "expired": "已过期", "withdrawn": "已撤回"}


def _line(ctx: Context, sp: SpecialPrice) -> str:
    until = f"，{ctx.fmt(sp.valid_until, '%Y-%m-%d')} 前有效" if sp.status == "approved" and sp.valid_until else ""
    return f"> {sp.number} {_what(sp.items)} · {SP_STATUS.get(sp.status, sp.status)}{until}"


def my_special_prices(ctx: Context) -> None:
    if ctx.user.partner_id is None:
        ctx.reply(Text(t("sp_partners_only", ctx.lang)))
        return
    rows = ctx.s.execute(select(SpecialPrice).where(SpecialPrice.partner_id == ctx.user.partner_id)
                         .order_by(SpecialPrice.id.desc()).limit(10)).scalars().all()
    if not rows:
        ctx.reply(Text(t("sp_none", ctx.lang)))
        return
    from bot.messages import Markdown
    ctx.reply(Markdown("\n".join([t("sp_header", ctx.lang, n=len(rows)), *(_line(ctx, sp) for sp in rows)])))


def show(ctx: Context, parsed: Parsed) -> None:
    sp = SpecialPriceKind().find(ctx, parsed.ref or "")
    staff = ctx.user.role in ("manager", "director", "admin")
    if sp is None or not (staff or sp.partner_id == ctx.user.partner_id):
        ctx.reply(Text(t("no_such_ref", ctx.lang, ref=parsed.ref or "")))
        return
    ctx.reply(Text(_line(ctx, sp).lstrip("> ") + "\n" + t("sp_card_reason", "zh", reason=sp.reason)))


def withdraw(ctx: Context, parsed: Parsed) -> None:
    kind = SpecialPriceKind()
    found = kind.find(ctx, parsed.ref or "")
    if found is None or found.partner_id != ctx.user.partner_id:
        ctx.reply(Text(t("no_such_ref", ctx.lang, ref=parsed.ref or "")))
        return
    sp = kind.lock(ctx, found.id)
    if sp.status not in ("pending", "approved"):
        ctx.reply(Text(t("sp_cannot_withdraw", ctx.lang, number=sp.number, status=SP_STATUS.get(sp.status, sp.status))))
        return
    was = sp.status
    void_open_flows(ctx, "special_price", sp.id)
    sp.status, sp.updated_at = "withdrawn", ctx.now
    ctx.audit("special_price.withdrawn", "special_price", sp.number, before={"status": was},
              after={"status": "withdrawn"})
    if was == "approved" and sp.order_id:
        from handlers.orders import reprice, resend_card
        order = ctx.s.execute(select(Order).where(Order.id == sp.order_id).with_for_update()).scalar_one()
        if order.status == "draft":
            partner = ctx.s.execute(select(Partner).where(Partner.id == order.partner_id).with_for_update()).scalar_one()
            reprice(ctx, partner, order)
            resend_card(ctx, order, None, t("sp_withdrawn_repriced", "zh", order=order.number,
                                            total=yuan(order.total_yuan)))
    ctx.reply(Text(t("sp_withdrawn", ctx.lang, number=sp.number)))


# ---- what orders see of special prices ------------------------------------------------

def approved_for_order(ctx: Context, order: Order) -> dict[str, tuple[Decimal, SpecialPrice]]:
    rows = ctx.s.execute(select(SpecialPrice).where(SpecialPrice.order_id == order.id,
                                                    SpecialPrice.status == "approved",
                                                    SpecialPrice.order_revision == order.revision)
                         .order_by(SpecialPrice.id)).scalars().all()
    return {item["sku"]: (money(item["asked_price"]), sp) for sp in rows for item in sp.items}


def void_for_order(ctx: Context, order: Order, why: str) -> list[str]:
    """The order changed or was cancelled: its special prices no longer apply.
    Pending requests' cards go void; approvers of approved ones are told."""
    voided = []
    for sp in ctx.s.execute(select(SpecialPrice).where(SpecialPrice.order_id == order.id,
                                                       SpecialPrice.status.in_(("pending", "approved")))
                            .with_for_update()).scalars():
        was = sp.status
        void_open_flows(ctx, "special_price", sp.id)
        sp.status, sp.updated_at = "void", ctx.now
        ctx.audit("special_price.void", "special_price", sp.number, before={"status": was},
                  after={"status": "void", "why": f"order {why}", "order_revision": order.revision})
        if was == "approved":
            for appr in _approvers(ctx, sp):
                ctx.send(appr, Text(t("sp_void_told_approver", "zh", number=sp.number, order=order.number,
                                      why=t(f"sp_void_{why}", "zh"))), key=f"sp-void:{sp.id}:{appr.id}")
        voided.append(sp.number)
    return voided


def _approvers(ctx: Context, sp: SpecialPrice) -> list[User]:
    ids = ctx.s.execute(select(Approval.decided_by_id).join(ApprovalFlow, ApprovalFlow.id == Approval.flow_id)
                        .where(ApprovalFlow.subject_type == "special_price", ApprovalFlow.subject_id == sp.id,
                               Approval.status == "approved")).scalars().all()
    return [ctx.s.get(User, i) for i in dict.fromkeys(ids) if i]


# ---- the approval kind -----------------------------------------------------------------

class SpecialPriceKind:
    name, prefix, noun = "special_price", "SP", "特价申请"

    def lock(self, ctx: Context, subject_id: int) -> SpecialPrice:
        return ctx.s.execute(select(SpecialPrice).where(SpecialPrice.id == subject_id).with_for_update()
                             .execution_options(populate_existing=True)).scalar_one()

    def find(self, ctx: Context, ref: str) -> SpecialPrice | None:
        return ctx.s.execute(select(SpecialPrice).where(SpecialPrice.number == ref.upper())).scalar_one_or_none()

    def ref(self, sp: SpecialPrice) -> str:
        return sp.number

    def revision(self, sp: SpecialPrice) -> int:
        return sp.revision

    def payload(self, ctx: Context, sp: SpecialPrice) -> dict:
        """The asked prices, and the order exactly as it stands (its revision and
        lines): a change to the order changes the payload."""
        order = ctx.s.get(Order, sp.order_id) if sp.order_id else None
        return {"number": sp.number, "partner_id": sp.partner_id, "customer": sp.customer_text,
                "items": [[i["sku"], i["qty"], i["asked_price"], i["policy_price"]] for i in sp.items],
                "order": order.number if order else None, "order_revision": order.revision if order else None,
                "order_lines": [[ln.sku, ln.qty] for ln in order.lines] if order else None, "reason": sp.reason}

    def is_open(self, sp: SpecialPrice) -> bool:
        return sp.status == "pending"

    def requester(self, ctx: Context, sp: SpecialPrice) -> User:
        return ctx.s.get(User, sp.submitter_id)

    def card(self, ctx: Context, flow: ApprovalFlow, sp: SpecialPrice, appr: Approval) -> CardView:
        partner = ctx.s.get(Partner, sp.partner_id)
        items = sp.items
        single = items[0] if len(items) == 1 else None

        def total(key: str) -> Decimal:
            return sum((Decimal(i[key]) * (i["qty"] or 1) for i in items), Decimal(0))

        given_up = sum(((Decimal(i["policy_price"]) - Decimal(i["asked_price"])) * (i["qty"] or 1) for i in items),
                       Decimal(0))
        product = "、".join(f"{i['sku']} {i['name']}" + (f"×{i['qty']}" if i["qty"] else "") for i in items)
        if single:
            prices = (("目录价", unit_yuan(single["list_price"])),
                      ("政策价", f"{unit_yuan(single['policy_price'])}（{price_source_word(single['policy_source'])}）"),
                      ("申请价", f"{unit_yuan(single['asked_price'])}（再降{_pct(Decimal(single['extra_discount']))}）"))
        else:
            prices = (("目录价", yuan(total("list_price"))), ("政策价", yuan(total("policy_price"))),
                      ("申请价", f"{yuan(total('asked_price'))}（最深再降{_pct(Decimal(sp.depth))}）"))
        impact = t("sp_card_impact", "zh", amount=yuan(given_up)) + _margin(items)
        related = []
        if sp.order_id:
            related.append(f"订单 {ctx.s.get(Order, sp.order_id).number}")
        if sp.registration_id:
            related.append(f"报备 {ctx.s.get(Registration, sp.registration_id).number}")
        rows = (("产品", product), *prices, ("毛利影响", impact),
                ("关联", " · ".join(related) or (sp.customer_text or "无")))
        note = [t("sp_card_reason", "zh", reason=sp.reason)]
        if sp.customer_text:
            note.append(f"客户：{sp.customer_text}")
        if flow.warning:
            note.insert(0, "⚠️ " + flow.warning)
        return CardView(title=t("sp_card_title", "zh", number=sp.number),
                        desc=f"{partner.name} · {self.requester(ctx, sp).name}", rows=rows, note="；".join(note))

    def approved(self, ctx: Context, flow: ApprovalFlow, sp: SpecialPrice, appr: Approval) -> None:
        sp.status, sp.decided_at, sp.updated_at = "approved", ctx.now, ctx.now
        who = "、".join(a.decided_by.name for a in flow.approvals if a.status == "approved" and a.decided_by)
        dealer = self.requester(ctx, sp)
        if sp.order_id is None:
            sp.valid_until = ctx.now + timedelta(days=ctx.rules.special_price.grant_valid_days)
            ctx.audit("special_price.approved", "special_price", sp.number, before={"status": "pending"},
                      after=special_snapshot(sp))
            ctx.send(dealer, Text(t("sp_approved_grant", "zh", number=sp.number, who=who, what=_what(sp.items),
                                    until=ctx.fmt(sp.valid_until, "%Y-%m-%d"), customer=sp.customer_text or "",
                                    sku=sp.items[0]["sku"])), key=f"decision:{appr.id}")
            return
        ctx.audit("special_price.approved", "special_price", sp.number, before={"status": "pending"},
                  after=special_snapshot(sp))
        from handlers.orders import reprice, resend_card
        order = ctx.s.execute(select(Order).where(Order.id == sp.order_id).with_for_update()).scalar_one()
        partner = ctx.s.execute(select(Partner).where(Partner.id == order.partner_id).with_for_update()).scalar_one()
        ctx.send(dealer, Text(t("sp_approved_order", "zh", number=sp.number, who=who, what=_what(sp.items),
                                order=order.number)), key=f"decision:{appr.id}")
        if order.status == "draft":
            reprice(ctx, partner, order)
            resend_card(ctx, order, None, t("sp_order_repriced", "zh", order=order.number,
                                            total=yuan(order.total_yuan)))

    def rejected(self, ctx: Context, flow: ApprovalFlow, sp: SpecialPrice, appr: Approval, reason: str) -> None:
        sp.status, sp.decided_at, sp.updated_at = "rejected", ctx.now, ctx.now
        ctx.audit("special_price.rejected", "special_price", sp.number, before={"status": "pending"},
                  after={"status": "rejected", "reason": reason})
        order = ctx.s.get(Order, sp.order_id) if sp.order_id else None
        ctx.send(self.requester(ctx, sp),
                 Text(t("sp_rejected", "zh", number=sp.number, who=ctx.user.name, reason=reason)
                      + (("\n" + t("sp_rejected_order_stays", "zh", order=order.number)) if order else "")),
                 key=f"decision:{appr.id}")


def _margin(items: list[dict]) -> str:
    """Gross margin at policy vs asked price, when the standard cost is known."""
    if any(i.get("cost") is None for i in items):
        return ""
    cost = sum((Decimal(i["cost"]) * (i["qty"] or 1) for i in items), Decimal(0))
    policy = sum((Decimal(i["policy_price"]) * (i["qty"] or 1) for i in items), Decimal(0))
    asked = sum((Decimal(i["asked_price"]) * (i["qty"] or 1) for i in items), Decimal(0))
    return t("sp_card_margin", "zh", before=_pct((policy - cost) / policy), after=_pct((asked - cost) / asked))


register_kind(SpecialPriceKind())

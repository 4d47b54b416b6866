"""Special prices as a subject of the approval engine: what an approval covers,
what the approver's card shows, and what approval or rejection does."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from domain.wording import unit_yuan, yuan
from handlers.approvals.kinds import CardView, RowSubject
from handlers.orders.cards import price_source_word, resend_card
from handlers.special_prices.texts import t
from models import (
    Approval,
    ApprovalFlow,
    ApprovalStatus,
    Order,
    OrderStatus,
    Partner,
    Product,
    Registration,
    SpecialPrice,
    SpecialPriceStatus,
)


def pct(x: Decimal) -> str:
    return f"{(x * 100).quantize(Decimal('0.1'))}%"


def what_asked(rows: list[dict]) -> str:
    return "；".join(t("sp_item", "zh", sku=r["sku"], qty=f"×{r['qty']}" if r["qty"] else "",
                       asked=unit_yuan(r["asked_price"]), policy=unit_yuan(r["policy_price"])) for r in rows)


def special_snapshot(sp: SpecialPrice) -> dict:
    return {"number": sp.number, "status": sp.status, "order_id": sp.order_id, "order_revision": sp.order_revision,
            "customer": sp.customer_text, "items": sp.items, "depth": str(sp.depth), "reason": sp.reason,
            "valid_until": sp.valid_until.isoformat() if sp.valid_until else None}


def grant_example_qty(ctx: Context, item: dict) -> int:
    """A quantity the grant covers and the product's pack and minimum allow."""
    if item.get("qty"):
        return int(item["qty"])
    product = ctx.s.get(Product, item["sku"])
    pack, least = max(1, product.pack_size or 1), max(10, product.moq or 1)
    return -(-least // pack) * pack


class SpecialPriceKind(RowSubject):
    model = SpecialPrice
    name, prefix, noun = "special_price", "SP", "特价申请"

    def payload(self, ctx: Context, sp: SpecialPrice) -> dict:
        """The asked prices, and the order exactly as it stands (its revision and
        lines): a change to the order changes the payload."""
        order = ctx.s.get(Order, sp.order_id) if sp.order_id else None
        return {"number": sp.number, "partner_id": sp.partner_id, "customer": sp.customer_text,
                "items": [[i["sku"], i["qty"], i["asked_price"], i["policy_price"]] for i in sp.items],
                "order": order.number if order else None, "order_revision": order.revision if order else None,
                "order_lines": [[ln.sku, ln.qty] for ln in order.lines] if order else None, "reason": sp.reason}

    def is_open(self, sp: SpecialPrice) -> bool:
        return sp.status == SpecialPriceStatus.PENDING

    def card(self, ctx: Context, flow: ApprovalFlow, sp: SpecialPrice, appr: Approval) -> CardView:
        partner = ctx.s.get(Partner, sp.partner_id)
        items = sp.items
        product = "、".join(f"{i['sku']} {i['name']}" + (f"×{i['qty']}" if i["qty"] else "") for i in items)
        rows = (("产品", product), *_price_rows(items, Decimal(sp.depth)),
                ("毛利影响", _impact(items)), ("关联", self._related(ctx, sp)))
        note = [t("sp_card_reason", "zh", reason=sp.reason)]
        if sp.customer_text:
            note.append(f"客户：{sp.customer_text}")
        if flow.warning:
            note.insert(0, "⚠️ " + flow.warning)
        return CardView(title=t("sp_card_title", "zh", number=sp.number),
                        desc=f"{partner.name} · {self.requester(ctx, sp).name}", rows=rows, note="；".join(note))

    def _related(self, ctx: Context, sp: SpecialPrice) -> str:
        related = []
        if sp.order_id:
            related.append(f"订单 {ctx.s.get(Order, sp.order_id).number}")
        if sp.registration_id:
            related.append(f"报备 {ctx.s.get(Registration, sp.registration_id).number}")
        return " · ".join(related) or (sp.customer_text or "无")

    def approved(self, ctx: Context, flow: ApprovalFlow, sp: SpecialPrice, appr: Approval) -> None:
        from handlers.orders.pricing import reprice
        sp.status, sp.decided_at, sp.updated_at = SpecialPriceStatus.APPROVED, ctx.now, ctx.now
        who = "、".join(dict.fromkeys(a.decided_by.name for a in flow.approvals
                                      if a.status == ApprovalStatus.APPROVED and a.decided_by))
        dealer = self.requester(ctx, sp)
        if sp.order_id is None:
            sp.valid_until = ctx.now + timedelta(days=ctx.rules.special_price.grant_valid_days)
        ctx.audit("special_price.approved", "special_price", sp.number, before={"status": SpecialPriceStatus.PENDING},
                  after=special_snapshot(sp))
        if sp.order_id is None:
            first = sp.items[0]
            ctx.send(dealer, Text(t("sp_approved_grant", "zh", number=sp.number, who=who, what=what_asked(sp.items),
                                    until=ctx.fmt(sp.valid_until, "%Y-%m-%d"), customer=sp.customer_text or "",
                                    sku=first["sku"], qty=grant_example_qty(ctx, first))), key=f"decision:{appr.id}")
            return
        order = ctx.s.execute(select(Order).where(Order.id == sp.order_id).with_for_update()).scalar_one()
        partner = ctx.s.execute(select(Partner).where(Partner.id == order.partner_id).with_for_update()).scalar_one()
        ctx.send(dealer, Text(t("sp_approved_order", "zh", number=sp.number, who=who, what=what_asked(sp.items),
                                order=order.number)), key=f"decision:{appr.id}")
        if order.status == OrderStatus.DRAFT:
            reprice(ctx, partner, order)
            resend_card(ctx, order, t("sp_order_repriced", "zh", order=order.number,
                                            total=yuan(order.total_yuan)))

    def rejected(self, ctx: Context, flow: ApprovalFlow, sp: SpecialPrice, appr: Approval, reason: str) -> None:
        sp.status, sp.decided_at, sp.updated_at = SpecialPriceStatus.REJECTED, ctx.now, ctx.now
        ctx.audit("special_price.rejected", "special_price", sp.number, before={"status": SpecialPriceStatus.PENDING},
                  after={"status": SpecialPriceStatus.REJECTED, "reason": reason})
        order = ctx.s.get(Order, sp.order_id) if sp.order_id else None
        ctx.send(self.requester(ctx, sp),
                 Text(t("sp_rejected", "zh", number=sp.number, who=ctx.user.name, reason=reason)
                      + (("\n" + t("sp_rejected_order_stays", "zh", order=order.number)) if order else "")),
                 key=f"decision:{appr.id}")


def _price_rows(items: list[dict], depth: Decimal) -> tuple[tuple[str, str], ...]:
    """One product: its unit prices. Several with their quantities: totals over
    them. Several without (a grant for any quantity): each product's unit
    price, since adding unit prices of different products means nothing."""
    if len(items) == 1:
        i = items[0]
        return (("目录价", unit_yuan(i["list_price"])),
                ("政策价", f"{unit_yuan(i['policy_price'])}（{price_source_word(i['policy_source'])}）"),
                ("申请价", f"{unit_yuan(i['asked_price'])}（再降{pct(Decimal(i['extra_discount']))}）"))
    if all(i["qty"] for i in items):
        def total(key: str) -> str:
            return yuan(sum((Decimal(i[key]) * i["qty"] for i in items), Decimal(0)))
        return (("目录价合计", total("list_price")), ("政策价合计", total("policy_price")),
                ("申请价合计", f"{total('asked_price')}（最深再降{pct(depth)}）"))

    def each(key: str) -> str:
        return "；".join(f"{i['sku']} {unit_yuan(i[key])}" for i in items)
    return (("目录价", each("list_price")), ("政策价", each("policy_price")),
            ("申请价", f"{each('asked_price')}（最深再降{pct(depth)}）"))


def _impact(items: list[dict]) -> str:
    """Revenue given up, and the gross margin before → after when the standard
    cost is known; per unit when the quantities are open."""
    if all(i["qty"] for i in items):
        given_up = sum(((Decimal(i["policy_price"]) - Decimal(i["asked_price"])) * i["qty"] for i in items),
                       Decimal(0))
        return t("sp_card_impact", "zh", amount=yuan(given_up)) + _margin(items)
    per_unit = "；".join(f"{i['sku']} {unit_yuan(Decimal(i['policy_price']) - Decimal(i['asked_price']))}"
                         for i in items)
    return t("sp_card_impact_each", "zh", amounts=per_unit) + (_margin(items) if len(items) == 1 else "")


def _margin(items: list[dict]) -> str:
    if any(i.get("cost") is None for i in items):
        return ""
    cost = sum((Decimal(i["cost"]) * (i["qty"] or 1) for i in items), Decimal(0))
    policy = sum((Decimal(i["policy_price"]) * (i["qty"] or 1) for i in items), Decimal(0))
    asked = sum((Decimal(i["asked_price"]) * (i["qty"] or 1) for i in items), Decimal(0))
    return t("sp_card_margin", "zh", before=pct((policy - cost) / policy), after=pct((asked - cost) / asked))

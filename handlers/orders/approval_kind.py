"""Orders as a subject of the approval engine: an order shipping outside the
partner's territory (窜货) is confirmed only once its approver agrees."""
from __future__ import annotations

from chat.context import Context
from chat.messages import Text
from domain.rules.words import reason_label
from domain.wording import yuan
from handlers.approvals.kinds import CardView, RowSubject
from handlers.orders.deal_link import announce_confirmed
from handlers.orders.status import notify_status, order_snapshot, set_status
from handlers.orders.texts import t
from models import Approval, ApprovalFlow, Order, OrderStatus, Partner, User


def order_payload(order: Order) -> dict:
    """What an approval of an order covers: customer, ship-to, every line's
    quantity and price. Any change to these voids it."""
    return {"order": order.number, "revision": order.revision, "partner_id": order.partner_id,
            "customer": order.customer_text, "ship_to": order.ship_to, "ship_to_region": order.ship_to_region,
            "lines": [[ln.sku, ln.qty, str(ln.unit_price)] for ln in order.lines], "total": str(order.total_yuan)}


class OrderKind(RowSubject):
    model = Order
    name, prefix, noun = "order", "SO", "订单"

    def payload(self, ctx: Context, order: Order) -> dict:
        return order_payload(order)

    def is_open(self, order: Order) -> bool:
        return order.status == OrderStatus.PENDING_APPROVAL

    def card(self, ctx: Context, flow: ApprovalFlow, order: Order, appr: Approval) -> CardView:
        partner = ctx.s.get(Partner, order.partner_id)
        submitter = ctx.s.get(User, order.submitter_id)
        rows = (("收货地址", f"{order.ship_to or partner.address or '默认地址'}（{order.ship_to_region or '未识别'}）"),
                ("授权区域", "、".join(partner.regions or []) or "无"),
                ("明细", "、".join(f"{ln.sku}×{ln.qty}" for ln in order.lines)),
                ("金额", yuan(order.total_yuan)),
                ("下单时间", ctx.fmt(order.received_at, "%Y-%m-%d %H:%M")),
                ("审批原因", "、".join(reason_label(r["reason_code"]) for r in flow.reasons)))
        return CardView(title=t("order_approval_title", "zh", number=order.number),
                        desc=f"{partner.name} · {submitter.name}", rows=rows,
                        note="；".join(r["message"] for r in flow.reasons if r.get("message")))

    def approved(self, ctx: Context, flow: ApprovalFlow, order: Order, appr: Approval) -> None:
        before = order_snapshot(order)
        set_status(ctx, order, OrderStatus.CONFIRMED)
        ctx.audit("order.approved", "order", order.number, before=before, after=order_snapshot(order))
        who = ctx.s.get(User, appr.decided_by_id)
        notify_status(ctx, order, OrderStatus.CONFIRMED, extra=t("order_approved_by", "zh", who=who.name))
        announce_confirmed(ctx, order)

    def rejected(self, ctx: Context, flow: ApprovalFlow, order: Order, appr: Approval, reason: str) -> None:
        before = order_snapshot(order)
        set_status(ctx, order, OrderStatus.REJECTED)
        ctx.audit("order.rejected", "order", order.number, before=before, after=order_snapshot(order))
        ctx.send(self.requester(ctx, order),
                 Text(t("order_rejected_by", "zh", number=order.number, who=ctx.user.name, reason=reason)),
                 key=f"decision:{appr.id}")

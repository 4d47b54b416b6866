"""Card clicks and card sends, routed to what the card is for: an approval step,
or a dealer's order summary (确认 / 取消)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from chat.context import Context
from chat.messages import Text
from handlers import approvals
from handlers.common.texts import t
from models import Approval, ApprovalFlow, Order


def on_card_click(ctx: Context) -> None:
    task_id = ctx.inbound.card.task_id
    appr = approvals.approval_for_card(ctx, task_id)
    if appr is not None:
        approvals.on_card_click(ctx, appr)
        return
    from handlers.orders import commands as orders
    order = orders.order_for_card(ctx, task_id)
    if order is not None:
        orders.on_card_click(ctx, order)
        return
    ctx.reply(Text(t("card_gone", ctx.lang)))


def card_sent(session: Session, task_id: str, response_code: str) -> None:
    """Outbox hook: remember a sent card's response code (needed to stamp it
    later), unless a click already brought a newer one."""
    appr = session.execute(select(Approval).where(Approval.task_id == task_id)).scalar_one_or_none()
    if appr is not None:
        if appr.status == "pending" and not appr.response_code:
            appr.response_code = response_code
        return
    order = session.execute(select(Order).where(Order.card_task_id == task_id)).scalar_one_or_none()
    if order is not None and order.status == "draft" and not order.card_response_code:
        order.card_response_code = response_code


def subject_ref_of(ctx: Context, approval_id: int) -> str:
    """The number an approval step is about (RG…, SO…, SP…, EX…)."""
    return _subject_ref(ctx, Approval.id == approval_id)


def subject_ref_of_card(ctx: Context, task_id: str) -> str:
    """The number an approval card is about ("" for other cards)."""
    return _subject_ref(ctx, Approval.task_id == task_id)


def _subject_ref(ctx: Context, which) -> str:
    return ctx.s.execute(select(ApprovalFlow.subject_ref).join(Approval, Approval.flow_id == ApprovalFlow.id)
                         .where(which)).scalar_one_or_none() or ""

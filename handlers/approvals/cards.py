"""Card sends: remember the platform's reference of a sent card (to stamp it later)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Approval, Order


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

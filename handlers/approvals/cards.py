"""An approval card's end: it turns into a stamp (who decided, when, or why
it no longer counts). The transport stamps it with the platform's handle."""
from __future__ import annotations

from chat.context import Context
from chat.messages import CardStamp
from models import Approval, User


def stamp(ctx: Context, appr: Approval, text: str, tag: str) -> None:
    approver = ctx.s.get(User, appr.approver_id)
    ctx.send(approver, CardStamp(task_id=appr.task_id, text=text), key=f"stamp:{appr.id}:{tag}")

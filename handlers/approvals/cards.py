"""An approval card's end: it turns into a stamp (who decided, when, or why
it no longer counts), where the card is: the approver's chat, or the group
thread the request came from (thread.py). The transport stamps it with the
platform's handle."""
from __future__ import annotations

from chat.context import Context
from chat.messages import CardStamp
from handlers.approvals import thread
from handlers.approvals.kinds import kinds
from models import Approval, ApprovalFlow, User


def stamp(ctx: Context, appr: Approval, text: str, tag: str) -> None:
    approver = ctx.s.get(User, appr.approver_id)
    flow = ctx.s.get(ApprovalFlow, appr.flow_id)
    thread.send_stamp(ctx, flow, approver, CardStamp(task_id=appr.task_id, text=text), key=f"stamp:{appr.id}:{tag}",
                      noun=kinds(ctx)[flow.subject_type].noun)

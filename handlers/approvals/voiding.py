"""Voiding approvals: the subject changed, was withdrawn or cancelled, so what
was approved (or was being approved) no longer applies.

An approval covers one exact payload (product.md point 3), so a change ends
its flow whether it is still waiting or already approved. Everyone who had a
hand in it hears why: the approver of a waiting card (which turns into a
stamp) and every approver who already agreed. The caller tells the
requester, in the words of its own area.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from handlers.approvals.cards import stamp as stamp_card
from handlers.approvals.kinds import kinds
from handlers.approvals.texts import t
from models import ApprovalFlow, ApprovalStatus, FlowStatus, User


@dataclass
class Voided:
    flow: ApprovalFlow
    agreed: list[User] = field(default_factory=list)     # approved a step of it
    waiting: list[User] = field(default_factory=list)    # had its card open


def void_flow(ctx: Context, flow: ApprovalFlow, why: str | None, tell: bool = True,
              stamp: str | None = None) -> Voided:
    """``stamp``: what the card turns into (default: changed or withdrawn)."""
    kind = kinds(ctx)[flow.subject_type]
    why = why or t("void_why_changed", "zh")
    out = Voided(flow)
    for appr in flow.approvals:
        if appr.status == ApprovalStatus.PENDING:
            appr.status, appr.decided_at = ApprovalStatus.VOID, ctx.now
            ctx.audit("approval.void", "approval", appr.task_id, before={"status": ApprovalStatus.PENDING},
                      after={"status": ApprovalStatus.VOID, "why": why})
            stamp_card(ctx, appr, stamp or t("stamp_void", "zh"), ApprovalStatus.VOID)
            out.waiting.append(ctx.s.get(User, appr.approver_id))
            if tell:
                ctx.send(out.waiting[-1], Text(t("approver_told_void_any", "zh", noun=kind.noun,
                                                 number=flow.subject_ref, why=why)), key=f"void:{appr.id}")
        elif appr.status == ApprovalStatus.APPROVED and appr.decided_by_id:
            who = ctx.s.get(User, appr.decided_by_id)
            if who not in out.agreed:
                out.agreed.append(who)
                if tell:
                    ctx.send(who, Text(t("approver_told_void_approved", "zh", noun=kind.noun,
                                         number=flow.subject_ref, why=why)), key=f"void-approved:{appr.id}")
    if flow.status in (FlowStatus.PENDING, FlowStatus.APPROVED):
        ctx.audit("approval_flow.void", "approval_flow", flow.subject_ref, before={"status": flow.status},
                  after={"status": FlowStatus.VOID, "why": why})
        flow.status, flow.decided_at = FlowStatus.VOID, ctx.now
    return out


def void_flows(ctx: Context, kind_name: str, subject_id: int, why: str | None,
               statuses: tuple[str, ...] = (FlowStatus.PENDING, FlowStatus.APPROVED), tell: bool = True,
               stamp: str | None = None) -> list[Voided]:
    """Every flow of the subject still waiting (or already approved), voided and announced."""
    flows = ctx.s.execute(select(ApprovalFlow).where(
        ApprovalFlow.subject_type == kind_name, ApprovalFlow.subject_id == subject_id,
        ApprovalFlow.status.in_(statuses)).order_by(ApprovalFlow.id).with_for_update()).scalars().all()
    return [void_flow(ctx, flow, why, tell, stamp) for flow in flows]


def void_open_flows(ctx: Context, kind_name: str, subject_id: int, tell_approver: bool = True) -> int:
    """The waiting flows only (a registration's change or release)."""
    return len(void_flows(ctx, kind_name, subject_id, None, (FlowStatus.PENDING,), tell_approver))

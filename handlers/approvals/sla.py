"""Approval SLAs, run by the scheduler: hand queues over to stand-ins, remind an
approver who sits on a step, escalate it a level up when it waits longer.

Waits are counted on the approvals' working calendar (rule store): a step
sent on Friday 17:00 is not escalated on Saturday. The reminder always comes
first; after downtime a step overdue for both is reminded, and escalated
only once the approver has had the time between the two to act on it.

Each step is handled in its own transaction.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from chat import sweeps
from chat.context import Context, Services
from chat.messages import Text
from handlers.approvals import duties, engine, routing
from handlers.approvals.delegation import delegations_starting, hand_over_pending
from handlers.approvals.kinds import kinds
from handlers.approvals.texts import t
from models import Approval, ApprovalFlow, ApprovalStatus, FlowStatus, Role, User


def _waited(start: datetime, now: datetime) -> str:
    hours = (now - start).total_seconds() / 3600
    return f"{hours:.0f} 小时" if hours < 48 else f"{hours / 24:.1f} 天"


def sweep(svc: Services) -> dict[str, int]:
    away = sweeps.read(svc, lambda ctx: [u.id for u in delegations_starting(ctx, ctx.clock.today())])
    handed = sweeps.each(svc, away, lambda ctx, user_id: {"handed_over": hand_over_pending(
        ctx, ctx.s.get(User, user_id))[0]}, outcomes=("handed_over",))
    waiting = sweeps.read(svc, lambda ctx: list(ctx.s.execute(
        select(Approval.id).join(ApprovalFlow, ApprovalFlow.id == Approval.flow_id)
        .where(Approval.status == ApprovalStatus.PENDING, ApprovalFlow.status == FlowStatus.PENDING)
        .order_by(Approval.id)).scalars()))
    return {**handed, **sweeps.each(svc, waiting, _one, outcomes=("reminded", "escalated", "overdue"))}


def _one(ctx: Context, approval_id: int) -> str | None:
    rules, now = ctx.rules.approvals, ctx.now
    peek = ctx.s.get(Approval, approval_id)
    if peek is None or peek.status != ApprovalStatus.PENDING:
        return None
    if peek.reminded_at is None:
        if not rules.elapsed(rules.remind_after, peek.created_at, now):
            return None
        appr, flow, _, kind = engine.lock(ctx, approval_id)
        if appr.status != ApprovalStatus.PENDING or appr.reminded_at is not None:
            return None
        _remind(ctx, appr, flow, kind)
        return "reminded"
    if peek.overdue_at is None and rules.escalation_due(peek.created_at, peek.reminded_at, now):
        appr, flow, _, kind = engine.lock(ctx, approval_id)
        return _escalate(ctx, appr, flow) if appr.status == ApprovalStatus.PENDING else None
    return None


def _remind(ctx: Context, appr: Approval, flow: ApprovalFlow, kind) -> None:
    requester = ctx.s.get(User, flow.requester_id)
    ctx.send(ctx.s.get(User, appr.approver_id),
             Text(t("reminder", "zh", noun=kind.noun, number=flow.subject_ref, requester=requester.name,
                    waited=_waited(appr.created_at, ctx.now))), key=f"remind:{appr.id}")
    appr.reminded_at = ctx.now
    ctx.audit("approval.reminded", "approval", appr.task_id, after={"approver_id": appr.approver_id})


def _escalate(ctx: Context, appr: Approval, flow: ApprovalFlow) -> str | None:
    kind = kinds(ctx)[flow.subject_type]
    current = ctx.s.get(User, appr.approver_id)
    nxt_role = routing.NEXT_LEVEL.get(appr.role)
    target = routing.director(ctx) if nxt_role == "director" else None
    if target is not None:
        target, _ = routing.stand_in(ctx, target)
    # The level above decides a later step of this flow anyway: the flow moves
    # on to that step rather than giving that person two steps (duties.py).
    clash = target is not None and target.id != current.id and duties.conflict(ctx, flow, target, appr.step)
    into_next = bool(clash) and flow.current_step + 1 < len(flow.steps)
    if target is None or target.id == current.id or (clash and not into_next):
        # Nobody above: make sure someone who can chase it knows, once.
        if appr.overdue_at is not None:
            return None
        appr.overdue_at = ctx.now
        for admin in ctx.s.execute(select(User).where(User.role == Role.ADMIN)).scalars():
            ctx.send(admin, Text(t("overdue_admin", "zh", noun=kind.noun, number=flow.subject_ref,
                                   approver=current.name, waited=_waited(appr.created_at, ctx.now))),
                     key=f"overdue:{appr.id}:{admin.id}")
        ctx.audit("approval.overdue", "approval", appr.task_id, after={"approver": current.external_id})
        return "overdue"
    if into_next:
        target = ctx.s.get(User, engine.escalate_into_next_step(ctx, appr).approver_id)
    else:
        engine.move_step(ctx, appr, target, ApprovalStatus.ESCALATED, role=nxt_role)
    ctx.send(current, Text(t("escalated_notice_old", "zh", noun=kind.noun, number=flow.subject_ref,
                             waited=ctx.rules.approvals.escalate_after.words(), who=target.name)),
             key=f"escalated-old:{appr.id}")
    ctx.send(ctx.s.get(User, flow.requester_id),
             Text(t("escalated_requester", "zh", noun=kind.noun, number=flow.subject_ref, who=target.name)),
             key=f"escalated-req:{appr.id}")
    return "escalated"

"""委托 / 取消委托: an approver names a stand-in for the days they are away.

While a delegation runs, new steps routed to the approver go to the stand-in
(routing.stand_in), and steps already waiting are handed over when it starts
(at once for a delegation that starts today, else by the SLA sweep).
"""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from domain.language import Parsed
from handlers.approvals import duties, engine, routing
from handlers.approvals.texts import t
from models import Approval, ApprovalFlow, ApprovalStatus, Delegation, FlowStatus, User

MAX_DAYS = 92
# A number before 月 left over was meant as a day: any real month was read as a date,
# and the scanner reports the shapes that are surely none ("1.5月3日", "1e400月",
# "100月5日"). What it leaves, a month alone that is none ("13月"), a delegation still
# refuses: here every month is a date. A reason with a number stays one ("病假3日").
_MONTH_ISH = re.compile(r"\d\s?月")


def _unread_day(parsed: Parsed) -> str | None:
    note = parsed.note or ""
    said = _MONTH_ISH.search(note)
    if said is None:
        return None
    end = note.find(" ", said.end())            # the word it is in (found without a regex's backtracking)
    return note[note.rfind(" ", 0, said.start()) + 1:end if end >= 0 else len(note)][:40]


def delegate(ctx: Context, parsed: Parsed) -> None:
    lang, user = ctx.lang, ctx.user
    if user.role not in routing.APPROVER_ROLES:
        ctx.reply(Text(t("delegate_staff_only", lang)))
        return
    if not parsed.target:
        ctx.reply(Text(t("delegate_usage", lang)))
        return
    stand_in = routing.find_staff(ctx, parsed.target)
    if stand_in is None:
        ctx.reply(Text(t("transfer_unknown_target", lang, target=parsed.target)))
        return
    if stand_in.id == user.id:
        ctx.reply(Text(t("transfer_self", lang)))
        return
    unread = _unread_day(parsed) if parsed.date_from is None else None
    if parsed.bad_date or unread:
        # "2月30日至3月2日" must not quietly become "3月2日 only", nor "1.5月3日至…" today only.
        ctx.reply(Text(t("delegate_bad_date", lang, said=parsed.bad_date or unread)))
        return
    today = ctx.clock.today()
    start = parsed.date_from or today
    end = parsed.date_to or start
    if end < start or end < today:
        ctx.reply(Text(t("delegate_bad_range", lang, start=start.isoformat(), to=end.isoformat())))
        return
    if (end - start).days + 1 > MAX_DAYS:
        ctx.reply(Text(t("delegate_too_long", lang, days=MAX_DAYS)))
        return
    start = max(start, today)
    row = Delegation(user_id=user.id, delegate_id=stand_in.id, starts_on=start, ends_on=end, created_at=ctx.now)
    ctx.s.add(row)
    ctx.s.flush()
    ctx.audit("delegation.created", "delegation", row.id,
              after={"user": user.external_id, "delegate": stand_in.external_id, "from": start.isoformat(),
                     "to": end.isoformat()})
    moved, kept = hand_over_pending(ctx, user) if start <= today else (0, 0)
    ctx.send(stand_in, Text(t("delegated_notice", "zh", who=user.name, start=start.isoformat(), to=end.isoformat())),
             key=f"delegation:{row.id}")
    ctx.reply(Text(t("delegated", lang, start=start.isoformat(), to=end.isoformat(), who=stand_in.name,
                     moved=(t("delegated_moved", lang, n=moved) if moved else "")
                     + (t("delegated_kept", lang, n=kept) if kept else ""))))


def undelegate(ctx: Context) -> None:
    today = ctx.clock.today()
    rows = ctx.s.execute(select(Delegation).where(Delegation.user_id == ctx.user.id,
                                                  Delegation.cancelled_at.is_(None),
                                                  Delegation.ends_on >= today)).scalars().all()
    if not rows:
        ctx.reply(Text(t("undelegate_none", ctx.lang)))
        return
    for row in rows:
        row.cancelled_at = ctx.now
        ctx.audit("delegation.cancelled", "delegation", row.id, after={"cancelled": True})
    ctx.reply(Text(t("undelegated", ctx.lang, n=len(rows))))


def hand_over_pending(ctx: Context, user: User) -> tuple[int, int]:
    """Steps waiting for ``user`` go to their stand-in of today, except a step
    of a flow the stand-in decides another step of (duties.py): (moved, kept)."""
    stand_in, on_behalf = routing.stand_in(ctx, user)
    if on_behalf is None:
        return 0, 0
    ids = ctx.s.execute(select(Approval.id).join(ApprovalFlow, ApprovalFlow.id == Approval.flow_id)
                        .where(Approval.approver_id == user.id, Approval.status == ApprovalStatus.PENDING,
                               ApprovalFlow.status == FlowStatus.PENDING).order_by(Approval.id)).scalars().all()
    moved = kept = 0
    for approval_id in ids:
        appr, flow, _, _ = engine.lock(ctx, approval_id)
        if appr.status != ApprovalStatus.PENDING:
            continue
        if duties.conflict(ctx, flow, stand_in, appr.step):
            kept += 1
            continue
        engine.move_step(ctx, appr, stand_in, ApprovalStatus.TRANSFERRED, on_behalf=user)
        moved += 1
    return moved, kept


def delegations_starting(ctx: Context, on: date) -> list[User]:
    """Approvers whose delegation is in force on ``on`` (the SLA sweep hands their queue over)."""
    rows = ctx.s.execute(select(Delegation.user_id).where(
        Delegation.cancelled_at.is_(None), Delegation.starts_on <= on, Delegation.ends_on >= on)
        .distinct()).scalars().all()
    return [ctx.s.get(User, uid) for uid in rows]




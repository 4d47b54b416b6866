"""待审批 / 我的审批: what waits for the approver, oldest first, each with its
number, what it is about, how long it has waited and what to type to decide
it (the same decision as the card's buttons)."""
from __future__ import annotations

from sqlalchemy import select

from chat.context import Context
from chat.messages import Markdown, Text
from domain.language import Parsed
from handlers.approvals.kinds import kinds
from handlers.approvals.texts import t
from models import MANAGING_ROLES, Approval, ApprovalFlow, ApprovalStatus

LIST_LIMIT = 15


def _waited(ctx: Context, appr: Approval) -> str:
    hours = int((ctx.now - appr.created_at).total_seconds() // 3600)
    if hours < 1:
        return t("waited_minutes", ctx.lang, n=max(1, int((ctx.now - appr.created_at).total_seconds() // 60)))
    if hours < 48:
        return t("waited_hours", ctx.lang, n=hours)
    return t("waited_days", ctx.lang, n=hours // 24)


def my_approvals(ctx: Context, parsed: Parsed) -> None:
    lang = ctx.lang
    if ctx.user.role not in MANAGING_ROLES:
        ctx.reply(Text(t("todo_approvers_only", lang)))
        return
    rows = ctx.s.execute(select(Approval, ApprovalFlow).join(ApprovalFlow, ApprovalFlow.id == Approval.flow_id)
                         .where(Approval.approver_id == ctx.user.id, Approval.status == ApprovalStatus.PENDING)
                         .order_by(Approval.created_at, Approval.id)).all()
    if not rows:
        ctx.reply(Text(t("todo_nothing", lang)))
        return
    lines = [t("todo_header", lang, n=len(rows))]
    registered = kinds(ctx)
    for i, (appr, flow) in enumerate(rows[:LIST_LIMIT], start=1):
        kind = registered[flow.subject_type]
        subject = kind.find(ctx, flow.subject_ref)
        view = kind.card(ctx, flow, subject, appr)
        revision = kind.revision(subject)
        ref = flow.subject_ref if revision <= 1 else f"{flow.subject_ref}/{revision}"
        on_behalf = t("todo_on_behalf", lang) if appr.on_behalf_of_id else ""
        lines.append(t("todo_line", lang, i=i, title=view.title, desc=view.desc, waited=_waited(ctx, appr),
                       ref=ref, on_behalf=on_behalf))
    if len(rows) > LIST_LIMIT:
        lines.append(t("todo_more", lang, n=len(rows) - LIST_LIMIT))
    ctx.reply(Markdown("\n".join(lines)))

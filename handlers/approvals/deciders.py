"""Who has a flow's card now, in the words a requester reads: "北方区区域经理
王建国" (a stand-in: "… 王建国（代 刘洋）"). A reply names the person the
routing actually chose, never just a role."""
from __future__ import annotations

from chat.context import Context
from handlers.approvals.texts import t
from models import ApprovalFlow, ApprovalStatus, User


def title_of(user: User, lang: str = "zh") -> str:
    """What a person's role is called: their title (Chinese), else the role's word."""
    if lang == "zh" and user.title:
        return user.title
    return t(f"role_{user.role}", lang)


def decider(ctx: Context, flow: ApprovalFlow | None, lang: str = "zh") -> tuple[str, str] | None:
    """(title, name) of the approver of the flow's waiting card ("北方区区域经理",
    "王建国", a stand-in "刘洋（代 王建国）"); None when no card waits."""
    if flow is None:
        return None
    waiting = [a for a in flow.approvals if a.status == ApprovalStatus.PENDING]
    if not waiting:
        return None
    appr = waiting[-1]
    user = ctx.s.get(User, appr.approver_id)
    name = user.name
    if appr.on_behalf_of_id:
        name += t("decider_on_behalf", lang, name=ctx.s.get(User, appr.on_behalf_of_id).name)
    return title_of(user, lang), name


def decider_words(ctx: Context, flow: ApprovalFlow | None, lang: str = "zh") -> str:
    """The approver of the flow's waiting card with their title; "" when none waits."""
    who = decider(ctx, flow, lang)
    return t("decider", lang, title=who[0], name=who[1]) if who else ""

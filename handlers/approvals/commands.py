"""What approvers do: tap a card, type 同意/驳回 <单号>, give a reject reason,
转交 a step to someone else."""
from __future__ import annotations

import re

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from domain.language import Parsed
from handlers.approvals import duties, engine, routing
from handlers.approvals.kinds import kind_for_ref
from handlers.approvals.texts import t
from models import Approval, ApprovalFlow, ApprovalStatus, FlowStatus, User

# "同意 RG20261123-0001" / "驳回 SP20261202-0001/2 价格不合理" (approvers without the card at
# hand). "/2" names the revision the approver looked at; it is required once the
# subject has been changed, so a typed decision can't approve a payload its
# approver never saw.
DECISION_RE = re.compile(r"^\s*(同意|通过|批准|approve|驳回|拒绝|reject)\s+"
                         r"((?:RG|SO|SP|EX|CC)\d{8}-\d+)(?:/(\d+))?\s*(.*)$",
                         re.I | re.S)
APPROVE_WORDS = {"同意", "通过", "批准", "approve"}
ACTION_WORD = {"approve": "同意", "reject": "驳回"}      # what the hint tells them to type
MAX_REASON_CHARS = 300


def parse_decision(text: str) -> tuple[str, str, int | None, str] | None:
    m = DECISION_RE.match(text or "")
    if not m:
        return None
    action = "approve" if m.group(1).lower() in APPROVE_WORDS else "reject"
    return action, m.group(2).upper(), int(m.group(3)) if m.group(3) else None, m.group(4).strip()


def approval_for_card(ctx: Context, task_id: str) -> Approval | None:
    return ctx.s.execute(select(Approval).where(Approval.task_id == task_id)).scalar_one_or_none()


def on_card_click(ctx: Context, appr: Approval) -> None:
    """A tap on 同意 / 驳回. A click may bring its reason along (the ops console's
    form, a platform card with an input): a reject with one needs no question."""
    click = ctx.inbound.card
    if click.key not in ("approve", "reject"):
        ctx.reply(Text(t("card_gone", ctx.lang)))
        return
    reason = (ctx.inbound.text or "").strip() or None
    if reason and len(reason) > MAX_REASON_CHARS:
        ctx.reply(Text(t("reason_too_long", ctx.lang, limit=MAX_REASON_CHARS)))
        return
    engine.decide(ctx, appr.id, click.key, reason=reason if click.key == "reject" else None)


def _latest_flow(ctx: Context, ref: str) -> tuple[object, object, ApprovalFlow] | None:
    kind = kind_for_ref(ctx, ref)
    subject = kind.find(ctx, ref) if kind else None
    if subject is None:
        return None
    flow = ctx.s.execute(select(ApprovalFlow).where(ApprovalFlow.subject_type == kind.name,
                                                    ApprovalFlow.subject_id == subject.id)
                         .order_by(ApprovalFlow.id.desc())).scalars().first()
    return (kind, subject, flow) if flow else None


def on_text_decision(ctx: Context, action: str, ref: str, revision: int | None, reason: str) -> None:
    lang = ctx.lang
    found = _latest_flow(ctx, ref)
    if found is None:
        ctx.reply(Text(t("no_such_ref", lang, ref=ref)))
        return
    kind, subject, flow = found
    if len(reason) > MAX_REASON_CHARS:
        ctx.reply(Text(t("reason_too_long", lang, limit=MAX_REASON_CHARS)))
        return
    if (revision or 1) != kind.revision(subject):
        ctx.reply(Text(t("revision_mismatch", lang, noun=kind.noun, number=flow.subject_ref,
                         revision=kind.revision(subject), word=ACTION_WORD[action])))
        return
    mine = [a for a in flow.approvals if a.approver_id == ctx.user.id]
    appr = engine.pending_approval_for(ctx, flow, ctx.user) or (mine[-1] if mine else flow.approvals[-1])
    engine.decide(ctx, appr.id, action, reason=reason or None)


def on_reject_reason(ctx: Context, state: dict, text: str) -> bool:
    """While a reject waits for its reason, anything the approver writes (but a
    lookup) is the reason, even "报备信息不全…"."""
    if len(text.strip()) > MAX_REASON_CHARS:
        ctx.reply(Text(t("reason_too_long", ctx.lang, limit=MAX_REASON_CHARS)))
        return True                 # keep waiting for a shorter reason
    ctx.clear_state()
    engine.decide(ctx, state["approval_id"], "reject", reason=text.strip())
    return True


def reason_still_waiting(ctx: Context, state: dict) -> None:
    """A lookup was answered while the reject waits: say it still waits."""
    ctx.reply(Text(t("reject_reason_waiting", ctx.lang, number=subject_ref_of(ctx, state["approval_id"]))))


def reject_dropped(ctx: Context, state: dict, decided_ref: str) -> None:
    """A tap on a card or a typed decision means the approver moved on from the
    reject they started: the next thing they type is not that reason. If the new
    decision is about the same registration/order, it simply replaces the reject
    (approving after all, or tapping 驳回 again) and needs no word of its own."""
    ctx.clear_state()
    started_ref = subject_ref_of(ctx, state["approval_id"])
    if started_ref != decided_ref:
        ctx.reply(Text(t("reject_reason_dropped", ctx.lang, number=started_ref)))


def subject_ref_of(ctx: Context, approval_id: int) -> str:
    """The number an approval step is about (RG…, SO…, SP…, EX…)."""
    return ctx.s.execute(select(ApprovalFlow.subject_ref).join(Approval, Approval.flow_id == ApprovalFlow.id)
                         .where(Approval.id == approval_id)).scalar_one_or_none() or ""


def transfer(ctx: Context, parsed: Parsed) -> None:
    """转交 <单号> <审批人>: the current approver hands their step to someone else."""
    lang = ctx.lang
    if not parsed.ref or not parsed.target:
        ctx.reply(Text(t("transfer_usage", lang)))
        return
    found = _latest_flow(ctx, parsed.ref)
    flow = found[2] if found else None
    appr = engine.pending_approval_for(ctx, flow, ctx.user) if flow and flow.status == FlowStatus.PENDING else None
    if appr is None:
        ctx.reply(Text(t("transfer_no_pending", lang, number=parsed.ref)))
        return
    to = routing.find_staff(ctx, parsed.target)
    if to is None:
        ctx.reply(Text(t("transfer_unknown_target", lang, target=parsed.target)))
        return
    if to.id == ctx.user.id:
        ctx.reply(Text(t("transfer_self", lang)))
        return
    appr, flow, _, kind = engine.lock(ctx, appr.id)
    if appr.status != ApprovalStatus.PENDING:        # decided while we looked
        ctx.reply(Text(t("transfer_no_pending", lang, number=parsed.ref)))
        return
    why = duties.conflict(ctx, flow, to, appr.step)
    if why:
        ctx.reply(Text(t("transfer_conflict", lang, who=to.name, why=why)))
        return
    engine.move_step(ctx, appr, to, ApprovalStatus.TRANSFERRED)
    requester = ctx.s.get(User, flow.requester_id)
    ctx.send(requester, Text(t("transferred_notice", "zh", noun=kind.noun, number=flow.subject_ref,
                               from_who=ctx.user.name, who=to.name)), key=f"transferred:{appr.id}")
    ctx.reply(Text(t("transferred", lang, number=flow.subject_ref, who=to.name)))

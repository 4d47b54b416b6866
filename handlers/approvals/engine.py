"""The approval engine: flows of steps, one card per step, bound to a payload.

A flow is started with the ladder of roles the rules chose. Each step's card
goes 1:1 to its approver (or their stand-in); approving opens the next step,
rejecting ends the flow; the last approval hands over to the subject's kind.
Nobody decides two steps of one flow (duties.py). A card shows one exact
payload: if the subject changed since, the decision is refused and the flow
is void (product.md point 3; voiding.py).

Locks are taken subject first, then flow, then approval — the order in which
a change to the subject (amend, withdraw) also reaches them, so a decision
and a change racing on PostgreSQL wait for each other instead of deadlocking.
"""
from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import select

from chat.context import Context
from chat.messages import Button, ButtonStyle, Card, Text
from domain.rules import Verdict
from domain.rules.words import role_word
from handlers.approvals import duties, thread, voiding
from handlers.approvals.cards import stamp
from handlers.approvals.kinds import SubjectKind, kinds, payload_hash
from handlers.approvals.texts import t
from models import Approval, ApprovalFlow, ApprovalStatus, FlowStatus, User

# ---- starting a flow and opening steps ----------------------------------------

def start_flow(ctx: Context, kind_name: str, subject: Any, roles: list[str | dict], reasons: list[Verdict],
               region: str | None, warning: str | None = None) -> ApprovalFlow:
    """``roles``: the ladder, a role per step ("area_manager"), or a step that
    names its approver ({"role": "account_owner", "user": "<userid>"})."""
    kind = kinds(ctx)[kind_name]
    payload = kind.payload(ctx, subject)
    flow = ApprovalFlow(subject_type=kind.name, subject_id=subject.id, subject_ref=kind.ref(subject),
                        requester_id=kind.requester(ctx, subject).id,
                        steps=[r if isinstance(r, dict) else {"role": r} for r in roles],
                        current_step=0, status=FlowStatus.PENDING, payload=payload, payload_hash=payload_hash(payload),
                        reasons=[v.to_dict() for v in reasons], warning=warning, region=region, created_at=ctx.now)
    thread.remember_origin(ctx, flow)
    ctx.s.add(flow)
    ctx.s.flush()
    _open_next(ctx, kind, flow, subject)
    return flow


def _open_next(ctx: Context, kind: SubjectKind, flow: ApprovalFlow, subject: Any,
               note: str | None = None) -> Approval:
    """Open the flow's current step for the approver duties.route picks. A step
    the ladder gives to the approver of a later step too is merged into that
    later step, whose card says so: one decision, not one tap approving two."""
    notes = [note] if note else []
    while duties.owner_of_later_step(ctx, flow):
        ctx.audit("approval.merged", "approval_flow", flow.subject_ref,
                  after={"step": flow.current_step + 1, "into": flow.current_step + 2, "why": "same approver"})
        flow.current_step += 1
        notes.append(duties.merged_note(flow, flow.current_step - 1))
    routed = duties.route(ctx, flow)
    if routed.note:
        notes.append(routed.note)
    appr = open_step(ctx, kind, flow, subject, routed.approver, on_behalf=routed.on_behalf,
                     note="；".join(notes) or None)
    if routed.passed_over is not None:     # a stand-in was passed over: they and the requester hear why
        ctx.send(kind.requester(ctx, subject), Text(t("sod_requester", "zh", noun=kind.noun, number=flow.subject_ref,
                                                      note=routed.note)), key=f"sod:{appr.id}")
        ctx.send(routed.passed_over, Text(t("sod_passed_over", "zh", noun=kind.noun, number=flow.subject_ref,
                                            step=flow.current_step + 1, note=routed.note)),
                 key=f"sod-passed:{appr.id}")
    return appr


def _new_approval(ctx: Context, kind: SubjectKind, flow: ApprovalFlow, subject: Any, approver: User,
                  status: str = ApprovalStatus.PENDING, on_behalf: User | None = None,
                  transferred_from: User | None = None, role: str | None = None) -> Approval:
    appr = Approval(flow_id=flow.id, step=flow.current_step, role=role or flow.steps[flow.current_step]["role"],
                    reason_code=",".join(r["reason_code"] for r in flow.reasons) or "APPROVAL",
                    approver_id=approver.id, status=status, payload=flow.payload, payload_hash=flow.payload_hash,
                    task_id=f"{kind.prefix.lower()}-{subject.id}-r{kind.revision(subject)}-s{flow.current_step}-"
                            f"{secrets.token_hex(4)}",
                    on_behalf_of_id=on_behalf.id if on_behalf else None,
                    transferred_from_id=transferred_from.id if transferred_from else None, created_at=ctx.now)
    flow.approvals.append(appr)
    ctx.s.flush()
    return appr


def open_step(ctx: Context, kind: SubjectKind, flow: ApprovalFlow, subject: Any, approver: User,
              on_behalf: User | None = None, transferred_from: User | None = None,
              role: str | None = None, note: str | None = None) -> Approval:
    appr = _new_approval(ctx, kind, flow, subject, approver, on_behalf=on_behalf,
                         transferred_from=transferred_from, role=role)
    view = kind.card(ctx, flow, subject, appr)
    notes = [view.note] if view.note else []
    if note:
        notes.insert(0, note)
    if len(flow.steps) > 1:
        notes.insert(0, t("card_step", "zh", step=flow.current_step + 1, steps=len(flow.steps)))
    if on_behalf:
        notes.insert(0, t("card_on_behalf", "zh", who=on_behalf.name))
    elif transferred_from:
        notes.insert(0, t("card_from", "zh", who=transferred_from.name))
    if kind.revision(subject) > 1:
        notes.append(t("card_text_hint", "zh", number=flow.subject_ref, revision=kind.revision(subject)))
    card = Card(task_id=appr.task_id, title=view.title, desc=view.desc, rows=view.rows,
                buttons=(Button("approve", "同意", ButtonStyle.PRIMARY), Button("reject", "驳回", ButtonStyle.DANGER)),
                note="；".join(notes))
    thread.send_card(ctx, flow, approver, card, kind.noun)
    ctx.audit("approval.requested", "approval", appr.task_id,
              after={kind.name: flow.subject_ref, "approver": approver.external_id, "step": flow.current_step + 1,
                     "steps": len(flow.steps), "payload_hash": appr.payload_hash,
                     **({"on_behalf_of": on_behalf.external_id} if on_behalf else {}),
                     **({"from": transferred_from.external_id} if transferred_from else {}),
                     **({"note": note} if note else {})},
              verdicts=flow.reasons)
    return appr


# ---- deciding -------------------------------------------------------------------

def lock(ctx: Context, approval_id: int) -> tuple[Approval, ApprovalFlow, Any, SubjectKind]:
    flow_id = ctx.s.execute(select(Approval.flow_id).where(Approval.id == approval_id)).scalar_one()
    head = ctx.s.execute(select(ApprovalFlow.subject_type, ApprovalFlow.subject_id)
                         .where(ApprovalFlow.id == flow_id)).one()
    kind = kinds(ctx)[head.subject_type]
    subject = kind.lock(ctx, head.subject_id)
    flow = ctx.s.execute(select(ApprovalFlow).where(ApprovalFlow.id == flow_id).with_for_update()
                         .execution_options(populate_existing=True)).scalar_one()
    appr = ctx.s.execute(select(Approval).where(Approval.id == approval_id).with_for_update()
                         .execution_options(populate_existing=True)).scalar_one()
    return appr, flow, subject, kind


def decide(ctx: Context, approval_id: int, action: str, reason: str | None) -> None:
    lang = ctx.lang
    appr, flow, subject, kind = lock(ctx, approval_id)
    number = flow.subject_ref
    if ctx.user.id != appr.approver_id:
        # Anyone in a group thread sees the card; only the approver's tap counts,
        # and the others hear so privately (the group keeps seeing the card alone).
        ctx.audit("approval.refused", "approval", appr.task_id,
                  after={"clicker": ctx.user.external_id, "action": action, "reason": "not the approver"})
        ctx.reply_private(Text(t("not_your_approval", lang, noun=kind.noun, number=number,
                                 approver=ctx.s.get(User, appr.approver_id).name)))
        return
    if appr.status != ApprovalStatus.PENDING:
        _explain_closed(ctx, kind, flow, appr)
        return
    if not kind.is_open(subject) or payload_hash(kind.payload(ctx, subject)) != appr.payload_hash:
        voiding.void_flow(ctx, flow, why=None, tell=False)
        ctx.reply(Text(t("approval_void", lang, noun=kind.noun, number=number)))
        return
    if action == "reject" and not reason:
        ctx.set_state({"flow": "reject_reason", "approval_id": appr.id})
        # Asked privately: the reason is the approver's to give, in their own chat.
        ctx.reply_private(Text(t("ask_reject_reason", lang, number=number)))
        return
    _apply(ctx, kind, flow, subject, appr, action, reason)


def _explain_closed(ctx: Context, kind: SubjectKind, flow: ApprovalFlow, appr: Approval) -> None:
    lang = ctx.lang
    if appr.status == ApprovalStatus.VOID:
        ctx.reply(Text(t("approval_void", lang, noun=kind.noun, number=flow.subject_ref)))
    elif appr.status in (ApprovalStatus.TRANSFERRED, ApprovalStatus.ESCALATED):
        # The card that took its place (an escalation may have moved the flow on a step).
        nxt = ctx.s.execute(select(Approval).where(Approval.flow_id == flow.id, Approval.id > appr.id)
                            .order_by(Approval.id)).scalars().first()
        who = ctx.s.get(User, nxt.approver_id).name if nxt else "-"
        ctx.reply(Text(t("already_moved", lang, when=ctx.fmt(appr.decided_at), who=who,
                         how=t(f"how_{appr.status}", lang))))
    else:
        who = ctx.s.get(User, appr.decided_by_id)
        ctx.reply(Text(t("already_decided", lang, who=who.name if who else "-", when=ctx.fmt(appr.decided_at),
                         decision=t(f"{appr.status}_word", lang))))


def _apply(ctx: Context, kind: SubjectKind, flow: ApprovalFlow, subject: Any, appr: Approval, action: str,
           reason: str | None) -> None:
    now, lang = ctx.now, ctx.lang
    appr.status = ApprovalStatus.APPROVED if action == "approve" else ApprovalStatus.REJECTED
    appr.decided_by_id, appr.decided_at, appr.decision_reason = ctx.user.id, now, reason
    ctx.audit(f"approval.{appr.status}", "approval", appr.task_id, before={"status": ApprovalStatus.PENDING},
              after={"status": appr.status, "by": ctx.user.external_id, "reason": reason,
                     "step": appr.step + 1, "payload_hash": appr.payload_hash})
    word = t(f"{appr.status}_word", "zh")
    stamp(ctx, appr, t("stamp", "zh", decision=word, who=ctx.user.name, when=ctx.fmt(now)), appr.status)
    requester = kind.requester(ctx, subject)
    if action == "reject":
        flow.status, flow.decided_at = FlowStatus.REJECTED, now
        kind.rejected(ctx, flow, subject, appr, reason or "")
    elif flow.current_step + 1 < len(flow.steps):
        flow.current_step += 1
        nxt = _open_next(ctx, kind, flow, subject)
        nxt_user = ctx.s.get(User, nxt.approver_id)
        step_no = appr.step + 1
        ctx.send(requester, Text(t("progress", "zh", noun=kind.noun, number=flow.subject_ref,
                                   who=ctx.user.name, step=step_no, steps=len(flow.steps),
                                   next=f"{role_word(nxt.role)} {nxt_user.name}")),
                 key=f"progress:{appr.id}")
        ctx.reply(Text(t("step_done", lang, decision=word, noun=kind.noun, number=flow.subject_ref,
                         step=step_no, steps=len(flow.steps), next=nxt_user.name)))
        return
    else:
        _finish_approved(ctx, kind, flow, subject, appr)
    ctx.reply(Text(t("decision_done", lang, decision=word, noun=kind.noun, number=flow.subject_ref,
                     submitter=requester.name)))


def _finish_approved(ctx: Context, kind: SubjectKind, flow: ApprovalFlow, subject: Any, appr: Approval) -> None:
    flow.status, flow.decided_at = FlowStatus.APPROVED, ctx.now
    kind.approved(ctx, flow, subject, appr)


# ---- cards, voiding, moving ---------------------------------------------------------

def move_step(ctx: Context, appr: Approval, to: User, how: str, role: str | None = None,
              on_behalf: User | None = None) -> Approval:
    """Hand a pending step to someone else (transfer, escalation, delegation):
    the old card becomes a stamp, the new approver gets a fresh card."""
    flow = ctx.s.get(ApprovalFlow, appr.flow_id)
    kind = kinds(ctx)[flow.subject_type]
    subject = kind.lock(ctx, flow.subject_id)
    old = ctx.s.get(User, appr.approver_id)
    appr.status, appr.decided_at = how, ctx.now
    stamp(ctx, appr, t("stamp_moved", "zh", how=t(f"how_{how}", "zh"), who=to.name, when=ctx.fmt(ctx.now)), how)
    ctx.audit(f"approval.{how}", "approval", appr.task_id, before={"approver": old.external_id},
              after={"status": how, "to": to.external_id, "by": ctx.actor})
    return open_step(ctx, kind, flow, subject, to, transferred_from=old, role=role or appr.role, on_behalf=on_behalf)


def escalate_into_next_step(ctx: Context, appr: Approval) -> Approval:
    """Escalation whose next level is the approver of the flow's next step: the
    waiting step ends as escalated and the flow moves on to that step, whose
    card says why. The escalated approver decides once, in their own role."""
    flow = ctx.s.get(ApprovalFlow, appr.flow_id)
    kind = kinds(ctx)[flow.subject_type]
    subject = kind.lock(ctx, flow.subject_id)
    old = ctx.s.get(User, appr.approver_id)
    appr.status, appr.decided_at = ApprovalStatus.ESCALATED, ctx.now
    flow.current_step += 1
    nxt = _open_next(ctx, kind, flow, subject, note=t("sod_escalated_into", "zh", step=appr.step + 1,
                                                      role=role_word(appr.role), who=old.name))
    to = ctx.s.get(User, nxt.approver_id)
    stamp(ctx, appr, t("stamp_moved", "zh", how=t("how_escalated", "zh"), who=to.name, when=ctx.fmt(ctx.now)),
          ApprovalStatus.ESCALATED)
    ctx.audit("approval.escalated", "approval", appr.task_id, before={"approver": old.external_id},
              after={"status": ApprovalStatus.ESCALATED, "to": to.external_id, "by": ctx.actor,
                     "into_step": flow.current_step + 1})
    return nxt


def pending_approval_for(ctx: Context, flow: ApprovalFlow, user: User) -> Approval | None:
    return next((a for a in flow.approvals if a.status == ApprovalStatus.PENDING and a.approver_id == user.id), None)

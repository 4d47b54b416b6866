"""Approval decisions: card clicks and text commands, bound to the exact payload."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.context import Context
from bot.messages import CardStamp, Text
from handlers import locks
from handlers.payload import payload_hash, payload_of, snapshot
from handlers.texts import t
from models import Approval, Registration, User

# "同意 RG20261123-0001" / "驳回 RG20261123-0001/2 价格不合理" (approvers without the card at
# hand). "/2" names the revision the approver looked at; it is required once a
# registration has been changed, so a typed decision can't approve a payload
# its approver never saw.
DECISION_RE = re.compile(r"^\s*(同意|通过|批准|approve|驳回|拒绝|reject)\s+(RG\d{8}-\d+)(?:/(\d+))?\s*(.*)$", re.I | re.S)
APPROVE_WORDS = {"同意", "通过", "批准", "approve"}
MAX_REASON_CHARS = 300


def parse_decision(text: str) -> tuple[str, str, int | None, str] | None:
    m = DECISION_RE.match(text or "")
    if not m:
        return None
    action = "approve" if m.group(1).lower() in APPROVE_WORDS else "reject"
    return action, m.group(2).upper(), int(m.group(3)) if m.group(3) else None, m.group(4).strip()


def on_card_click(ctx: Context) -> None:
    click = ctx.inbound.card
    appr = ctx.s.execute(select(Approval).where(Approval.task_id == click.task_id)).scalar_one_or_none()
    if appr is None or click.key not in ("approve", "reject"):
        ctx.reply(Text(t("card_gone", ctx.lang)))
        return
    decide(ctx, appr.id, click.key, response_code=click.response_code, reason=None)


def on_text_decision(ctx: Context, action: str, number: str, revision: int | None, reason: str) -> None:
    lang = ctx.lang
    reg = ctx.s.execute(select(Registration).where(Registration.number == number)).scalar_one_or_none()
    appr = None if reg is None else ctx.s.execute(
        select(Approval).where(Approval.registration_id == reg.id).order_by(Approval.id.desc())).scalars().first()
    if appr is None:
        ctx.reply(Text(t("no_such_registration", lang, ref=number)))
        return
    if len(reason) > MAX_REASON_CHARS:
        ctx.reply(Text(t("reason_too_long", lang, limit=MAX_REASON_CHARS)))
        return
    if (revision or 1) != reg.revision:
        ctx.reply(Text(t("revision_mismatch", lang, number=number, revision=reg.revision)))
        return
    decide(ctx, appr.id, action, response_code=None, reason=reason or None)


def on_reject_reason(ctx: Context, state: dict, text: str) -> None:
    if len(text.strip()) > MAX_REASON_CHARS:
        ctx.reply(Text(t("reason_too_long", ctx.lang, limit=MAX_REASON_CHARS)))
        return                      # keep waiting for a shorter reason
    ctx.clear_state()
    decide(ctx, state["approval_id"], "reject", response_code=state.get("response_code"), reason=text.strip())


def _lock(ctx: Context, approval_id: int) -> tuple[Approval, Registration]:
    """Registration first, then approval: the order amend/withdraw use too, so a
    decision and a change racing on PostgreSQL wait for each other, not deadlock."""
    reg_id = ctx.s.execute(select(Approval.registration_id).where(Approval.id == approval_id)).scalar_one()
    reg = ctx.s.execute(select(Registration).where(Registration.id == reg_id).with_for_update()
                        .execution_options(populate_existing=True)).scalar_one()
    appr = ctx.s.execute(select(Approval).where(Approval.id == approval_id).with_for_update()
                         .execution_options(populate_existing=True)).scalar_one()
    return appr, reg


def decide(ctx: Context, approval_id: int, action: str, response_code: str | None, reason: str | None) -> None:
    s, lang = ctx.s, ctx.lang
    appr, reg = _lock(ctx, approval_id)
    if ctx.user.id != appr.approver_id:
        ctx.audit("approval.refused", "approval", appr.task_id,
                  after={"clicker": ctx.user.external_id, "action": action, "reason": "not the approver"})
        ctx.reply(Text(t("not_your_approval", lang, number=reg.number)))
        return
    if response_code:
        appr.response_code = response_code   # the newest code is the one that still works
    if appr.status != "pending":
        if appr.status == "void":
            ctx.reply(Text(t("approval_void", lang, number=reg.number)))
        else:
            who = s.get(User, appr.decided_by_id)
            ctx.reply(Text(t("already_decided", lang, who=who.name if who else "-", when=ctx.fmt(appr.decided_at),
                             decision=t(f"{appr.status}_word", lang))))
        return
    if reg.status != "pending" or payload_hash(payload_of(reg)) != appr.payload_hash:
        void(ctx, appr, reg, tell_approver=False)
        ctx.reply(Text(t("approval_void", lang, number=reg.number)))
        return
    if action == "reject" and not reason:
        ctx.set_state({"flow": "reject_reason", "approval_id": appr.id, "response_code": appr.response_code})
        ctx.reply(Text(t("ask_reject_reason", lang, number=reg.number)))
        return
    _apply(ctx, appr, reg, action, reason)


def _apply(ctx: Context, appr: Approval, reg: Registration, action: str, reason: str | None) -> None:
    now, rules = ctx.now, ctx.rules.registration
    before = snapshot(reg)
    appr.status = "approved" if action == "approve" else "rejected"
    appr.decided_by_id, appr.decided_at, appr.decision_reason = ctx.user.id, now, reason
    reg.decided_by_id, reg.decided_at, reg.decision_reason, reg.updated_at = ctx.user.id, now, reason, now
    submitter = ctx.s.get(User, reg.submitter_id)
    if action == "approve":
        reg.status = "approved"
        reg.lock_until = now + timedelta(days=rules.protection_days)
        locks.extend(ctx, reg)
        note = t("reg_decided_approved", "zh", number=reg.number, customer=reg.customer_text, who=ctx.user.name,
                 until=ctx.fmt(reg.lock_until, "%Y-%m-%d"))
    else:
        reg.status = "rejected"
        locks.release(ctx, reg)
        note = t("reg_decided_rejected", "zh", number=reg.number, customer=reg.customer_text, who=ctx.user.name,
                 reason=reason)
    ctx.audit(f"approval.{appr.status}", "approval", appr.task_id, before={"status": "pending"},
              after={"status": appr.status, "by": ctx.user.external_id, "reason": reason,
                     "payload_hash": appr.payload_hash})
    ctx.audit(f"registration.{reg.status}", "registration", reg.number, before=before, after=snapshot(reg))
    word = t(f"{appr.status}_word", "zh")
    _stamp(ctx, appr, t("stamp", "zh", decision=word, who=ctx.user.name, when=ctx.fmt(now)), appr.status)
    ctx.send(submitter, Text(note), key=f"decision:{appr.id}")
    ctx.reply(Text(t("decision_done", ctx.lang, decision=word, number=reg.number, submitter=submitter.name)))


def _stamp(ctx: Context, appr: Approval, text: str, tag: str) -> None:
    """Turn the card into a stamp. Needs an unused response code; each works once."""
    if not appr.response_code:
        return
    approver = ctx.s.get(User, appr.approver_id)
    ctx.send(approver, CardStamp(task_id=appr.task_id, response_code=appr.response_code, text=text),
             key=f"stamp:{appr.id}:{tag}")
    appr.response_code = None


def void(ctx: Context, appr: Approval, reg: Registration, tell_approver: bool = True) -> None:
    appr.status, appr.decided_at = "void", ctx.now
    ctx.audit("approval.void", "approval", appr.task_id, before={"status": "pending"},
              after={"status": "void", "payload_hash_now": payload_hash(payload_of(reg))})
    _stamp(ctx, appr, t("stamp_void", "zh"), "void")
    if tell_approver:
        ctx.send(ctx.s.get(User, appr.approver_id), Text(t("approver_told_void", "zh", number=reg.number)),
                 key=f"void:{appr.id}")


def void_pending(ctx: Context, reg: Registration) -> None:
    for appr in ctx.s.execute(select(Approval).where(Approval.registration_id == reg.id,
                                                     Approval.status == "pending")).scalars():
        void(ctx, appr, reg)


def card_sent(session, task_id: str, response_code: str) -> None:
    """Outbox hook: remember the send's response code, unless a click brought a newer one."""
    appr = session.execute(select(Approval).where(Approval.task_id == task_id)).scalar_one_or_none()
    if appr is not None and appr.status == "pending" and not appr.response_code:
        appr.response_code = response_code

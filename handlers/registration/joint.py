"""A joint registration's second partner answers: 接受 / 拒绝 on the card, or
`接受合作 RG…` / `拒绝合作 RG… 理由`. Accepted, the registration goes on
(to its approvers if the rules want any, else protected at once); declined,
it is refused and the customer released. Either way the submitter is told."""
from __future__ import annotations

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from domain.language import Parsed
from domain.rules.verdict import NEEDS_APPROVAL, Verdict
from handlers.registration import joint_cards, locks
from handlers.registration.lifecycle import lock_registration
from handlers.registration.payload import snapshot
from handlers.registration.register import grant_protection, request_approval
from handlers.registration.texts import t
from models import Customer, JointStatus, Partner, Registration, RegistrationStatus, User

MAX_REASON_CHARS = 300


def _invited(ctx: Context, reg: Registration | None, ref: str = "") -> Registration | None:
    """The registration, locked, if the sender's partner is invited to it and it still waits."""
    lang = ctx.lang
    if reg is None or ctx.user.partner_id is None or reg.joint_partner_id != ctx.user.partner_id:
        ctx.reply(Text(t("joint_not_invited", lang, ref=ref or (reg.number if reg else ""))))
        return None
    reg = lock_registration(ctx, reg.id)
    if reg.joint_status != JointStatus.INVITED or reg.status != RegistrationStatus.PENDING:
        ctx.reply(Text(t("joint_already", lang, number=reg.number, state=_state_words(ctx, reg))))
        return None
    return reg


def _state_words(ctx: Context, reg: Registration) -> str:
    if reg.joint_status in (JointStatus.ACCEPTED, JointStatus.DECLINED):
        who = ctx.s.get(User, reg.joint_decided_by_id)
        return t(f"joint_state_{reg.joint_status}", ctx.lang, who=who.name if who else "-",
                 when=ctx.fmt(reg.joint_decided_at))
    return t("joint_state_gone", ctx.lang)


def on_card_click(ctx: Context, reg: Registration) -> None:
    key = ctx.inbound.card.key
    if key == "accept":
        accept(ctx, _invited(ctx, reg))
    elif key == "decline":
        found = _invited(ctx, reg)
        if found is not None:
            ctx.set_state({"flow": "joint_decline", "registration_id": found.id})
            ctx.reply(Text(t("joint_ask_reason", ctx.lang, number=found.number)))
    else:
        ctx.reply(Text(t("card_gone", ctx.lang)))


def accept_command(ctx: Context, parsed: Parsed) -> None:
    accept(ctx, _invited(ctx, _by_ref(ctx, parsed.ref), parsed.ref or ""))


def decline_command(ctx: Context, parsed: Parsed) -> None:
    reg = _invited(ctx, _by_ref(ctx, parsed.ref), parsed.ref or "")
    if reg is None:
        return
    if not parsed.note:
        ctx.set_state({"flow": "joint_decline", "registration_id": reg.id})
        ctx.reply(Text(t("joint_ask_reason", ctx.lang, number=reg.number)))
        return
    decline(ctx, reg, parsed.note)


def on_decline_reason(ctx: Context, state: dict, text: str) -> bool:
    if len(text.strip()) > MAX_REASON_CHARS:
        ctx.reply(Text(t("reason_too_long", ctx.lang, limit=MAX_REASON_CHARS)))
        return True
    ctx.clear_state()
    reg = _invited(ctx, ctx.s.get(Registration, state["registration_id"]))
    if reg is not None:
        decline(ctx, reg, text.strip())
    return True


def _by_ref(ctx: Context, ref: str | None) -> Registration | None:
    if not ref:
        return None
    return ctx.s.execute(select(Registration).where(Registration.number == ref.upper())).scalar_one_or_none()


def accept(ctx: Context, reg: Registration | None) -> None:
    if reg is None:
        return
    before = snapshot(reg)
    reg.joint_status, reg.joint_decided_by_id, reg.joint_decided_at = JointStatus.ACCEPTED, ctx.user.id, ctx.now
    joint_cards.stamp_invites(ctx, reg, t("joint_stamp_accepted", "zh", who=ctx.user.name, when=ctx.fmt(ctx.now)))
    others = [Verdict(**v) for v in reg.verdicts
              if v["outcome"] == NEEDS_APPROVAL and v["rule_id"] != "registration.joint"]
    if others:
        role = "director" if any(v.approver_role == "director" for v in others) else "area_manager"
        customer = ctx.s.get(Customer, reg.customer_id)
        request_approval(ctx, reg, role, customer.region if customer else None, others)
        after = t("joint_now_approval", "zh")
    else:
        grant_protection(ctx, reg)
        after = t("joint_now_protected", "zh", until=ctx.fmt(reg.lock_until, "%Y-%m-%d"))
    ctx.audit("registration.joint_accepted", "registration", reg.number, before=before, after=snapshot(reg))
    partner = ctx.s.get(Partner, reg.joint_partner_id)
    ctx.send(ctx.s.get(User, reg.submitter_id),
             Text(t("joint_accepted_submitter", "zh", number=reg.number, partner=partner.name, who=ctx.user.name,
                    customer=reg.customer_text) + after), key=f"joint-accepted:{reg.id}")
    ctx.reply(Text(t("joint_accepted", ctx.lang, number=reg.number, customer=reg.customer_text)))


def decline(ctx: Context, reg: Registration, reason: str) -> None:
    before = snapshot(reg)
    reg.joint_status, reg.joint_decided_by_id, reg.joint_decided_at = JointStatus.DECLINED, ctx.user.id, ctx.now
    reg.joint_reason = reason[:MAX_REASON_CHARS]
    reg.status, reg.updated_at, reg.decision_reason = RegistrationStatus.REJECTED, ctx.now, reg.joint_reason
    locks.release(ctx, reg)
    joint_cards.stamp_invites(ctx, reg, t("joint_stamp_declined", "zh", who=ctx.user.name, when=ctx.fmt(ctx.now)))
    ctx.audit("registration.joint_declined", "registration", reg.number, before=before, after=snapshot(reg))
    partner = ctx.s.get(Partner, reg.joint_partner_id)
    ctx.send(ctx.s.get(User, reg.submitter_id),
             Text(t("joint_declined_submitter", "zh", number=reg.number, partner=partner.name, who=ctx.user.name,
                    customer=reg.customer_text, reason=reg.joint_reason)), key=f"joint-declined:{reg.id}")
    ctx.reply(Text(t("joint_declined", ctx.lang, number=reg.number)))

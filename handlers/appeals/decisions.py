"""Deciding an appeal, on its card (维持 / 移交 / 共享, or 恢复 after a recall
nobody took over) or typed (`维持 AP…`, `移交 AP… 理由`, `共享 AP…`):

- uphold: the holder keeps the customer (a recall stands);
- transfer (a reason is required): the holder's protection ends and the
  appellant's registration is protected from now for the protection period;
- share: the holder's registration becomes a joint one with the appellant's
  partner, at the rules' share (appeals.share).

Both sides are told; the card becomes a stamp; the decision is audited with
the facts it rested on. Only the decider decides, once."""
from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from chat.context import Context
from chat.messages import CardStamp, Text
from domain.rules import pipeline_checks as checks
from domain.rules.verdict import PASS, Verdict
from domain.rules.words import scope_word
from handlers.appeals.texts import t
from handlers.registration import locks
from handlers.registration.lifecycle import end_protection, lock_registration
from handlers.registration.payload import snapshot
from handlers.registration.register import grant_protection
from models import Appeal, AppealStatus, Customer, JointStatus, Partner, Registration, RegistrationStatus, User

DECISION_RE = re.compile(r"^\s*(维持|移交|恢复|共享|uphold|transfer|restore|share)\s+(AP\d{8}-\d+)\s*(.*)$",
                         re.I | re.S)
ACTIONS = {"维持": "uphold", "uphold": "uphold", "移交": "transfer", "恢复": "transfer", "transfer": "transfer",
           "restore": "transfer", "共享": "share", "share": "share"}
STATUS = {"uphold": AppealStatus.UPHELD, "transfer": AppealStatus.TRANSFERRED, "share": AppealStatus.SHARED}
MAX_REASON_CHARS = 300


def parse_decision(text: str) -> tuple[str, str, str] | None:
    found = DECISION_RE.match(text or "")
    if not found:
        return None
    return ACTIONS[found.group(1).lower()], found.group(2).upper(), found.group(3).strip()


def appeal_for_card(ctx: Context, task_id: str) -> Appeal | None:
    return ctx.s.execute(select(Appeal).where(Appeal.task_id == task_id)).scalar_one_or_none()


def on_card_click(ctx: Context, appeal: Appeal) -> None:
    key = ctx.inbound.card.key
    if key not in STATUS:
        ctx.reply(Text(t("card_gone", ctx.lang)))
        return
    decide(ctx, appeal.id, key, None)


def on_text_decision(ctx: Context, decision: tuple[str, str, str]) -> None:
    action, ref, reason = decision
    appeal = ctx.s.execute(select(Appeal).where(Appeal.number == ref)).scalar_one_or_none()
    if appeal is None:
        ctx.reply(Text(t("appeal_no_such", ctx.lang, ref=ref)))
        return
    decide(ctx, appeal.id, action, reason or None)


def on_reason(ctx: Context, state: dict, text: str) -> bool:
    """The reason a transfer waits for: anything the decider writes (but a lookup)."""
    if len(text.strip()) > MAX_REASON_CHARS:
        ctx.reply(Text(t("reason_too_long", ctx.lang, limit=MAX_REASON_CHARS)))
        return True
    ctx.clear_state()
    decide(ctx, state["appeal_id"], state["action"], text.strip())
    return True


def reason_dropped(ctx: Context, state: dict, ref: str) -> None:
    """The decider tapped or typed something else: the next message is no reason."""
    ctx.clear_state()


def _word(appeal: Appeal, action: str, lang: str) -> str:
    """The decision as read: a transfer with nobody to take it from restores the claim."""
    return t("decision_restored" if action == "transfer" and appeal.holder is None else f"decision_{STATUS[action]}",
             lang)


def decide(ctx: Context, appeal_id: int, action: str, reason: str | None) -> None:
    lang = ctx.lang
    appeal = ctx.s.execute(select(Appeal).where(Appeal.id == appeal_id).with_for_update()
                           .execution_options(populate_existing=True)).scalar_one()
    if ctx.user.id != appeal.decider_id:
        ctx.audit("appeal.refused", "appeal", appeal.number, after={"by": ctx.user.external_id, "action": action})
        ctx.reply(Text(t("appeal_not_decider", lang, appeal=appeal.number, who=appeal.decider.name)))
        return
    if appeal.status != AppealStatus.PENDING:
        who = ctx.s.get(User, appeal.decided_by_id)
        ctx.reply(Text(t("appeal_decided_already", lang, appeal=appeal.number, who=who.name,
                         when=ctx.fmt(appeal.decided_at), decision=t(f"decision_{appeal.status}", lang))))
        return
    if action == "share" and appeal.holder is None:
        ctx.reply(Text(t("appeal_no_share", lang, appeal=appeal.number)))
        return
    if action == "transfer" and not reason:
        ctx.set_state({"flow": "appeal_reason", "appeal_id": appeal.id, "action": action})
        ctx.reply(Text(t("appeal_ask_reason", lang, decision=_word(appeal, action, lang), appeal=appeal.number)))
        return
    # Both claims are locked before either changes: the customer row first, as every claim does.
    ctx.s.execute(select(Customer.id).where(Customer.id == appeal.customer_id).with_for_update())
    reg = lock_registration(ctx, appeal.registration_id)
    holder = lock_registration(ctx, appeal.holder_registration_id) if appeal.holder_registration_id else None
    if action == "transfer" and not _transfer(ctx, appeal, reg, holder):
        return
    if action == "share" and not _share(ctx, appeal, holder):
        return
    word = _word(appeal, action, "zh")
    appeal.status, appeal.decided_by_id, appeal.decided_at = STATUS[action], ctx.user.id, ctx.now
    appeal.decision_reason = reason
    verdict = Verdict("appeals.decision", PASS, STATUS[action].upper(), t("appeal_done", "zh", appeal=appeal.number,
                                                                         decision=word),
                      {"appeal": appeal.number, "registration": reg.number, "holder": holder.number if holder else None,
                       "decision": STATUS[action], "reason": reason,
                       "share": str(appeal.share) if appeal.share is not None else None})
    ctx.audit("appeal.decided", "appeal", appeal.number, before={"status": AppealStatus.PENDING},
              after={"status": appeal.status, "by": ctx.user.external_id, "reason": reason},
              verdicts=[verdict.to_dict()])
    ctx.send(ctx.user, CardStamp(appeal.task_id, t("appeal_stamp", "zh", decision=word, who=ctx.user.name,
                                                   when=ctx.fmt(ctx.now))), key=f"stamp:{appeal.task_id}")
    _tell_both(ctx, appeal, reg, holder, action, reason)
    ctx.reply(Text(t("appeal_done", lang, appeal=appeal.number, decision=_word(appeal, action, lang))))


def _transfer(ctx: Context, appeal: Appeal, reg: Registration, holder: Registration | None) -> bool:
    """Move the protection to the appellant; False (and the decider told why)
    when a third claim now stands in the way."""
    scope = ctx.rules.registration.conflict_scope
    keys = locks.scope_keys(scope, reg.product_lines, reg.department)
    other = locks.holder(ctx, reg.customer_id, keys, scope, reg.partner_id)
    if other is not None and (holder is None or other.registration_number != holder.number):
        ctx.reply(Text(t("appeal_cannot_transfer", ctx.lang, customer=appeal.customer.name, holder=other.partner_name,
                         number=other.registration_number, scope=scope_word(other.scope_key, ctx.lang))))
        return False
    if holder is not None and holder.is_open:
        before = snapshot(holder)
        end_protection(ctx, holder, RegistrationStatus.TRANSFERRED)
        ctx.audit("registration.transferred", "registration", holder.number, before=before, after=snapshot(holder))
    before = snapshot(reg)
    reg.ended_at, reg.decision_reason, reg.decided_by_id = None, None, ctx.user.id
    grant_protection(ctx, reg)
    locks.take(ctx, reg, reg.customer_id, keys)
    ctx.audit("registration.reinstated", "registration", reg.number, before=before, after=snapshot(reg))
    return True


def _share(ctx: Context, appeal: Appeal, holder: Registration) -> bool:
    """The holder's deal becomes a joint one with the appellant's partner."""
    if not holder.is_open or (holder.joint_partner_id not in (None, appeal.partner_id)
                              and holder.joint_status != JointStatus.DECLINED):
        ctx.reply(Text(t("appeal_cannot_transfer", ctx.lang, customer=appeal.customer.name,
                         holder=ctx.s.get(Partner, holder.partner_id).name, number=holder.number,
                         scope=t("decision_shared", ctx.lang))))
        return False
    before = snapshot(holder)
    share = ctx.rules.appeals.share
    holder.joint_partner_id, holder.joint_status = appeal.partner_id, JointStatus.ACCEPTED
    holder.joint_decided_by_id, holder.joint_decided_at = ctx.user.id, ctx.now
    holder.partner_share = Decimal(1) - share
    appeal.share = share
    ctx.audit("registration.shared", "registration", holder.number, before=before,
              after={**snapshot(holder), "joint_partner_id": appeal.partner_id, "partner_share": str(1 - share)})
    return True


def _tell_both(ctx: Context, appeal: Appeal, reg: Registration, holder: Registration | None, action: str,
               reason: str | None) -> None:
    why = t("appeal_reason_line", "zh", reason=reason) if reason else ""
    status = STATUS[action]
    holder_partner = ctx.s.get(Partner, holder.partner_id).name if holder else ""
    facts = {"appeal": appeal.number, "who": ctx.user.name, "customer": appeal.customer.name, "holder": holder_partner,
             "partner": appeal.partner.name, "reason": why, "share": checks.percent(appeal.share or 0),
             "until": ctx.fmt(reg.lock_until, "%Y-%m-%d") if reg.lock_until else ""}
    appellant_key = f"appeal_told_{status}_appellant" if holder or status != AppealStatus.UPHELD \
        else "appeal_told_upheld_recalled"
    number = holder.number if holder and status == AppealStatus.SHARED else reg.number
    ctx.send(ctx.s.get(User, appeal.requester_id), Text(t(appellant_key, "zh", number=number, **facts)),
             key=f"appeal-decided:{appeal.id}:appellant")
    if holder is not None:
        ctx.send(ctx.s.get(User, holder.submitter_id),
                 Text(t(f"appeal_told_{status}_holder", "zh", number=holder.number, **facts)),
                 key=f"appeal-decided:{appeal.id}:holder")

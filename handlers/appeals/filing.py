"""申诉 RG… 理由 …: a partner refused because another held the customer, or
whose claim was recalled, appeals within the rules' window; one appeal per
refusal. The area manager decides — the director when the area manager is a
party (decided either claim, or owns the key account) — and gets one card
with the evidence bundle (and the bundle as a message and a workbook). The
holder is told an appeal is running; photos sent next are evidence."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from chat.context import Context
from chat.messages import Button, ButtonStyle, Card, File, Markdown, Text
from domain.language import Parsed
from domain.rules import pipeline_checks as checks
from domain.rules.verdict import REJECT
from domain.rules.words import role_word, rule_name
from handlers.appeals import evidence, workbook
from handlers.appeals.texts import t
from handlers.approvals.routing import approver_for, director, stand_in
from handlers.registration import key_accounts, locks
from handlers.registration.ownership import own_registration
from models import Appeal, AppealStatus, Customer, Partner, Registration, RegistrationStatus, User

MAX_REASON_CHARS = 500
# Row priorities on the card (chat.messages.Row): the two sides always show.
ALWAYS, ESSENTIAL = 3, 2


def grounds_of(ctx: Context, reg: Registration) -> tuple[str, object, Registration | None] | None:
    """Why the registration may be appealed, since when, and the other side's
    claim: refused because another held the customer, or recalled."""
    if reg.status == RegistrationStatus.REJECTED:
        # Refused for the holder alone: a claim also outside its territory (say) has
        # nothing an appeal could give it.
        refusals = [v for v in reg.verdicts if v["outcome"] == REJECT]
        held = refusals[0] if len(refusals) == 1 and refusals[0]["reason_code"] == "HELD_BY_OTHER" else None
        if held is None:
            return None
        holder = ctx.s.execute(select(Registration).where(
            Registration.number == held["facts"]["holder_registration"])).scalar_one_or_none()
        return "conflict", reg.received_at, holder
    if reg.status == RegistrationStatus.RECALLED:
        scope = ctx.rules.registration.conflict_scope
        now_held = locks.holder(ctx, reg.customer_id, locks.scope_keys(scope, reg.product_lines, reg.department),
                                scope, reg.partner_id)
        holder = ctx.s.execute(select(Registration).where(
            Registration.number == now_held.registration_number)).scalar_one() if now_held else None
        return "recalled", reg.ended_at or reg.updated_at, holder
    return None


def decider_for(ctx: Context, reg: Registration, holder: Registration | None) -> tuple[User, User | None]:
    """(who decides, on whose behalf): the area manager of the customer's
    region, or the director when that manager is a party to the dispute."""
    customer = ctx.s.get(Customer, reg.customer_id)
    manager = approver_for(ctx, ctx.rules.appeals.approver, customer.region if customer else None)
    owner = key_accounts.owner_of(ctx, key_accounts.account_for(ctx, customer)) if customer else None
    parties = {reg.decided_by_id, reg.submitter_id, owner.id if owner else None}
    if holder is not None:
        parties |= {holder.decided_by_id, holder.submitter_id}
    if manager.id in parties:
        manager = director(ctx)
    user, on_behalf = stand_in(ctx, manager)
    if on_behalf is not None and user.id in parties:
        return manager, None            # a stand-in who is a party does not decide it either
    return user, on_behalf


def file_appeal(ctx: Context, parsed: Parsed) -> None:
    lang = ctx.lang
    if not parsed.ref:
        ctx.reply(Text(t("appeal_need_ref", lang)))
        return
    reg = own_registration(ctx, parsed.ref)
    if reg is None:
        return
    found = grounds_of(ctx, reg)
    grounds, refused_at, holder = found if found else ("conflict", None, None)
    earlier = ctx.s.execute(select(Appeal.number).where(Appeal.registration_id == reg.id)).scalar()
    verdict = checks.appeal_window(ctx.rules.appeals, refused_at, grounds, earlier, ctx.now, ctx.fmt, lang)
    if verdict.outcome == REJECT:
        ctx.reply(Text(t("appeal_refused", lang, rule_name=rule_name(verdict.rule_id, lang), rule=verdict.rule_id,
                         message=verdict.message, next_step=verdict.next_step)))
        return
    reason = (parsed.note or "").strip()
    if not reason:
        ctx.reply(Text(t("appeal_usage", lang, number=reg.number)))
        return
    if len(reason) > MAX_REASON_CHARS:
        ctx.reply(Text(t("appeal_reason_too_long", lang, limit=MAX_REASON_CHARS)))
        return
    decider, on_behalf = decider_for(ctx, reg, holder)
    appeal = Appeal(registration_id=reg.id, holder_registration_id=holder.id if holder else None,
                    customer_id=reg.customer_id, partner_id=reg.partner_id, requester_id=ctx.user.id,
                    grounds=grounds, refused_at=refused_at, reason=reason, status=AppealStatus.PENDING,
                    decider_id=decider.id, on_behalf_of_id=on_behalf.id if on_behalf else None,
                    task_id=f"ap-{reg.id}-{secrets.token_hex(6)}", created_at=ctx.now)
    ctx.s.add(appeal)
    ctx.s.flush()
    appeal.number = f"AP{ctx.clock.local(ctx.now):%Y%m%d}-{appeal.id:04d}"
    ctx.audit("appeal.filed", "appeal", appeal.number,
              after={"registration": reg.number, "holder": holder.number if holder else None, "grounds": grounds,
                     "reason": reason, "decider": decider.external_id}, verdicts=[verdict.to_dict()])
    send_to_decider(ctx, appeal)
    decider_words = f"{role_word('director' if decider.role == 'director' else 'area_manager', lang)} {decider.name}"
    if holder is not None:
        ctx.send(ctx.s.get(User, holder.submitter_id),
                 Text(t("appeal_holder_told", "zh", partner=appeal.partner.name, customer=appeal.customer.name,
                        appeal=appeal.number, number=holder.number, decider=decider_words)),
                 key=f"appeal-filed:{appeal.id}")
    rules = ctx.rules.appeals
    if rules.max_photos:
        ctx.set_state({"flow": "appeal_evidence", "appeal_id": appeal.id})
    ctx.reply(Text(t("appeal_filed", lang, appeal=appeal.number, number=reg.number, decider=decider_words,
                     minutes=ctx.svc.conversation_ttl_s // 60, max=rules.max_photos)))


def send_to_decider(ctx: Context, appeal: Appeal) -> None:
    """The bundle as a message, the card to decide on, the workbook for the files."""
    bundle = evidence.for_appeal(ctx, appeal)
    roles = [t("role_appellant", "zh"), t("role_holder", "zh")]
    decider = ctx.s.get(User, appeal.decider_id)
    ctx.send(decider, Markdown(evidence.message(ctx, bundle, roles, t)), key=f"appeal-bundle:{appeal.id}")
    ctx.send(decider, card(ctx, appeal, bundle), key=f"card:{appeal.task_id}")
    ctx.send(decider, File(workbook.stored(ctx, bundle).id), key=f"appeal-file:{appeal.id}")


def card(ctx: Context, appeal: Appeal, bundle: evidence.Bundle) -> Card:
    appellant = bundle.sides[0]
    holder = bundle.sides[1] if len(bundle.sides) > 1 else None
    rows = [("客户", appeal.customer.name, ESSENTIAL),
            ("申诉方", _side(ctx, appellant), ALWAYS),
            ("持有方", _side(ctx, holder) if holder else t("bundle_none", "zh"), ALWAYS),
            ("申诉方证据", _evidence(ctx, appellant), ALWAYS),
            ("持有方证据", _evidence(ctx, holder) if holder else t("bundle_none", "zh"), ALWAYS),
            ("申诉理由", appeal.reason, ESSENTIAL)]
    if holder is not None:
        buttons = (Button("uphold", "维持", ButtonStyle.DEFAULT), Button("transfer", "移交", ButtonStyle.DANGER),
                   Button("share", "共享", ButtonStyle.PRIMARY))
        note = t("appeal_card_note", "zh", share=checks.percent(ctx.rules.appeals.share))
    else:
        buttons = (Button("uphold", "维持", ButtonStyle.DEFAULT), Button("transfer", "恢复", ButtonStyle.PRIMARY))
        note = t("appeal_card_note_alone", "zh")
    requester = ctx.s.get(User, appeal.requester_id)
    if appeal.on_behalf_of_id:
        note = f"代 {ctx.s.get(User, appeal.on_behalf_of_id).name} 裁决；" + note
    return Card(task_id=appeal.task_id, title=t("appeal_card_title", "zh", appeal=appeal.number),
                desc=t("appeal_card_desc", "zh", partner=ctx.s.get(Partner, appeal.partner_id).name,
                       who=requester.name, customer=appeal.customer.name),
                rows=tuple(rows), buttons=buttons, note=note)


def _side(ctx: Context, side: evidence.Side) -> str:
    # The number carries the day; the time to the second is what first-come turned on.
    return t("card_side", "zh", partner=side.partner.name[:4], number=side.registration.number,
             received=ctx.fmt(side.registration.received_at, "%H:%M:%S"))


def _evidence(ctx: Context, side: evidence.Side) -> str:
    doubt = evidence.doubtful(ctx, side)
    return t("card_side_evidence", "zh", follow_ups=len(side.follow_ups), visits=len(side.visits),
             doubt=f"(存疑{doubt})" if doubt else "", photos="")

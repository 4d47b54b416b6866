"""The chosen partner answers a lead: 接受 turns it into a registration (the
registration capability checks and protects it as any 报备), 放弃 asks why and
hands it on; no answer within the SLA hands it on too (the sweep). A deal
made of a lead that is recalled for lack of follow-up hands the lead on."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from chat import sweeps
from chat.context import Context, Services
from chat.messages import Text
from domain.language import Parsed
from domain.money import json_money
from handlers.leads.assign import current_offer, dealers, hand_out, lock_lead, snapshot, stamp
from handlers.leads.texts import t
from handlers.registration.register import register
from models import Lead, LeadOffer, LeadStatus, OfferOutcome, Registration, RegistrationStatus, User

MAX_REASON_CHARS = 300
DECLINE_FLOW = "lead_decline"
_TASK = re.compile(r"^ld-(\d+)-o(\d+)-u(\d+)$")
_NUMBER = re.compile(r"LD\d{8}-\d{4,}", re.IGNORECASE)


def offer_for_task(ctx: Context, task: str) -> LeadOffer | None:
    found = _TASK.match(task or "")
    return ctx.s.get(LeadOffer, int(found.group(2))) if found else None


def _waiting(ctx: Context, offer: LeadOffer | None, ref: str = "") -> tuple[Lead, LeadOffer] | None:
    """The lead (locked) if this offer still waits for the sender's partner."""
    lead = ctx.s.get(Lead, offer.lead_id) if offer is not None else None
    if lead is None or ctx.user is None or ctx.user.partner_id != offer.partner_id:
        ctx.reply(Text(t("not_yours", ctx.lang, ref=ref or (lead.number if lead else ""))))
        return None
    lead = lock_lead(ctx, lead.id)
    offer = ctx.s.get(LeadOffer, offer.id)
    if offer.outcome != OfferOutcome.PENDING or lead.status != LeadStatus.OFFERED:
        ctx.reply(Text(t("not_yours", ctx.lang, ref=lead.number)))
        return None
    return lead, offer


def on_card_click(ctx: Context, offer: LeadOffer) -> None:
    found = _waiting(ctx, offer)
    if found is None:
        return
    if ctx.inbound.card.key == "accept":
        accept(ctx, *found)
    elif ctx.inbound.card.key == "decline":
        ask_reason(ctx, *found)
    else:
        ctx.reply(Text(t("card_gone", ctx.lang)))


def _by_ref(ctx: Context, ref: str | None) -> LeadOffer | None:
    """The pending offer of the lead numbered ``ref`` (None: the sender's only waiting one)."""
    if ref:
        lead = ctx.s.execute(select(Lead).where(Lead.number == ref.upper())).scalar_one_or_none()
        return current_offer(ctx, lead) if lead is not None else None
    if ctx.user is None or ctx.user.partner_id is None:
        return None
    rows = ctx.s.execute(select(LeadOffer).where(LeadOffer.partner_id == ctx.user.partner_id,
                                                 LeadOffer.outcome == OfferOutcome.PENDING)).scalars().all()
    return rows[0] if len(rows) == 1 else None


def ref_in(ctx: Context, parsed: Parsed) -> str | None:
    found = _NUMBER.search(ctx.inbound.text or "") if ctx.inbound else None
    return found.group().upper() if found else parsed.ref


def accept_command(ctx: Context, parsed: Parsed) -> None:
    ref = ref_in(ctx, parsed)
    found = _waiting(ctx, _by_ref(ctx, ref), ref or "")
    if found is not None:
        accept(ctx, *found)


def decline_command(ctx: Context, parsed: Parsed) -> None:
    ref = ref_in(ctx, parsed)
    found = _waiting(ctx, _by_ref(ctx, ref), ref or "")
    if found is None:
        return
    text = (ctx.inbound.text or "")
    reason = _NUMBER.split(text, maxsplit=1)[-1].strip() if ref and _NUMBER.search(text) else ""
    if not reason:
        ask_reason(ctx, *found)
        return
    decline(ctx, *found, reason)


def ask_reason(ctx: Context, lead: Lead, offer: LeadOffer) -> None:
    ctx.set_state({"flow": DECLINE_FLOW, "offer_id": offer.id})
    ctx.reply(Text(t("ask_reason", ctx.lang, number=lead.number)))


def on_reason(ctx: Context, state: dict, text: str) -> bool:
    if len(text.strip()) > MAX_REASON_CHARS:
        ctx.reply(Text(t("reason_too_long", ctx.lang, limit=MAX_REASON_CHARS)))
        return True
    ctx.clear_state()
    found = _waiting(ctx, ctx.s.get(LeadOffer, state["offer_id"]))
    if found is not None:
        decline(ctx, *found, text.strip())
    return True


def decline(ctx: Context, lead: Lead, offer: LeadOffer, reason: str) -> None:
    before = snapshot(lead)
    offer.outcome, offer.reason = OfferOutcome.DECLINED, reason[:MAX_REASON_CHARS]
    offer.decided_at, offer.decided_by_id = ctx.now, ctx.user.id
    ctx.audit("lead.declined", "lead", lead.number, before=before,
              after={**snapshot(lead), "offer": offer.id, "reason": offer.reason})
    stamp(ctx, offer, t("stamp_declined", "zh", who=ctx.user.name, when=ctx.fmt(ctx.now)))
    ctx.reply(Text(t("declined", ctx.lang, number=lead.number, reason=offer.reason)))
    hand_out(ctx, lead, "declined")


def accept(ctx: Context, lead: Lead, offer: LeadOffer) -> None:
    """The partner takes the lead: registered at once (the rules decide as for any
    报备: protected, waiting for approval, or refused with the reason)."""
    before = snapshot(lead)
    offer.outcome, offer.decided_at, offer.decided_by_id = OfferOutcome.ACCEPTED, ctx.now, ctx.user.id
    stamp(ctx, offer, t("stamp_accepted", "zh", who=ctx.user.name, when=ctx.fmt(ctx.now)))
    last = ctx.s.execute(select(func.max(Registration.id))).scalar() or 0
    ctx.clear_state()
    register(ctx, {"customer": lead.customer_text, "candidates": [], "credit_code": None,
                   "products": [{"word": lead.product_line, "sku": None, "qty": None}],
                   "amount_yuan": json_money(lead.amount_yuan), "amount_doubt": None, "close_date": None,
                   "department": None, "co_partner": None, "note": f"线索 {lead.number}",
                   # the manufacturer named the customer: a lookalike goes on its contest card, no question first
                   "lookalike_confirmed": True})
    ctx.clear_state()       # a registration question left waiting would take the partner's next message
    reg = ctx.s.execute(select(Registration).where(Registration.id > last, Registration.submitter_id == ctx.user.id)
                        .order_by(Registration.id.desc())).scalars().first()
    lead.updated_at, lead.due_at = ctx.now, None
    if reg is not None and reg.status in (RegistrationStatus.APPROVED, RegistrationStatus.PENDING):
        lead.status, lead.registration_id, lead.customer_id = LeadStatus.CONVERTED, reg.id, reg.customer_id
        offer.registration_id = reg.id
        ctx.reply(Text(t("accepted_converted", ctx.lang, number=lead.number, reg=reg.number)))
    else:
        lead.status = LeadStatus.ACCEPTED
        ctx.reply(Text(t("accepted_refused", ctx.lang, number=lead.number)))
    ctx.audit("lead.accepted", "lead", lead.number, before=before,
              after={**snapshot(lead), "offer": offer.id, "registration": reg.number if reg else None})


# ---- on a clock and on news ----------------------------------------------------

def sweep(svc: Services) -> dict[str, int]:
    """New leads handed out; offers past their SLA handed on."""
    def due(ctx: Context) -> list[int]:
        return list(ctx.s.execute(select(Lead.id).where(
            (Lead.status == LeadStatus.NEW) | ((Lead.status == LeadStatus.OFFERED) & (Lead.due_at <= ctx.now)))
            .order_by(Lead.id)).scalars())
    return sweeps.each(svc, sweeps.read(svc, due), _one, outcomes=("handed_out", "timed_out"))


def _one(ctx: Context, lead_id: int) -> str | None:
    lead = lock_lead(ctx, lead_id)
    if lead.status == LeadStatus.NEW:
        # Written by an import (no chat context there): its own audit event before it is handed out.
        ctx.audit("lead.created", "lead", lead.number, after={**snapshot(lead), "channel": lead.channel,
                                                              "source": lead.source, "contact": lead.contact})
        hand_out(ctx, lead, "new")
        return "handed_out"
    if lead.status != LeadStatus.OFFERED or lead.due_at is None or lead.due_at > ctx.now:
        return None
    offer = current_offer(ctx, lead)
    before = snapshot(lead)
    if offer is not None:
        offer.outcome, offer.decided_at = OfferOutcome.TIMED_OUT, ctx.now
        stamp(ctx, offer, t("stamp_timed_out", "zh", when=ctx.fmt(ctx.now)))
        for user in dealers(ctx, offer.partner_id):
            ctx.send(user, Text(t("timed_out_partner", ctx.lang_of(user), number=lead.number,
                                  customer=lead.customer_text, sla=_sla_words(ctx, ctx.lang_of(user)))),
                     key=f"lead-timeout:{offer.id}:{user.id}")
    ctx.audit("lead.timed_out", "lead", lead.number, before=before, after={**snapshot(lead),
                                                                            "offer": offer.id if offer else None})
    hand_out(ctx, lead, "timed_out")
    return "timed_out"


def _sla_words(ctx: Context, lang: str) -> str:
    sla = ctx.rules.leads.sla
    if lang != "en":
        return sla.words()
    return f"{sla.hours:g} {'working ' if sla.working else ''}hours"


def on_registration_recalled(ctx: Context, facts: dict) -> None:
    """A deal made of a lead was recalled (no follow-up): the lead goes to the next partner."""
    lead = ctx.s.execute(select(Lead).where(Lead.registration_id == facts["registration_id"],
                                            Lead.status == LeadStatus.CONVERTED)).scalar_one_or_none()
    if lead is None:
        return
    lead = lock_lead(ctx, lead.id)
    before = snapshot(lead)
    offer = ctx.s.execute(select(LeadOffer).where(LeadOffer.lead_id == lead.id,
                                                  LeadOffer.registration_id == facts["registration_id"])
                          ).scalars().first()
    if offer is not None:
        offer.outcome = OfferOutcome.RECALLED
    reg = ctx.s.get(Registration, facts["registration_id"])
    lead.registration_id = None
    ctx.audit("lead.recalled", "lead", lead.number, before=before,
              after={**snapshot(lead), "registration": reg.number})
    holder = ctx.s.get(User, reg.submitter_id)
    ctx.send(holder, Text(t("recalled_partner", ctx.lang_of(holder), number=lead.number, customer=lead.customer_text,
                            reg=reg.number)), key=f"lead-recalled:{lead.id}:{reg.id}")
    hand_out(ctx, lead, "recalled")


def on_registration_won(ctx: Context, facts: dict) -> None:
    lead = ctx.s.execute(select(Lead).where(Lead.registration_id == facts["registration_id"],
                                            Lead.status == LeadStatus.CONVERTED)).scalar_one_or_none()
    if lead is None:
        return
    before = snapshot(lead)
    lead.status, lead.updated_at = LeadStatus.CLOSED, ctx.now
    ctx.audit("lead.won", "lead", lead.number, before=before, after=snapshot(lead))

"""我的线索 (a partner's leads) and 线索 统计 (managers: assigned, accepted,
converted, recalled, by partner)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, or_, select

from chat.context import Context
from chat.messages import Markdown, Text
from domain.language import Parsed
from domain.wording import yuan
from handlers.leads.texts import t
from models import MANAGING_ROLES, Lead, LeadOffer, LeadStatus, OfferOutcome, Partner, Registration, Role

SHOWN = 20


def my_leads(ctx: Context) -> None:
    lang = ctx.lang
    if ctx.user is None or ctx.user.partner_id is None:
        ctx.reply(Text(t("mine_none", lang)))
        return
    mine = select(LeadOffer.lead_id).where(LeadOffer.partner_id == ctx.user.partner_id,
                                           LeadOffer.outcome.in_((OfferOutcome.PENDING, OfferOutcome.ACCEPTED)))
    leads = ctx.s.execute(select(Lead).where(Lead.id.in_(mine), or_(Lead.partner_id == ctx.user.partner_id,
                                                                    Lead.status == LeadStatus.CLOSED))
                          .order_by(Lead.id.desc()).limit(SHOWN)).scalars().all()
    if not leads:
        ctx.reply(Text(t("mine_none", lang)))
        return
    lines = [t("mine_header", lang, n=len(leads))]
    for lead in leads:
        reg = ctx.s.get(Registration, lead.registration_id) if lead.registration_id else None
        facts = {"number": lead.number, "customer": lead.customer_text, "line": lead.product_line or "-",
                 "amount": yuan(lead.amount_yuan, lang), "reg": reg.number if reg else ""}
        if lead.status == LeadStatus.OFFERED:
            lines.append("- " + t("mine_line_offered", lang, due=ctx.fmt(lead.due_at, "%m-%d %H:%M"), **facts))
        elif lead.status == LeadStatus.CONVERTED:
            lines.append("- " + t("mine_line_converted", lang, **facts))
        elif lead.status == LeadStatus.CLOSED:
            lines.append("- " + t("mine_line_closed", lang, **facts))
        else:
            lines.append("- " + t("mine_line_accepted", lang, **facts))
    lines.append(t("mine_hint", lang))
    ctx.reply(Markdown("\n".join(lines)))


def stats(ctx: Context, parsed: Parsed) -> None:
    lang = ctx.lang
    if ctx.user is None or ctx.user.role not in MANAGING_ROLES:
        ctx.reply(Text(t("stats_managers_only", lang)))
        return
    region_filter = ctx.user.role == Role.MANAGER and ctx.user.regions
    q = select(Lead)
    if region_filter:
        q = q.where(Lead.region.in_(ctx.user.regions))
    leads = ctx.s.execute(q).scalars().all()
    if not leads:
        ctx.reply(Text(t("stats_none", lang)))
        return
    by_status = Counter(lead.status for lead in leads)
    ids = [lead.id for lead in leads]
    per: dict[int, Counter] = {}
    for pid, outcome, reg_id, n in ctx.s.execute(
            select(LeadOffer.partner_id, LeadOffer.outcome, LeadOffer.registration_id, func.count())
            .where(LeadOffer.lead_id.in_(ids))
            .group_by(LeadOffer.partner_id, LeadOffer.outcome, LeadOffer.registration_id)).tuples():
        c = per.setdefault(pid, Counter())
        c["offered"] += n
        if outcome in (OfferOutcome.ACCEPTED, OfferOutcome.RECALLED):
            c["accepted"] += n
        if reg_id is not None:
            c["converted"] += n
        if outcome in (OfferOutcome.DECLINED, OfferOutcome.TIMED_OUT, OfferOutcome.RECALLED):
            c[outcome] += n
    lines = [t("stats_header", lang, total=len(leads), new=by_status[LeadStatus.NEW],
               offered=by_status[LeadStatus.OFFERED],
               converted=by_status[LeadStatus.CONVERTED] + by_status[LeadStatus.CLOSED],
               manager=by_status[LeadStatus.MANAGER])]
    for pid, c in sorted(per.items(), key=lambda kv: -kv[1]["offered"]):
        lines.append("- " + t("stats_line", lang, partner=ctx.s.get(Partner, pid).name, offered=c["offered"],
                              accepted=c["accepted"], declined=c["declined"], timed_out=c["timed_out"],
                              recalled=c["recalled"], converted=c["converted"]))
    ctx.reply(Markdown("\n".join(lines)))

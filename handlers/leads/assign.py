"""Handing a lead out: rank the qualifying partners (region and product line
first, then grade, open load and recent win rate, weighted by the rules),
offer it to the best one not tried yet with a card (接受 / 放弃), and when
nobody (more) qualifies — or the rules' number of offers is used up — give
it to the area manager. Every step is in the audit trail."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from chat.context import Context
from chat.messages import Button, ButtonStyle, Card, CardStamp, Text
from domain.rules.leads import Candidate, rank
from domain.wording import yuan
from handlers.approvals.routing import approver_for
from handlers.leads.texts import t
from models import (
    OPEN_STATUSES,
    Lead,
    LeadOffer,
    LeadStatus,
    OfferOutcome,
    Partner,
    Registration,
    RegistrationStatus,
    Role,
    User,
)

OPEN_LEADS = (LeadStatus.OFFERED, LeadStatus.ACCEPTED, LeadStatus.CONVERTED)


def snapshot(lead: Lead) -> dict:
    return {"number": lead.number, "status": lead.status, "partner_id": lead.partner_id, "offers": lead.offers,
            "customer": lead.customer_text, "region": lead.region, "product_line": lead.product_line,
            "amount_yuan": str(lead.amount_yuan) if lead.amount_yuan is not None else None,
            "registration_id": lead.registration_id, "manager_id": lead.manager_id,
            "due_at": lead.due_at.isoformat() if lead.due_at else None}


def candidates(ctx: Context) -> list[Candidate]:
    """Every partner with its facts: open deals and leads, deals won and decided lately."""
    s = ctx.s
    since = ctx.now - timedelta(days=ctx.rules.leads.win_rate_days)
    open_regs = dict(s.execute(select(Registration.partner_id, func.count()).where(
        Registration.status.in_(OPEN_STATUSES)).group_by(Registration.partner_id)).tuples().all())
    open_leads = dict(s.execute(select(Lead.partner_id, func.count()).where(
        Lead.status.in_((LeadStatus.OFFERED, LeadStatus.ACCEPTED))).group_by(Lead.partner_id)).tuples().all())
    decided: dict[int, list[int]] = {}
    for pid, status, n in s.execute(select(Registration.partner_id, Registration.status, func.count()).where(
            Registration.status.in_((RegistrationStatus.WON, RegistrationStatus.LOST)),
            Registration.closed_at >= since).group_by(Registration.partner_id, Registration.status)).tuples():
        won_decided = decided.setdefault(pid, [0, 0])
        won_decided[1] += n
        if status == RegistrationStatus.WON:
            won_decided[0] += n
    out = []
    for p in s.execute(select(Partner).where(Partner.direct.is_(False)).order_by(Partner.id)).scalars():
        won, total = decided.get(p.id, (0, 0))
        out.append(Candidate(partner_id=p.id, name=p.name, regions=tuple(p.regions or ()),
                             product_lines=tuple(p.product_lines or ()), tier=p.tier,
                             open_load=open_regs.get(p.id, 0) + open_leads.get(p.id, 0), won=won, decided=total))
    return out


def tried(ctx: Context, lead: Lead) -> list[int]:
    return list(ctx.s.execute(select(LeadOffer.partner_id).where(LeadOffer.lead_id == lead.id)
                              .order_by(LeadOffer.id)).scalars())


def due_after(ctx: Context, start):
    sla = ctx.rules.leads.sla
    if sla.working:
        return ctx.rules.approvals.calendar.add_working(start, sla.hours * 3600)
    return start + timedelta(hours=sla.hours)


def hand_out(ctx: Context, lead: Lead, why: str) -> Partner | None:
    """Offer the lead to the best partner not tried yet (or to the area manager).
    ``why``: what made it move (new, declined, timed_out, recalled) for the audit."""
    before = snapshot(lead)
    rules = ctx.rules.leads
    done = tried(ctx, lead)
    ranking = rank(rules, candidates(ctx), lead.region, lead.product_line, exclude=set(done))
    now = ctx.now
    lead.updated_at = now
    if not ranking or len(done) >= rules.max_offers:
        _to_manager(ctx, lead, done)
        ctx.audit("lead.to_manager", "lead", lead.number, before=before, after={**snapshot(lead), "why": why},
                  verdicts=[_verdict(ranking, done, None)])
        return None
    best = ranking[0]
    partner = ctx.s.get(Partner, best.candidate.partner_id)
    offer_to(ctx, lead, partner, str(best.score), [r.to_dict() for r in ranking[:5]])
    ctx.audit("lead.offered", "lead", lead.number, before=before,
              after={**snapshot(lead), "why": why}, verdicts=[_verdict(ranking, done, best)])
    return partner


def offer_to(ctx: Context, lead: Lead, partner: Partner, score: str | None, ranking: list[dict]) -> LeadOffer:
    """The partner's turn: the SLA starts, each of its dealers gets the card. The caller audits."""
    now = ctx.now
    lead.offers += 1
    lead.status, lead.partner_id, lead.updated_at = LeadStatus.OFFERED, partner.id, now
    lead.due_at = due_after(ctx, now)
    offer = LeadOffer(lead_id=lead.id, partner_id=partner.id, round=lead.offers, score=score, ranking=ranking,
                      outcome=OfferOutcome.PENDING, offered_at=now, due_at=lead.due_at)
    ctx.s.add(offer)
    ctx.s.flush()
    for user in dealers(ctx, partner.id):
        card = _card(ctx, lead, offer, user)
        ctx.send(user, card, key=f"card:{card.task_id}")
    return offer


def _verdict(ranking, done: list[int], best) -> dict:
    """Why this partner (or nobody): the ranking as the rules scored it."""
    return {"rule_id": "leads.assignment", "reason_code": "OFFERED" if best else "NO_CANDIDATE",
            "outcome": "pass" if best else "needs_approval",
            "facts": {"ranking": [r.to_dict() for r in ranking[:5]], "tried": done},
            "message": f"best: {best.candidate.name} ({best.score})" if best else "no qualifying partner left"}


def _to_manager(ctx: Context, lead: Lead, done: list[int]) -> None:
    role = ctx.rules.leads.fallback
    manager = approver_for(ctx, role, lead.region)
    lead.status, lead.partner_id, lead.due_at, lead.manager_id = LeadStatus.MANAGER, None, None, manager.id
    names = [ctx.s.get(Partner, pid).name for pid in dict.fromkeys(done)]
    lang = ctx.lang_of(manager)
    why = t("why_tried", lang, partners="、".join(names)) if names else ""
    ctx.send(manager, Text(t("to_manager", lang, number=lead.number, customer=lead.customer_text,
                             line=lead.product_line or "-", amount=yuan(lead.amount_yuan, lang),
                             region=lead.region or t("unknown_region", lang), why=why)),
             key=f"lead-manager:{lead.id}:{lead.offers}")


def dealers(ctx: Context, partner_id: int) -> list[User]:
    return list(ctx.s.execute(select(User).where(User.partner_id == partner_id, User.role == Role.DEALER)
                              .order_by(User.id)).scalars())


def task_id(offer: LeadOffer, user: User) -> str:
    return f"ld-{offer.lead_id}-o{offer.id}-u{user.id}"


def _card(ctx: Context, lead: Lead, offer: LeadOffer, user: User) -> Card:
    due = ctx.fmt(offer.due_at, "%Y-%m-%d %H:%M")
    rows = [("客户", lead.customer_text), ("地区", lead.region or "-"), ("产品线", lead.product_line or "-"),
            ("预计金额", yuan(lead.amount_yuan)), ("联系人", lead.contact or "-"), ("来源", lead.source)]
    if lead.note:
        rows.append(("备注", lead.note[:60]))
    return Card(task_id=task_id(offer, user), title=t("card_title", "zh", number=lead.number),
                desc=f"{lead.source} · {ctx.fmt(lead.created_at, '%Y-%m-%d')}", rows=tuple(rows),
                buttons=(Button("accept", "接受", ButtonStyle.PRIMARY), Button("decline", "放弃", ButtonStyle.DANGER)),
                note=t("card_note", "zh", due=due))


def stamp(ctx: Context, offer: LeadOffer, text: str) -> None:
    """Every card of this offer becomes ``text``."""
    for user in dealers(ctx, offer.partner_id):
        tid = task_id(offer, user)
        ctx.send(user, CardStamp(tid, text), key=f"stamp:{tid}")


def current_offer(ctx: Context, lead: Lead) -> LeadOffer | None:
    return ctx.s.execute(select(LeadOffer).where(LeadOffer.lead_id == lead.id,
                                                 LeadOffer.outcome == OfferOutcome.PENDING)
                         .order_by(LeadOffer.id.desc())).scalars().first()


def lock_lead(ctx: Context, lead_id: int) -> Lead:
    return ctx.s.execute(select(Lead).where(Lead.id == lead_id).with_for_update()
                         .execution_options(populate_existing=True)).scalar_one()

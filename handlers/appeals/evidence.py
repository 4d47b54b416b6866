"""The evidence bundle of a dispute over a customer: the claims with their
server receive times, each side's follow-ups and visits (with their flags),
the approvals, the appeals and their photos, and the audit events, newest
last. The same bundle is shown on an appeal's card, answered to `证据 <客户>`
as a message, and written to a workbook for headquarters (workbook.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select

from chat.context import Context
from domain.rules import visit_checks as flags
from handlers.registration.progress import stage_of
from handlers.registration.texts import status_word
from models import (
    Appeal,
    Approval,
    ApprovalFlow,
    AuditBatch,
    AuditEvent,
    Customer,
    Partner,
    Registration,
    RegistrationFollowUp,
    Role,
    User,
    Visit,
)

EVENTS_SHOWN = 5        # in the message (a chat message is short); the workbook has them all
ITEMS_SHOWN = 3


@dataclass
class Side:
    """One claim on the customer and the work behind it."""
    registration: Registration
    partner: Partner
    submitter: User
    follow_ups: list[RegistrationFollowUp] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    approvals: list[tuple[ApprovalFlow, Approval]] = field(default_factory=list)


@dataclass
class Bundle:
    customer: Customer
    made_at: datetime
    sides: list[Side]
    events: list[AuditEvent]
    appeals: list[Appeal]
    batches: dict[int, AuditBatch] = field(default_factory=dict)      # the sealed batches of the events


def for_customer(ctx: Context, customer: Customer) -> Bundle:
    """Every claim ever made on the customer, oldest first."""
    regs = ctx.s.execute(select(Registration).where(Registration.customer_id == customer.id)
                         .order_by(Registration.received_at)).scalars().all()
    return _bundle(ctx, customer, list(regs))


def for_appeal(ctx: Context, appeal: Appeal) -> Bundle:
    """The two claims an appeal is about: the appellant's, then the holder's."""
    regs = [appeal.registration] + ([appeal.holder] if appeal.holder is not None else [])
    return _bundle(ctx, appeal.customer, regs)


def _bundle(ctx: Context, customer: Customer, regs: list[Registration]) -> Bundle:
    sides = [_side(ctx, customer, reg) for reg in regs]
    numbers = [r.number for r in regs]
    appeals = list(ctx.s.execute(select(Appeal).where(Appeal.customer_id == customer.id)
                                 .order_by(Appeal.id)).scalars())
    events = list(ctx.s.execute(select(AuditEvent).where(or_(
        (AuditEvent.entity_type == "registration") & AuditEvent.entity_id.in_(numbers),
        (AuditEvent.entity_type == "appeal") & AuditEvent.entity_id.in_([a.number for a in appeals])))
        .order_by(AuditEvent.id)).scalars())
    numbers = sorted({e.batch for e in events if e.batch is not None})
    batches = {b.number: b for b in ctx.s.execute(select(AuditBatch).where(
        AuditBatch.number.in_(numbers))).scalars()} if numbers else {}
    return Bundle(customer, ctx.now, sides, events, appeals, batches)


def _side(ctx: Context, customer: Customer, reg: Registration) -> Side:
    partner = ctx.s.get(Partner, reg.partner_id)
    side = Side(reg, partner, ctx.s.get(User, reg.submitter_id))
    side.follow_ups = list(ctx.s.execute(select(RegistrationFollowUp).where(
        RegistrationFollowUp.registration_id == reg.id).order_by(RegistrationFollowUp.at)).scalars())
    # The side's people at the customer: its own users, or the direct team's reps.
    visitor = (User.role == Role.REP) if partner.direct else (Visit.partner_id == partner.id)
    side.visits = list(ctx.s.execute(select(Visit).join(User, User.id == Visit.user_id).where(
        Visit.customer_id == customer.id, visitor).order_by(Visit.checkin_at)).scalars())
    side.approvals = list(ctx.s.execute(select(ApprovalFlow, Approval).join(
        Approval, Approval.flow_id == ApprovalFlow.id).where(
        ApprovalFlow.subject_type == "registration", ApprovalFlow.subject_id == reg.id)
        .order_by(Approval.id)).all())
    return side


# ---- how it reads ----------------------------------------------------------------------------

def received(ctx: Context, when: datetime) -> str:
    """Receive times to the second: first-come is decided on them."""
    return ctx.fmt(when, "%Y-%m-%d %H:%M:%S")


def visit_words(ctx: Context, v: Visit, lang: str = "zh") -> str:
    where = "✅" if v.verified else "✖"
    dist = f" {v.distance_m:.0f}m" if v.distance_m is not None else ""
    marks = "".join(" ⚠️" + flags.flag_label(f["code"], lang) for f in v.flags or [])
    return f"{ctx.fmt(v.checkin_at, '%m-%d %H:%M')} {v.user.name}{where}{dist}{marks}"


def follow_up_words(ctx: Context, f: RegistrationFollowUp) -> str:
    what = f.stage_to or f.kind
    if f.kind == "visit":
        what = "拜访"
    note = f"「{f.note[:20]}」" if f.note else ""
    return f"{ctx.fmt(f.at, '%m-%d')} {what}{note}"


def doubtful(ctx: Context, side: Side) -> int:
    return sum(1 for v in side.visits if flags.suspicious(ctx.rules.visits, v.flags))


def side_line(ctx: Context, side: Side, role: str, t) -> list[str]:
    reg = side.registration
    stage = f" · {stage_of(ctx.rules.pipeline, reg)}" if reg.is_open else ""
    lines = [t("bundle_side", "zh", role=role, partner=side.partner.name, number=reg.number,
               received=received(ctx, reg.received_at), status=status_word(reg.status), stage=stage)]
    none = t("bundle_none", "zh")
    lines.append(t("bundle_follow_ups", "zh", n=len(side.follow_ups),
                   items="；".join(follow_up_words(ctx, f) for f in side.follow_ups[-ITEMS_SHOWN:]) or none))
    lines.append(t("bundle_visits", "zh", n=len(side.visits),
                   items="；".join(visit_words(ctx, v) for v in side.visits[-ITEMS_SHOWN:]) or none))
    if side.approvals:
        lines.append(t("bundle_approvals", "zh", items="；".join(
            f"{a.approver.name} {a.status}" + (f" {ctx.fmt(a.decided_at)}" if a.decided_at else "")
            for _, a in side.approvals[-ITEMS_SHOWN:])))
    return lines


def message(ctx: Context, bundle: Bundle, roles: list[str], t) -> str:
    """The bundle as one chat message (the workbook has the rest)."""
    lines = [t("bundle_title", "zh", customer=bundle.customer.name, when=ctx.fmt(bundle.made_at))]
    for side, role in zip(bundle.sides, roles):
        lines += side_line(ctx, side, role, t)
    shown = bundle.events[-EVENTS_SHOWN:]
    lines.append(t("bundle_events", "zh", n=len(shown)))
    lines += [f"> {received(ctx, e.at)} {e.actor} {e.action} {e.entity_id}" for e in shown]
    lines.append(t("bundle_more", "zh"))
    return "\n".join(lines)

"""A claim is protected only while it is worked: a protected deal with no
follow-up for the rule's days (pipeline.stale_days) is warned, then
**recalled** — its protection ends early, the holder and the area manager
are told why, and the partners refused on the customer hear it is free
(the lifecycle sweep's "free now", as after an expiry).

Staleness counts from the last follow-up, or from the approval when there
was none yet. Like an expiry, a recall that is due is also carried out when
another partner claims the customer, so a claim never loses to a claim the
rules already gave up."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select

from chat.context import Context
from chat.messages import Text
from domain.rules import pipeline_checks as checks
from domain.rules.verdict import REJECT, WARN, Verdict
from handlers.approvals.routing import approver_for
from handlers.registration.lifecycle import end_protection, lock_registration
from handlers.registration.payload import snapshot
from handlers.registration.progress import last_activity, stage_of
from handlers.registration.texts import t
from models import Customer, Partner, Registration, RegistrationLock, RegistrationStatus, User


def due_for_review(ctx: Context) -> list[int]:
    """Protected deals idle long enough to be warned (or recalled)."""
    rules = ctx.rules.pipeline
    horizon = ctx.now - timedelta(days=rules.stale_days - max(rules.stale_warn_days_before or (0,)))
    return list(ctx.s.execute(select(Registration.id).where(
        Registration.status == RegistrationStatus.APPROVED, Registration.decided_at <= horizon,
        or_(Registration.last_follow_up_at.is_(None), Registration.last_follow_up_at <= horizon))
        .order_by(Registration.decided_at)).scalars())


def review(ctx: Context, reg_id: int) -> str | None:
    """One idle deal: "warned", "recalled" or nothing (worked meanwhile)."""
    reg = lock_registration(ctx, reg_id)
    if reg.status != RegistrationStatus.APPROVED:
        return None
    verdict = checks.staleness(ctx.rules.pipeline, last_activity(reg), ctx.now, ctx.fmt)
    if verdict.outcome == REJECT:
        recall(ctx, reg, verdict)
        return "recalled"
    if verdict.outcome == WARN:
        days = verdict.facts["warn_days"]
        ctx.send(ctx.s.get(User, reg.submitter_id),
                 Text(t("stale_warn", "zh", number=reg.number, customer=reg.customer_text,
                        stage=stage_of(ctx.rules.pipeline, reg), message=verdict.message,
                        next_step=verdict.next_step)),
                 key=f"stale-warn:{reg.id}:{last_activity(reg).isoformat()}:{days}")
        return "stale_warned"
    return None


def recall(ctx: Context, reg: Registration, verdict: Verdict) -> None:
    before = snapshot(reg)
    end_protection(ctx, reg, RegistrationStatus.RECALLED)
    reg.verdicts = [*reg.verdicts, verdict.to_dict()]
    ctx.audit("registration.recalled", "registration", reg.number, before=before, after=snapshot(reg),
              verdicts=[verdict.to_dict()])
    ctx.publish("registration.recalled", registration_id=reg.id, partner_id=reg.partner_id,
                customer_id=reg.customer_id, at=ctx.now.isoformat())
    window = ctx.rules.appeals.window_days
    ctx.send(ctx.s.get(User, reg.submitter_id),
             Text(t("recalled_holder", "zh", number=reg.number, customer=reg.customer_text, message=verdict.message,
                    days=window, cooldown=ctx.rules.pipeline.cooldown_days)),
             key=f"recalled:{reg.id}")
    customer = ctx.s.get(Customer, reg.customer_id)
    partner = ctx.s.get(Partner, reg.partner_id)
    manager = approver_for(ctx, "area_manager", customer.region if customer else None)
    ctx.send(manager, Text(t("recalled_manager", "zh", number=reg.number, partner=partner.name,
                             customer=reg.customer_text, message=verdict.message)),
             key=f"recalled-manager:{reg.id}")


def recall_due(ctx: Context, customer_id: int, claims=None) -> bool:
    """At claim time: recall the customer's protected deals whose recall is due
    (the sweep would do it within minutes; the claim must not wait for it).
    ``claims``: the customer's claims as the claim read them, else read here.
    True when one was recalled."""
    rules = ctx.rules.pipeline
    if claims is not None:
        rows = [reg for reg in claims.holding(customer_id) if reg.status == RegistrationStatus.APPROVED]
    else:
        holding = select(RegistrationLock.registration_id).where(RegistrationLock.customer_id == customer_id)
        rows = ctx.s.execute(select(Registration).where(Registration.id.in_(holding),
                                                        Registration.status == RegistrationStatus.APPROVED)
                             ).scalars().all()
    recalled = False
    for reg in rows:
        verdict = checks.staleness(rules, last_activity(reg), ctx.now, ctx.fmt)
        if verdict.outcome == REJECT:
            recall(ctx, lock_registration(ctx, reg.id), verdict)
            recalled = True
    return recalled

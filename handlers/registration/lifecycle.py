"""The registration lifecycle on a clock: warn the holder before a pending lock
or a protection period ends, and when it ends release the customer — telling
the holder, and the partners who were refused on that customer meanwhile
that it is free now.

Warnings go at the configured days before the end (7 and 1); after downtime
only the most urgent one still due goes out, never a burst of all of them.

Whatever waited for a decision on the registration dies with it: its own
approval and any pending 延期, each approver told why (not "it was changed").

The refused partners hear "free now" from the sweep only, and only while the
customer really is free for them: an expiry may happen inside another
partner's claim (release_expired), and that claim may take the lock in
the same transaction, so at expiry time nobody can know yet.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from chat import sweeps
from chat.context import Context, Services
from chat.messages import Text
from handlers.approvals.voiding import void_flows
from handlers.registration import contests, joint_cards, locks
from handlers.registration.approved_terms import restore_approved_terms
from handlers.registration.payload import snapshot
from handlers.registration.texts import t
from models import (
    ENDED_STATUSES,
    OPEN_STATUSES,
    ExtensionStatus,
    FlowStatus,
    JointStatus,
    Registration,
    RegistrationExtension,
    RegistrationLock,
    RegistrationStatus,
    User,
)

# How long after an expiry the sweep still tells refused partners the customer
# is free (it tries every run until then; each partner is told once).
FREE_NOTICE_WINDOW = timedelta(days=1)


# Ends after which the customer is free for the partners refused on it.
FREED_BY = (RegistrationStatus.EXPIRED, RegistrationStatus.RECALLED, RegistrationStatus.LOST)


def expiries(svc: Services) -> dict[str, int]:
    return sweeps.each(svc, sweeps.read(svc, _nearing_their_end), _one, outcomes=("warned", "released"))


def free_notices(svc: Services) -> dict[str, int]:
    return sweeps.each(svc, sweeps.read(svc, _ended_recently), _tell_free_once)


def _nearing_their_end(ctx: Context) -> list[int]:
    horizon = ctx.now + timedelta(days=max(ctx.rules.lifecycle.warn_days_before or (0,)))
    return list(ctx.s.execute(select(Registration.id).where(Registration.status.in_(OPEN_STATUSES),
                                                            Registration.lock_until <= horizon)
                              .order_by(Registration.lock_until)).scalars())


def _ended_recently(ctx: Context) -> list[int]:
    """Expired, recalled or lost within the notice window, with refused partners still to tell."""
    return list(ctx.s.execute(select(Registration.id).where(
        Registration.status.in_(FREED_BY), Registration.free_notices_done_at.is_(None),
        Registration.updated_at >= ctx.now - FREE_NOTICE_WINDOW).order_by(Registration.updated_at)).scalars())


def _tell_free_once(ctx: Context, reg_id: int) -> None:
    reg = ctx.s.get(Registration, reg_id)
    if tell_free(ctx, reg):
        reg.free_notices_done_at = ctx.now


def _one(ctx: Context, reg_id: int) -> str | None:
    reg = lock_registration(ctx, reg_id)
    if reg.status not in OPEN_STATUSES or reg.lock_until is None:
        return None
    if reg.lock_until <= ctx.now:
        expire(ctx, reg)
        return "released"
    return "warned" if warn(ctx, reg) else None


def warn(ctx: Context, reg: Registration) -> bool:
    left = reg.lock_until - ctx.now
    due = [d for d in ctx.rules.lifecycle.warn_days_before if left <= timedelta(days=d)]
    if not due:
        return False
    days = min(due)     # the most urgent warning that is due; larger ones are moot now
    key = f"expiry-warn:{reg.id}:{reg.lock_until.isoformat()}:{days}"
    holder = ctx.s.get(User, reg.submitter_id)
    kind = "pending" if reg.status == RegistrationStatus.PENDING else "approved"
    ext = ctx.rules.lifecycle.extension
    hint = t("expiry_hint_extend", "zh", number=reg.number, n=ext.verified_visits, days=ext.within_days) \
        if kind == "approved" and reg.extensions < ext.max_extensions else ""
    ctx.send(holder, Text(t(f"expiry_warn_{kind}", "zh", number=reg.number, customer=reg.customer_text,
                            until=ctx.fmt(reg.lock_until, "%Y-%m-%d %H:%M"), days=days) + hint), key=key)
    return True


def expire(ctx: Context, reg: Registration) -> bool:
    """The lock ran out: the customer is free. Also used when a claim finds a
    lock that ran out before the sweep got to it, so the row is locked and
    read again first: whichever of the two comes second finds it expired and
    does nothing (False), rather than expiring and auditing it twice."""
    reg = lock_registration(ctx, reg.id)
    if reg.status not in OPEN_STATUSES:
        return False
    before = snapshot(reg)
    released_until = reg.lock_until
    voided = end_protection(ctx, reg, RegistrationStatus.EXPIRED)
    ctx.audit("registration.expired", "registration", reg.number, before=before, after=snapshot(reg))
    holder = ctx.s.get(User, reg.submitter_id)
    text = t("expired_holder", "zh", number=reg.number, customer=reg.customer_text,
             until=ctx.fmt(released_until, "%Y-%m-%d"))
    text += "".join(t("expired_holder_ext", "zh", ext=ext.number) for ext in voided)
    ctx.send(holder, Text(text), key=f"expired:{reg.id}")
    return True


def lock_registration(ctx: Context, reg_id: int) -> Registration:
    return ctx.s.execute(select(Registration).where(Registration.id == reg_id).with_for_update()
                         .execution_options(populate_existing=True)).scalar_one()


def end_protection(ctx: Context, reg: Registration, status: str) -> list[RegistrationExtension]:
    """The registration stops holding the customer (expired, recalled, won, lost,
    transferred): whatever waited for a decision on it is voided (each approver
    told why), a change still waiting dies with it, the locks go. Returns the
    extensions voided. The caller audits and tells the holder."""
    voided = _void_decisions(ctx, reg, status)
    if reg.joint_status == JointStatus.INVITED:     # the second partner was still to answer
        joint_cards.stamp_invites(ctx, reg, t(f"stamp_void_{status}", "zh"))
    restore_approved_terms(reg)             # a change still waiting dies with it
    reg.status, reg.updated_at = status, ctx.now
    if status in ENDED_STATUSES:
        reg.ended_at = ctx.now              # the cool-down runs from here
    for lock in ctx.s.execute(select(RegistrationLock).where(RegistrationLock.registration_id == reg.id)).scalars():
        ctx.s.delete(lock)
    ctx.s.flush()
    contests.claim_changed(ctx, reg)            # a claim that ended leaves its contest's card
    return voided


def _void_decisions(ctx: Context, reg: Registration, why: str) -> list[RegistrationExtension]:
    """Void the registration's own approval and its pending extensions (which
    would otherwise be reminded, escalated and decided on a dead registration);
    each approver is told why. Returns the extensions voided."""
    pending = list(ctx.s.execute(select(RegistrationExtension).where(
        RegistrationExtension.registration_id == reg.id, RegistrationExtension.status == ExtensionStatus.PENDING)
        .with_for_update()).scalars())
    subjects = [("registration", reg.id,
                 t(f"void_approver_reg_{why}", "zh", number=reg.number, customer=reg.customer_text))]
    subjects += [("extension", ext.id, t(f"void_approver_ext_{why}", "zh", ext=ext.number, number=reg.number,
                                         customer=reg.customer_text)) for ext in pending]
    for kind, subject_id, text in subjects:
        for voided in void_flows(ctx, kind, subject_id, text, (FlowStatus.PENDING,), tell=False,
                                 stamp=t(f"stamp_void_{why}", "zh")):
            for user in voided.waiting:
                ctx.send(user, Text(text), key=f"void-{why}:{voided.flow.id}:{user.id}")
    for ext in pending:
        ext.status, ext.decided_at = ExtensionStatus.VOID, ctx.now
        ctx.audit("extension.void", "registration", reg.number, after={"extension": ext.number, "why": why})
    return pending


def tell_free(ctx: Context, reg: Registration) -> bool:
    """Tell the partners refused because of ``reg`` that its customer is free —
    those for whom it still is: no other lock now stands in the way of what
    they asked for (another partner may have claimed it the moment it expired,
    or they did themselves). Keyed per partner, so each hears it once. True
    when nobody is left to tell (later sweeps retry the others while in the
    notice window, in case what stood in their way goes too)."""
    scope = ctx.rules.registration.conflict_scope
    everyone = True
    for user, refused in refused_meanwhile(ctx, reg):
        wanted = locks.scope_keys(scope, refused.product_lines, refused.department)
        if locks.holder(ctx, reg.customer_id, wanted, scope, refused.partner_id) is not None:
            everyone = False
            continue
        ctx.send(user, Text(t("expired_free_now", "zh", customer=reg.customer_text)),
                 key=f"free-now:{reg.id}:{user.id}")
    return everyone


def refused_meanwhile(ctx: Context, reg: Registration) -> list[tuple[User, Registration]]:
    """Who was refused because this registration held the customer, with the
    refused registration: one per other partner (the one who tried last), so
    nobody is told twice."""
    rows = ctx.s.execute(select(Registration).where(
        Registration.customer_id == reg.customer_id, Registration.status == RegistrationStatus.REJECTED,
        Registration.partner_id != reg.partner_id, Registration.received_at >= reg.received_at)
        .order_by(Registration.received_at)).scalars().all()
    by_partner: dict[int, Registration] = {}
    for r in rows:
        conflict = next((v for v in r.verdicts if v["rule_id"] == "registration.conflict"), None)
        if conflict and conflict["outcome"] == "reject" and conflict["facts"].get("holder_registration") == reg.number:
            by_partner[r.partner_id] = r
    return [(ctx.s.get(User, r.submitter_id), r) for r in by_partner.values()]


def release_expired(ctx: Context, customer_id: int, claims=None) -> bool:
    """A lock past its end frees the customer; its registration becomes expired.
    Done at claim time so a claim never loses to a lock that has already run out,
    whether or not the timed sweep has got to it yet. ``claims``: the customer's
    claims as the claim read them (handlers/registration/claims.py), else read
    here. True when a lock was released."""
    now = ctx.now
    if claims is not None:
        stale = claims.expired_locks(customer_id)
    else:
        stale = [(lock, ctx.s.get(Registration, lock.registration_id)) for lock in ctx.s.execute(
            select(RegistrationLock).where(RegistrationLock.customer_id == customer_id,
                                           RegistrationLock.expires_at <= now)).scalars().all()]
    for lock, reg in stale:
        if reg is not None and reg.status in OPEN_STATUSES:
            expire(ctx, reg)
        else:
            ctx.s.delete(lock)
    if stale:
        ctx.s.flush()
    return bool(stale)

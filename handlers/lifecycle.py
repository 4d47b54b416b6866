"""The registration lifecycle on a clock: warn the holder before a pending lock
or a protection period ends, and when it ends release the customer — telling
the holder, and the partners who were refused on that customer meanwhile
that it is free now.

Warnings go at the configured days before the end (7 and 1); after downtime
only the most urgent one still due goes out, never a burst of all of them.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.context import Context, Services
from bot.db import unit_of_work
from bot.messages import Text
from handlers.approvals import void_open_flows
from handlers.payload import snapshot
from handlers.texts import t
from models import Registration, RegistrationLock, User

OPEN = ("pending", "approved")


def sweep(svc: Services) -> dict[str, int]:
    counts = {"warned": 0, "released": 0}
    with svc.factory() as s:
        now = svc.clock.now()
        rules = svc.rules.active(s)
        horizon = now + timedelta(days=max(rules.lifecycle.warn_days_before or (0,)))
        ids = s.execute(select(Registration.id).where(Registration.status.in_(OPEN),
                                                      Registration.lock_until <= horizon)
                        .order_by(Registration.lock_until)).scalars().all()
    for reg_id in ids:
        with unit_of_work(svc.factory) as s:
            ctx = Context.for_system(s, svc, actor="scheduler")
            outcome = _one(ctx, reg_id)
            if outcome:
                counts[outcome] += 1
    return counts


def _one(ctx: Context, reg_id: int) -> str | None:
    reg = ctx.s.execute(select(Registration).where(Registration.id == reg_id).with_for_update()
                        .execution_options(populate_existing=True)).scalar_one()
    if reg.status not in OPEN or reg.lock_until is None:
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
    kind = "pending" if reg.status == "pending" else "approved"
    ext = ctx.rules.lifecycle.extension
    hint = t("expiry_hint_extend", "zh", number=reg.number, n=ext.verified_visits, days=ext.within_days) \
        if kind == "approved" and reg.extensions < ext.max_extensions else ""
    ctx.send(holder, Text(t(f"expiry_warn_{kind}", "zh", number=reg.number, customer=reg.customer_text,
                            until=ctx.fmt(reg.lock_until, "%Y-%m-%d %H:%M"), days=days) + hint), key=key)
    return True


def expire(ctx: Context, reg: Registration) -> None:
    """The lock ran out: the customer is free. Also used when a claim finds a
    lock that ran out before the sweep got to it."""
    before = snapshot(reg)
    void_open_flows(ctx, "registration", reg.id)
    released_until = reg.lock_until
    reg.status, reg.updated_at = "expired", ctx.now
    for lock in ctx.s.execute(select(RegistrationLock).where(RegistrationLock.registration_id == reg.id)).scalars():
        ctx.s.delete(lock)
    ctx.s.flush()
    ctx.audit("registration.expired", "registration", reg.number, before=before, after=snapshot(reg))
    holder = ctx.s.get(User, reg.submitter_id)
    ctx.send(holder, Text(t("expired_holder", "zh", number=reg.number, customer=reg.customer_text,
                            until=ctx.fmt(released_until, "%Y-%m-%d"))), key=f"expired:{reg.id}")
    for user in refused_meanwhile(ctx, reg):
        if ctx.user is not None and user.partner_id == ctx.user.partner_id:
            continue        # the partner claiming it right now learns from its own verdict
        ctx.send(user, Text(t("expired_free_now", "zh", customer=reg.customer_text)), key=f"free-now:{reg.id}:{user.id}")


def refused_meanwhile(ctx: Context, reg: Registration) -> list[User]:
    """Who was refused because this registration held the customer: one person
    per other partner (the one who tried last), so nobody is told twice."""
    rows = ctx.s.execute(select(Registration).where(
        Registration.customer_id == reg.customer_id, Registration.status == "rejected",
        Registration.partner_id != reg.partner_id, Registration.received_at >= reg.received_at)
        .order_by(Registration.received_at)).scalars().all()
    by_partner: dict[int, int] = {}
    for r in rows:
        conflict = next((v for v in r.verdicts if v["rule_id"] == "registration.conflict"), None)
        if conflict and conflict["outcome"] == "reject" and conflict["facts"].get("holder_registration") == reg.number:
            by_partner[r.partner_id] = r.submitter_id
    return [ctx.s.get(User, uid) for uid in by_partner.values()]


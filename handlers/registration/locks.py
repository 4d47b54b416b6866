"""Customer locks: who holds a customer (within the conflict scope), take, release.

The unique (customer_id, scope_key) index is the database's guarantee that two
simultaneous claims cannot both win (the insert skips a taken key: ON CONFLICT
DO NOTHING); the customer row lock taken by the
caller orders claims whose scopes overlap without being equal (a whole-
hospital claim vs a department claim).
"""
from __future__ import annotations

from sqlalchemy import delete, select

from chat.context import Context
from domain.rules.checks import Holder
from models import Partner, Registration, RegistrationLock, RegistrationStatus
from models.db import insert_of, insert_or_nothing


def scope_keys(scope: str, lines: list[str], department: str | None) -> list[str]:
    if scope == "customer_line":
        return [f"line:{line}" for line in sorted(set(lines))]
    if scope == "customer_department" and department:
        return [f"dept:{department}"]
    return ["*"]


def _overlaps(lock_key: str, wanted: list[str], scope: str) -> bool:
    if lock_key in wanted:
        return True
    # A whole-customer claim ("*") collides with every other claim on the customer,
    # whichever way round; so does every claim when the scope is the customer alone.
    if scope == "customer" or lock_key == "*" or "*" in wanted:
        return True
    # A lock taken under another scope (the rule changed while it ran: "dept:…"
    # against "line:…") can't be compared; first come keeps it.
    kinds = {key.partition(":")[0] for key in wanted}
    return lock_key.partition(":")[0] not in kinds


def overlap(keys: list[str], wanted: list[str], scope: str) -> bool:
    """Do two claims' scope keys collide (the conflict scope's rule)?"""
    return any(_overlaps(key, wanted, scope) for key in keys)


def holder(ctx: Context, customer_id: int, wanted: list[str], scope: str, partner_id: int) -> Holder | None:
    now = ctx.now
    rows = ctx.s.execute(
        select(RegistrationLock, Registration, Partner)
        .join(Registration, Registration.id == RegistrationLock.registration_id)
        .join(Partner, Partner.id == Registration.partner_id)
        .where(RegistrationLock.customer_id == customer_id, RegistrationLock.expires_at > now)
        .order_by(Registration.received_at)
    ).all()
    return holder_among(rows, wanted, scope, partner_id, now)


def holder_among(rows, wanted: list[str], scope: str, partner_id: int, now) -> Holder | None:
    """The first claim (by receive time) among (lock, registration, partner) rows
    of one customer whose lock is still running and collides with ``wanted``."""
    for lock, reg, partner in sorted(rows, key=lambda row: row[1].received_at):
        if lock.expires_at > now and _overlaps(lock.scope_key, wanted, scope):
            return Holder(registration_number=reg.number, partner_name=partner.name, held_since=reg.received_at,
                          until=lock.expires_at, scope_key=lock.scope_key, same_partner=partner.id == partner_id,
                          pending=reg.status == RegistrationStatus.PENDING)
    return None


_TAKE_ONE = insert_or_nothing(RegistrationLock.__table__, ("customer_id", "scope_key", "registration_id", "expires_at"),
                              ("customer_id", "scope_key"), returning=("id",))


def take(ctx: Context, reg: Registration, customer_id: int, keys: list[str]) -> bool:
    """Insert the lock rows (one statement); False when the unique index says
    someone else has one, and then none of them is kept."""
    rows = [{"customer_id": customer_id, "scope_key": key, "registration_id": reg.id, "expires_at": reg.lock_until}
            for key in keys]
    if len(rows) == 1:              # the usual claim (one product line): a statement compiled once
        ctx.s.flush()               # (written out: it does not autoflush what is pending)
        taken = ctx.s.execute(_TAKE_ONE, rows[0]).scalars().all()
    else:
        taken = ctx.s.execute(insert_of(ctx.s, RegistrationLock).values(rows).on_conflict_do_nothing(
            index_elements=[RegistrationLock.customer_id, RegistrationLock.scope_key])
            .returning(RegistrationLock.id)).scalars().all()
    if len(taken) == len(rows):
        return True
    if taken:
        ctx.s.execute(delete(RegistrationLock).where(RegistrationLock.id.in_(taken)))
    return False


def extend(ctx: Context, reg: Registration) -> None:
    for lock in ctx.s.execute(select(RegistrationLock).where(RegistrationLock.registration_id == reg.id)).scalars():
        lock.expires_at = reg.lock_until


def release(ctx: Context, reg: Registration) -> None:
    ctx.s.execute(delete(RegistrationLock).where(RegistrationLock.registration_id == reg.id))

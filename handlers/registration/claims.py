"""The reads a claim (报备) needs, as few statements as correctness allows.

Each lock is taken in a statement of its own, and what it protects is read in
a later one: PostgreSQL reads a statement's rows as of its start (READ
COMMITTED), so rows committed by whoever held the lock while we waited for it
are only seen by the next statement.

- ``read``: after the customer's row lock, everything about the customer the
  checks need, in one statement: every lock on it (and on the customer a new
  name resembles) with its registration and partner, the partner's claims on
  it that ended within the cool-down, and the partner's open registrations
  (the quota; the partner's lock, taken last, checks it again: partner_lock.py).
  Expiry and recall at claim time, the holder, the cool-down and
  the lookalike's holder are all answered from it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Boolean, bindparam, func, select, true, union
from sqlalchemy.orm import aliased

from chat.context import Context
from domain.rules.checks import Holder
from domain.rules.pipeline_checks import EndedClaim
from handlers.customers.lookup import Also
from handlers.registration import locks
from handlers.registration.cooldown import COOLING
from models import OPEN_STATUSES, Customer, Partner, Registration, RegistrationLock
from models.shared_statement import SharedStatement


def lock_customer(ctx: Context, customer_id: int) -> None:
    """Orders all claims on one customer (PostgreSQL; SQLite runs one writer)."""
    ctx.s.execute(select(Customer.id).where(Customer.id == customer_id).with_for_update())


def open_count(partner_id, counted):
    """The partner's open registrations, as a column to read with something else;
    0 without reading a row where ``counted`` is false (no quota applies)."""
    return (select(func.count()).select_from(Registration)
            .where(counted, Registration.partner_id == partner_id, Registration.status.in_(OPEN_STATUSES))
            .scalar_subquery())


# The same count written out, for a statement written out (customers.create's
# ``also``): compiled once, where the expression above would be compiled each time.
_OPEN_COUNT_SQL = (f"SELECT count(*) FROM {Registration.__tablename__} WHERE :open_counted "
                   f"AND partner_id = :open_partner "
                   f"AND status IN ({', '.join(repr(str(s)) for s in OPEN_STATUSES)})")


def open_count_read(partner_id: int, quota: int | None) -> Also:
    """The count, where a quota applies (``quota`` None: nothing is read, 0)."""
    return Also(_OPEN_COUNT_SQL, {"open_partner": partner_id, "open_counted": quota is not None})


@dataclass
class Claims:
    """What the customer's claims say, read once (``read``)."""
    now: datetime
    open_count: int = 0
    # (lock, its registration, that registration's partner), every lock on the customers read
    locked: list[tuple[RegistrationLock, Registration, Partner]] = field(default_factory=list)
    # the claimant partner's registrations on the customer that ended within the cool-down
    ended: list[Registration] = field(default_factory=list)

    def expired_locks(self, customer_id: int) -> list[tuple[RegistrationLock, Registration]]:
        return [(lock, reg) for lock, reg, _ in self.locked
                if lock.customer_id == customer_id and lock.expires_at <= self.now]

    def holding(self, customer_id: int) -> list[Registration]:
        """The registrations holding a lock on the customer (each once)."""
        return list({reg.id: reg for lock, reg, _ in self.locked if lock.customer_id == customer_id}.values())

    def holder(self, customer_id: int, wanted: list[str], scope: str, partner_id: int) -> Holder | None:
        rows = [row for row in self.locked if row[0].customer_id == customer_id]
        return locks.holder_among(rows, wanted, scope, partner_id, self.now)

    def ended_claim(self, scope: str, wanted: list[str]) -> EndedClaim | None:
        """As cooldown.ended_claim: the latest ended claim overlapping ``wanted``."""
        for reg in sorted(self.ended, key=lambda r: r.ended_at, reverse=True):
            if locks.overlap(locks.scope_keys(scope, reg.product_lines, reg.department), wanted, scope):
                return EndedClaim(reg.number, reg.ended_at, reg.status)
        return None


def _read_statement():
    """``read``'s statement, built once (building it, aliases and all, cost more
    than running it): the claims joined to the partner's open count on true, so
    there is one row at least (the count), then one per claim."""
    customers, since = bindparam("customers", expanding=True), bindparam("since")
    partner_id, customer_id = bindparam("partner_id"), bindparam("customer_id")
    wanted = union(
        select(RegistrationLock.registration_id).where(RegistrationLock.customer_id.in_(customers)),
        select(Registration.id).where(Registration.partner_id == partner_id, Registration.customer_id == customer_id,
                                      Registration.status.in_(COOLING), Registration.ended_at > since))
    rows = (select(Registration, Partner, RegistrationLock)
            .join(Partner, Partner.id == Registration.partner_id)
            .outerjoin(RegistrationLock, (RegistrationLock.registration_id == Registration.id)
                       & RegistrationLock.customer_id.in_(customers))
            .where(Registration.id.in_(wanted))).subquery("claims")
    reg, partner, lock = (aliased(Registration, rows), aliased(Partner, rows), aliased(RegistrationLock, rows))
    counted = select(open_count(partner_id, bindparam("open_counted", type_=Boolean)).label("open_count"))\
        .subquery("counted")
    return select(counted.c.open_count, reg, partner, lock).select_from(counted).outerjoin(rows, true())


_READ = SharedStatement(_read_statement())


def read(ctx: Context, customer_id: int, partner_id: int, quota: int | None, also: int | None = None) -> Claims:
    """The claims on ``customer_id`` (and the locks on ``also``: the customer a
    lookalike name resembles) and the partner's open count (where a ``quota`` applies), in one statement."""
    now = ctx.now
    since = now - timedelta(days=ctx.rules.pipeline.cooldown_days)
    customers = [customer_id] if also is None or also == customer_id else [customer_id, also]
    q, params = _READ, {"customers": customers, "customer_id": customer_id, "partner_id": partner_id, "since": since,
                        "open_counted": quota is not None}
    claims = Claims(now=now)
    seen: set[int] = set()
    for count, r, p, lk in q.rows(ctx.s, params):
        claims.open_count = count
        if r is None:
            continue
        if lk is not None:
            claims.locked.append((lk, r, p))
        if (r.id not in seen and r.partner_id == partner_id and r.customer_id == customer_id
                and r.status in COOLING and r.ended_at is not None and r.ended_at > since):
            claims.ended.append(r)
        seen.add(r.id)
    return claims

"""The partner's row lock, taken last (issue 16).

Two things must not interleave between one partner's registrations: its quota
(two registrations at once must count each other), and its look-alike names (a
partner's 协和医院 and 北京协和医院 registered at once must not both be taken
for new customers, each unseen by the other). Taking the partner's row lock
first guaranteed both, but held the lock over the whole command — the lookup,
the customer, the registration, its lock, the audit event and the reply — and
with it all of that partner's registrations went one at a time, ~20 ms each
under load (docs/benchmarks.md, stop 24).

So a first pass reads the partner *without* its lock, with its claim number
(``partners.claim_seq``: how many registrations it has submitted), decides
everything as before, and only at the very end (``Context.at_end``, after the
rest is written) bumps that number: the UPDATE is the row lock, held from there
to the commit. The number it gets back says how many of the partner's
registrations committed since the first read:

- none: everything read saw all of them (each later statement sees at least
  what the first saw), so the decision stands — the usual case;
- some: their customers are read from the ring of recent claims
  (``partner_recent_claims``) in one statement, under the lock. If none of them
  is, or resembles, this registration's customer or the known customer its name
  resembles (nor resembled that one), and counting them all as open still leaves
  the quota's verdict as it was, the decision stands;
- otherwise (or more than the ring holds): ``RunAgain``. The command is rolled
  back and run again at once (chat/reruns.py, ``RUNS``): it reads again, now seeing
  them, without the lock; its final run takes the partner's lock first, as before.

Every registration bumps the number, in every run and in contexts that take the
lock first, so none can commit unseen by a run of the same partner that read
without the lock. A run that read without it holds what it wrote (a customer's
row lock, its claim's lock) while it waits for the partner's lock at its end; a
final run holds the partner's lock and may want one of those rows: PostgreSQL
ends that deadlock after a second, and the inbox runs the first again.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, text

from chat.context import Context, RunAgain
from domain.matching import compare
from handlers.customers.search import CustomerMatch
from models import RECENT_CLAIMS, Customer, Partner, RecentClaim, Registration


def _partner_statement(postgresql: bool, locked: bool):
    """The partner's row with its claim number (as a column of its own, whatever
    the session's identity map holds) and the id the next registration gets:
    PostgreSQL's sequence; SQLite, whose write lock the command holds from its
    first statement (BEGIN IMMEDIATE), numbers rows after the highest, as it would
    itself. Built once per case (building it cost more than running it)."""
    next_id = (func.nextval(func.pg_get_serial_sequence(Registration.__tablename__, "id")) if postgresql
               else select(func.coalesce(func.max(Registration.id), 0) + 1).scalar_subquery())
    stmt = (select(Partner, Partner.claim_seq, next_id.label("next_id"))
            .where(Partner.id == bindparam("claim_partner")))
    # FOR NO KEY UPDATE, as the bump's UPDATE takes: it excludes other bumps, not the
    # key-share locks of the foreign keys to the partner (FOR UPDATE would stop the
    # partner's other runs at their registration's INSERT, holding what they hold).
    return stmt.with_for_update(of=Partner, key_share=True) if locked else stmt


_PARTNER = {(pg, locked): _partner_statement(pg, locked) for pg in (True, False) for locked in (True, False)}

_CLAIMS, _PARTNERS = RecentClaim.__tablename__, Partner.__tablename__
_RING_SLOT = ("ON CONFLICT (partner_id, slot) DO UPDATE SET seq = excluded.seq, customer_id = excluded.customer_id, "
              "resembled_id = excluded.resembled_id")
# PostgreSQL: the bump and the ring's slot in one statement (a data-modifying WITH).
_BUMP_PG = text(
    f"WITH bumped AS (UPDATE {_PARTNERS} SET claim_seq = claim_seq + 1 WHERE id = :claim_partner "
    "RETURNING claim_seq) "
    f"INSERT INTO {_CLAIMS} (partner_id, slot, seq, customer_id, resembled_id) "
    f"SELECT CAST(:claim_partner AS INTEGER), claim_seq % {RECENT_CLAIMS}, claim_seq, "
    f"CAST(:claim_customer AS INTEGER), CAST(:claim_resembled AS INTEGER) FROM bumped {_RING_SLOT} RETURNING seq")
# SQLite (one writer: nothing ever waits here) has no DML in WITH: two statements.
_BUMP_SQLITE = text(f"UPDATE {_PARTNERS} SET claim_seq = claim_seq + 1 WHERE id = :claim_partner RETURNING claim_seq")
_RING_SQLITE = text(f"INSERT INTO {_CLAIMS} (partner_id, slot, seq, customer_id, resembled_id) "
                    f"VALUES (:claim_partner, :claim_seq % {RECENT_CLAIMS}, :claim_seq, :claim_customer, "
                    f":claim_resembled) {_RING_SLOT}")
_UNSEEN = (select(RecentClaim.customer_id, RecentClaim.resembled_id, Customer.name)
           .join(Customer, Customer.id == RecentClaim.customer_id)
           .where(RecentClaim.partner_id == bindparam("claim_partner"),
                  RecentClaim.seq > bindparam("seen_seq"), RecentClaim.seq < bindparam("own_seq")))


@dataclass(frozen=True)
class Read:
    """What a registration decided on: the partner's claim number when it was read,
    and the partner's open registrations as counted (None: no quota applies)."""
    claim_seq: int
    open_count: int | None = None
    quota: int | None = None


def partner_for_claim(ctx: Context, partner_id: int) -> tuple[Partner, int, int]:
    """The partner, the id of the registration about to be made, and the partner's
    claim number. Its row is locked here only when the command cannot be run again
    (``Context.may_run_again``: a final run, a context nobody finishes)."""
    stmt = _PARTNER[(ctx.s.get_bind().dialect.name == "postgresql", not ctx.may_run_again)]
    partner, claim_seq, next_id = ctx.s.execute(stmt, {"claim_partner": partner_id}).one()
    return partner, next_id, claim_seq


def confirm_at_end(ctx: Context, partner: Partner, read: Read, name: str, customer: Customer,
                   match: CustomerMatch) -> None:
    """Bump the partner's claim number as the command's last statement (its row
    lock) and check what the command read without the lock (the module's docstring)."""
    def confirm() -> None:
        own = _bump(ctx, partner.id, customer.id, match.matched.id if match.matched is not None else None)
        since = own - 1 - read.claim_seq        # the partner's registrations committed since the read
        if since <= 0 or not ctx.may_run_again:
            return
        if since >= RECENT_CLAIMS or _quota_turns(read, since):
            raise RunAgain(f"partner {partner.id}: {since} registrations since the read")
        rows = ctx.s.execute(_UNSEEN, {"claim_partner": partner.id, "seen_seq": read.claim_seq,
                                       "own_seq": own}).all()
        if len(rows) < since or any(_touches(row, name, customer, match) for row in rows):
            raise RunAgain(f"partner {partner.id}: a customer like {name!r} claimed since the read")
    ctx.at_end(confirm)


def _bump(ctx: Context, partner_id: int, customer_id: int, resembled_id: int | None) -> int:
    params = {"claim_partner": partner_id, "claim_customer": customer_id, "claim_resembled": resembled_id}
    if ctx.s.get_bind().dialect.name == "postgresql":
        return ctx.s.execute(_BUMP_PG, params).scalar_one()
    own = ctx.s.execute(_BUMP_SQLITE, params).scalar_one()
    ctx.s.execute(_RING_SQLITE, {**params, "claim_seq": own})
    return own


def _quota_turns(read: Read, since: int) -> bool:
    """Whether counting every registration since the read as open could change
    the quota's verdict (from under the quota to over it)."""
    if read.open_count is None or read.quota is None:
        return False
    return read.open_count < read.quota <= read.open_count + since


def _touches(row, name: str, customer: Customer, match: CustomerMatch) -> bool:
    """Whether a registration committed unseen could have changed this one's lookup
    or its claims: it claimed, or its name resembled, this very customer or the one
    this name resembles (two names may each resemble a third and not each other),
    or it claimed one this name resembles. (One of the same canonical name or credit
    code is this very customer: both are unique, and the lookup takes that row.)"""
    customer_id, their_resembled, their_name = row
    ours = {customer.id} | ({match.matched.id} if match.matched is not None else set())
    return customer_id in ours or their_resembled in ours or compare(name, their_name).verdict != "distinct"

"""Statements per registration on the accepted path (issue 16: at most 12).

Counted with SQLAlchemy's ``before_cursor_execute`` on the engine over
processing one inbox row (``Inbox.process``: claim → router → the registration
handler → commit); outbox delivery is batched separately and not part of it.
Measured with warm caches (a registration ran before in the process), the
way a worker runs.

What each statement is for is told apart by where it is issued: the inbox's own
(the claim, the sender, marking the row done) outside ``Router.dispatch``; the
audit chain's by its tables; the rest is the command's (customer, checks,
registration, lock, the reply's outbox row). The inbox's share on PostgreSQL is
one statement per command (marking the row done reads the sender); the claim of
a batch of rows by a worker is one more statement per batch, outside
``Inbox.process``. The audit costs one INSERT per event (sealed later, apart).
On PostgreSQL the whole is asserted against the budget; on SQLite (the embedded
default, not where the budget is set) the command's and the audit's shares.

With Redis (production) conversation state and the user's language cost no
SQL; on SQLite without Redis they live in the kv_state table and are counted
apart."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from chat.context import Context
from models import AuditEvent, Customer, Registration, RegistrationLock
from tests.support.statements import counting

BUDGET = 12
# The command's own statements: reference data (catalog + rule version), the
# partner (+ the new id and its claim number), the name's lookup, the customer's lock
# and its claims (a known customer) or the customer with its index tokens (a new one:
# one statement on PostgreSQL, two on SQLite), the registration, its lock, the reply,
# and last the partner's claim number bumped (its row lock) with the slot of its ring
# of recent claims (one statement on PostgreSQL, two on SQLite). With another of the
# partner's registrations committed meanwhile, one more reads their customers
# (handlers/registration/partner_lock.py); one at a time, as here, none has.
COMMAND_KNOWN = {"postgresql": 9, "sqlite": 10}
COMMAND_NEW = {"postgresql": 9, "sqlite": 11}
# What the inbox and the audit chain cost (see the module's docstring).
INBOX_PER_COMMAND = 1
AUDIT_PER_EVENT = 1

WARM_UP = ("dealer_bj_li", "报备 北京大学第一医院 彩超 60万")
KNOWN = ("dealer_bj_li", "报备 北京协和医院 心内科 彩超2台 80万 12月底签")
NEW = ("dealer_bj_li", "报备 北京市海淀医院 彩超 80万")

_AUDIT = re.compile(r"\baudit_(head|events)\b")
_KV = re.compile(r"\bkv_state\b")
_SPACE = re.compile(r"\s+")


@dataclass
class Phases:
    inbox: list[str] = field(default_factory=list)
    command: list[str] = field(default_factory=list)
    audit: list[str] = field(default_factory=list)
    kv: list[str] = field(default_factory=list)

    @property
    def audit_events(self) -> int:
        return sum(1 for sql in self.audit if sql.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS"))

    def total(self) -> int:
        return len(self.inbox) + len(self.command) + len(self.audit)

    def listing(self) -> str:
        out = []
        for part in ("inbox", "command", "audit", "kv"):
            out.append(f"  {part}: {len(getattr(self, part))}")
            out += ["    " + _SPACE.sub(" ", sql)[:150] for sql in getattr(self, part)]
        return "\n".join(out)


def _process(app, driver, user: str, text: str) -> tuple[Phases, Registration]:
    q = app.extensions["qudao"]
    router = q.inbox.router
    inbox_id = q.inbox.accept(driver._inbound(user, "text", text=text), f"test:budget:{user}:{text}")
    marks: list[int] = []
    inner, inner_finish = type(router).dispatch, Context.finish
    with counting(q.engine) as st:
        def marked(run):
            def wrapped(*args):
                marks.append(len(st.issued))
                try:
                    run(*args)
                finally:
                    marks.append(len(st.issued))
            return wrapped
        router.dispatch = marked(lambda ctx: inner(router, ctx))
        Context.finish = marked(inner_finish)        # the steps a command keeps for its end (at_end)
        try:
            assert q.inbox.process(inbox_id) == "done"
        finally:
            del router.dispatch
            Context.finish = inner_finish
    q.deliverer.drain()
    start, end, finish_start, finish_end = marks
    phases = Phases()
    for i, sql in enumerate(st.issued):
        if _AUDIT.search(sql):
            phases.audit.append(sql)
        elif _KV.search(sql):
            phases.kv.append(sql)
        elif start <= i < end or finish_start <= i < finish_end:
            phases.command.append(sql)
        else:
            phases.inbox.append(sql)
    with q.factory() as s:
        reg = s.execute(select(Registration).order_by(Registration.id.desc()).limit(1)).scalar_one()
    return phases, reg


def _measure(app, driver) -> dict[str, Phases]:
    _process(app, driver, *WARM_UP)
    out = {}
    for label, (user, text) in (("known", KNOWN), ("new", NEW)):
        phases, reg = _process(app, driver, user, text)
        assert reg.status == "approved", reg.verdicts        # the accepted path
        print(f"\n{label}: {phases.total()} statements\n{phases.listing()}")
        out[label] = phases
    q = app.extensions["qudao"]
    with q.factory() as s:       # what was written is the whole registration
        regs = s.execute(select(Registration).order_by(Registration.id)).scalars().all()
        assert [r.number for r in regs] == [f"RG20261123-{r.id:04d}" for r in regs]
        assert s.execute(select(Customer.source).where(Customer.name == "北京市海淀医院")).scalar_one() == "chat"
        assert sorted(s.execute(select(RegistrationLock.registration_id)).scalars()) == [r.id for r in regs]
        assert len(s.execute(select(AuditEvent).where(AuditEvent.action == "registration.submitted")).all()) == 3
    return out


def _assert_budget(found: dict[str, Phases], dialect: str) -> None:
    for label, command_budget in (("known", COMMAND_KNOWN[dialect]), ("new", COMMAND_NEW[dialect])):
        phases = found[label]
        assert len(phases.command) <= command_budget, phases.listing()
        assert phases.audit_events == 1, phases.listing()
        assert len(phases.audit) == AUDIT_PER_EVENT * phases.audit_events, phases.listing()
        if dialect == "postgresql":       # production: PostgreSQL and Redis
            assert len(phases.inbox) <= INBOX_PER_COMMAND and not phases.kv, phases.listing()
            assert phases.total() <= BUDGET, phases.listing()
        # the merged reads stay merged: one partner read (its lock), at most one count (the quota)
        assert sum(sql.lstrip().startswith("SELECT partners.") for sql in phases.command) == 1
        assert sum("count(*)" in sql for sql in phases.command) <= 1
        # the partner's row lock is the last statement: held for the commit only
        assert "UPDATE partners SET claim_seq" in (phases.command[-1] if dialect == "postgresql"
                                                   else phases.command[-2]), phases.listing()
        assert "partner_recent_claims" in phases.command[-1], phases.listing()
        assert not any("FOR UPDATE" in sql and "partners" in sql for sql in phases.command), phases.listing()


def test_a_registration_costs_at_most_its_budget_on_postgres(pg_app, pg_driver):
    _assert_budget(_measure(pg_app, pg_driver), "postgresql")


def test_a_registration_costs_at_most_its_budget_on_sqlite(app, driver):
    _assert_budget(_measure(app, driver), "sqlite")

"""The audit trail on PostgreSQL under concurrency: appenders never wait for
each other (no shared row), and sealers racing each other and the appenders
seal every committed event exactly once — including an event whose
transaction commits after events with higher ids were already sealed."""
from __future__ import annotations

import itertools
import random
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from chat import audit
from models import AuditBatch, AuditEvent
from models.db import make_engine, make_session_factory

pytestmark = [pytest.mark.postgres]

T = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
THREADS, EACH = 8, 50


@pytest.fixture
def factory(pg_url):
    engine = make_engine(pg_url)
    yield make_session_factory(engine)
    engine.dispose()


def record(s, actor: str, entity_id: str) -> AuditEvent:
    return audit.record(s, at=T, actor=actor, action="registration.submitted", entity_type="registration",
                        entity_id=entity_id, after={"amount_fen": 80_000_000, "customer": "北京协和医院"},
                        verdicts=[{"rule_id": "quota", "reason_code": "OK", "outcome": "pass"}])


def test_many_appenders_and_two_racing_sealers_seal_every_event_exactly_once(factory):
    audit.seal_all(factory)                         # whatever the template's seed recorded
    errors: list[BaseException] = []
    sealed_by: dict[str, list[int]] = {"one": [], "two": []}
    appending = threading.Event()
    appending.set()

    def appender(t: int) -> None:
        rnd = random.Random(t)
        try:
            for i in range(EACH):
                with factory() as s, s.begin():
                    record(s, f"dealer{t}", f"T{t}-{i}")
                    s.flush()
                    time.sleep(rnd.random() * 0.01)     # commit late: higher ids may be sealed first
        except BaseException as exc:                     # reported by the test below
            errors.append(exc)

    def sealer(name: str) -> None:
        try:
            while appending.is_set():
                sealed_by[name] += audit.seal_all(factory, batch_max=37).batches
                time.sleep(0.002)
        except BaseException as exc:
            errors.append(exc)

    sealers = [threading.Thread(target=sealer, args=(n,)) for n in sealed_by]
    appenders = [threading.Thread(target=appender, args=(t,)) for t in range(THREADS)]
    for th in sealers + appenders:
        th.start()
    for th in appenders:
        th.join(120)
    appending.clear()
    for th in sealers:
        th.join(60)
    assert not errors, errors
    final = audit.seal_all(factory).batches

    with factory() as s:
        events = list(s.execute(select(AuditEvent.id, AuditEvent.seq, AuditEvent.batch, AuditEvent.entity_id)
                                .order_by(AuditEvent.seq)).all())
        batches = list(s.execute(select(AuditBatch).order_by(AuditBatch.number)).scalars())
        report = audit.verify(s)
    mine = [e for e in events if e.entity_id.startswith("T")]
    assert len(mine) == THREADS * EACH and len({e.entity_id for e in mine}) == THREADS * EACH
    # every event sealed, at one place, in one batch
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    listed = [eid for b in batches for eid in b.event_ids]
    assert sorted(listed) == sorted(e.id for e in events) and len(listed) == len(set(listed))
    numbers = sorted(sealed_by["one"] + sealed_by["two"] + final)
    assert numbers == list(range(numbers[0], batches[-1].number + 1))     # each batch sealed by one sealer
    assert sealed_by["one"] and sealed_by["two"]                          # both sealers really sealed
    # the hard case happened: some event with a lower id committed after a higher one was sealed
    assert any(a.id > b.id for a, b in itertools.pairwise(events))
    assert report.ok and report.unsealed == 0 and report.events == len(events)


def test_two_commands_recording_events_do_not_wait_for_each_other(factory):
    audit.seal_all(factory)
    held = factory()
    held.begin()
    early = record(held, "dealer_bj_li", "RG-HELD")
    held.flush()                                    # inserted, transaction still open
    done: dict = {}

    def other_command() -> None:
        started = time.monotonic()
        with factory() as s, s.begin():
            s.execute(text("SET LOCAL lock_timeout = '3s'"))   # waiting on a lock would fail, not hang
            ev = record(s, "dealer_hx_sun", "RG-OTHER")
            s.flush()
            done["id"] = ev.id
        done["s"] = time.monotonic() - started

    th = threading.Thread(target=other_command)
    th.start()
    th.join(10)
    try:
        assert done.get("s") is not None and done["s"] < 1.0, done        # committed while the first is open
        assert done["id"] > early.id
        # The sealer seals what is committed; the open transaction's lower id is not skipped …
        assert audit.seal_all(factory).events == 1
        with factory() as s:
            assert s.get(AuditEvent, done["id"]).seq is not None
            assert audit.verify(s).ok
    finally:
        held.commit()
        held.close()
    # … it is sealed once it commits, after the higher id.
    assert audit.seal_all(factory).events == 1
    with factory() as s:
        late, other = s.get(AuditEvent, early.id), s.get(AuditEvent, done["id"])
        assert late.seq == other.seq + 1 and late.batch == other.batch + 1
        report = audit.verify(s)
        assert report.ok and report.unsealed == 0
        assert s.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.seq.is_(None))).scalar() == 0


def test_the_old_chain_is_migrated_on_postgresql():
    """Migration 0015 on PostgreSQL: the chain checked, sealed into batches keeping its hashes."""
    import secrets

    from alembic import command

    from models.db import alembic_config
    from tests.support.apps import pg_admin, pg_url_of
    from tests.unit.test_audit_migration import old_chain

    name = f"qudao_test_{secrets.token_hex(4)}"
    pg_admin(f'CREATE DATABASE "{name}"')
    engine = make_engine(pg_url_of(name))
    try:
        hashes = old_chain(engine, 1200)
        command.upgrade(alembic_config(engine), "head")
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT hash FROM audit_events ORDER BY seq")).scalars().all()
            batches = conn.execute(text("SELECT first_seq, last_seq FROM audit_batches ORDER BY number")).all()
        assert kept == hashes and [tuple(b) for b in batches] == [(1, 1000), (1001, 1200)]
        factory = make_session_factory(engine)
        with factory() as s, s.begin():
            record(s, "director", "RG-NEW")
        assert audit.seal_all(factory).batches == [3]
        with factory() as s:
            report = audit.verify(s)
        assert report.ok and report.events == 1201 and report.batches == 3
    finally:
        engine.dispose()
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

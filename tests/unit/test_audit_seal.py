"""The audit trail: one INSERT per event, sealed later into hash-linked Merkle
batches; verification names every kind of tampering (edited, deleted,
inserted, reordered events; altered, removed or re-linked batches), and
events not sealed yet are counted, not errors. On SQLite (a copy of the
migrated template); tests/e2e/test_postgres_audit.py races appenders and
sealers on PostgreSQL."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, event, select, update

from chat import audit
from models import AuditBatch, AuditEvent
from models.db import make_engine, make_session_factory

T = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


@pytest.fixture
def factory(empty_db_url):
    engine = make_engine(empty_db_url)
    yield make_session_factory(engine)
    engine.dispose()


def append(factory, n: int, start: int = 0) -> None:
    with factory() as s, s.begin():
        for i in range(start, start + n):
            audit.record(s, at=T + timedelta(seconds=i), actor=f"user{i % 3}", action="registration.submitted",
                         entity_type="registration", entity_id=f"RG{i:04d}", after={"amount_fen": 800000 + i,
                                                                                     "customer": "北京协和医院"},
                         verdicts=[{"rule_id": "quota", "outcome": "pass"}])


def report_of(factory, key=None) -> audit.AuditReport:
    with factory() as s:
        return audit.verify(s, key=key)


def event_at(s, seq: int) -> AuditEvent:
    return s.execute(select(AuditEvent).where(AuditEvent.seq == seq)).scalar_one()


def sealed(factory, n: int = 10, batch_max: int = 4) -> None:
    append(factory, n)
    result = audit.seal_all(factory, batch_max=batch_max)
    assert result.events == n


# ---- recording -----------------------------------------------------------------------------------

def test_record_is_one_insert_and_reads_nothing(factory):
    statements: list[str] = []
    engine = factory.kw["bind"]

    def count(conn, cursor, statement, params, context, executemany):
        statements.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", count)
    try:
        with factory() as s, s.begin():
            s.connection()              # the transaction's BEGIN is not the event's
            statements.clear()
            ev = audit.record(s, at=T, actor="dealer", action="registration.submitted", entity_type="registration",
                              entity_id="RG1", after={"amount_yuan": "800000.00", "when": T})
            s.flush()
            assert statements == ["INSERT"]
            assert ev.id is not None and ev.seq is None and ev.hash is None      # sealed later
            statements.clear()
            for i in range(3):
                audit.record(s, at=T, actor="dealer", action="x", entity_type="registration", entity_id=f"RX{i}")
            s.flush()
            # several events of one command go in together (one statement where the driver batches them)
            assert statements and set(statements) == {"INSERT"} and len(statements) <= 3
    finally:
        event.remove(engine, "before_cursor_execute", count)
    with factory() as s:
        stored = s.execute(select(AuditEvent).where(AuditEvent.entity_id == "RG1")).scalar_one()
        assert stored.after == {"amount_yuan": "800000.00", "when": T.isoformat(sep=" ")}


# ---- sealing -------------------------------------------------------------------------------------

def test_sealing_gives_each_event_its_place_and_links_the_batches(factory):
    append(factory, 10)
    first = audit.seal_all(factory, batch_max=4)
    assert first.batches == [1, 2, 3] and first.events == 10
    assert audit.seal_all(factory, batch_max=4).events == 0            # nothing twice
    append(factory, 3, start=10)
    assert audit.seal_all(factory, batch_max=4).batches == [4]
    with factory() as s:
        events = list(s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars())
        batches = list(s.execute(select(AuditBatch).order_by(AuditBatch.number)).scalars())
    assert [e.seq for e in events] == list(range(1, 14))
    assert [(b.first_seq, b.last_seq) for b in batches] == [(1, 4), (5, 8), (9, 10), (11, 13)]
    assert batches[0].prev_hash == audit.GENESIS
    assert [b.prev_hash for b in batches[1:]] == [b.hash for b in batches[:-1]]
    assert batches[3].event_ids == [e.id for e in events[10:]]
    assert all(e.hash == audit.content_hash(e) for e in events)
    assert batches[3].root == audit.merkle_root([e.hash for e in events[10:]])
    report = report_of(factory)
    assert report.ok and report.events == 13 and report.batches == 4 and report.unsealed == 0
    assert report.head == {"batch": 4, "last_seq": 13, "hash": batches[3].hash}


def test_unsealed_events_are_counted_not_errors(factory):
    sealed(factory, 5)
    append(factory, 2, start=5)
    report = report_of(factory)
    assert report.ok and report.events == 5 and report.unsealed == 2


def test_merkle_root_is_rfc6962():
    import hashlib
    leaves = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(3)]
    h = lambda b: hashlib.sha256(b).digest()          # noqa: E731
    node = [h(b"\x00" + bytes.fromhex(x)) for x in leaves]
    assert audit.merkle_root(leaves) == h(b"\x01" + h(b"\x01" + node[0] + node[1]) + node[2]).hex()
    assert audit.merkle_root(leaves[:1]) == node[0].hex()
    assert audit.merkle_root(leaves) != audit.merkle_root([leaves[1], leaves[0], leaves[2]])


# ---- tampering, each named -----------------------------------------------------------------------

def test_an_edited_event_is_named(factory):
    sealed(factory)
    with factory() as s, s.begin():
        victim = event_at(s, 6)
        victim.after = {**victim.after, "amount_fen": 1}
        victim_id = victim.id
    report = report_of(factory)
    assert not report.ok
    assert [(p.kind, p.seq, p.event_id, p.batch) for p in report.problems] == \
           [(audit.CONTENT_CHANGED, 6, victim_id, 2)]


def test_an_edited_and_rehashed_event_breaks_its_batch_root(factory):
    sealed(factory)
    with factory() as s, s.begin():
        victim = event_at(s, 6)
        victim.actor = "someone_else"
        s.flush()
        victim.hash = audit.content_hash(victim)
    [problem] = report_of(factory).problems
    assert (problem.kind, problem.batch, problem.seq) == (audit.ROOT_MISMATCH, 2, 5)


def test_a_deleted_event_is_named(factory):
    sealed(factory)
    with factory() as s, s.begin():
        victim_id = event_at(s, 3).id
        s.execute(delete(AuditEvent).where(AuditEvent.id == victim_id))
    [problem] = report_of(factory).problems
    assert (problem.kind, problem.seq, problem.event_id, problem.batch) == (audit.MISSING, 3, victim_id, 1)


def test_deleting_the_newest_events_is_seen(factory):
    sealed(factory)
    with factory() as s, s.begin():
        s.execute(delete(AuditEvent).where(AuditEvent.seq >= 9))
    assert [(p.kind, p.seq) for p in report_of(factory).problems] == [(audit.MISSING, 9), (audit.MISSING, 10)]


def test_an_inserted_event_is_named(factory):
    sealed(factory)
    with factory() as s, s.begin():
        for seq in range(10, 4, -1):        # make room at seq 5 …
            s.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(seq=seq + 1))
        forged = AuditEvent(at=T, actor="mgr_north", action="appeal.decided", entity_type="appeal",
                            entity_id="AP0001", seq=5, batch=2)
        s.add(forged)
        s.flush()
        forged.hash = audit.content_hash(forged)     # … with a hash that matches its content
        forged_id = forged.id
    report = report_of(factory)
    first = report.first_bad
    assert (first.kind, first.seq, first.event_id, first.batch) == (audit.INSERTED, 5, forged_id, 2)


def test_an_event_claiming_a_place_after_the_last_batch_is_inserted(factory):
    sealed(factory)
    with factory() as s, s.begin():
        s.add(AuditEvent(at=T, actor="x", action="y", entity_type="z", entity_id="1", seq=11, batch=3,
                         hash="0" * 64))
    [problem] = report_of(factory).problems
    assert (problem.kind, problem.seq) == (audit.INSERTED, 11)


def test_reordered_events_are_named(factory):
    sealed(factory)
    with factory() as s, s.begin():
        a, b = event_at(s, 5), event_at(s, 7)
        ids = a.id, b.id
        a.seq = -1
        s.flush()
        b.seq = 5
        s.flush()
        a.seq = 7
    problems = report_of(factory).problems
    assert [(p.kind, p.seq, p.event_id) for p in problems] == [(audit.OUT_OF_ORDER, 5, ids[1]),
                                                              (audit.OUT_OF_ORDER, 7, ids[0])]


def test_an_event_reset_to_unsealed_is_named_and_not_sealed_again(factory):
    sealed(factory)
    with factory() as s, s.begin():
        victim = event_at(s, 2)
        victim.seq, victim_id = None, victim.id
    assert audit.seal_all(factory).events == 0
    [problem] = report_of(factory).problems
    assert (problem.kind, problem.seq, problem.event_id) == (audit.OUT_OF_ORDER, 2, victim_id)


def test_an_altered_batch_is_named(factory):
    sealed(factory)
    with factory() as s, s.begin():
        s.get(AuditBatch, 2).root = "f" * 64
    problems = report_of(factory).problems
    assert (problems[0].kind, problems[0].batch) == (audit.BATCH_ALTERED, 2)
    assert (problems[1].kind, problems[1].batch) == (audit.ROOT_MISMATCH, 2)


def test_a_removed_batch_breaks_the_link(factory):
    sealed(factory)
    with factory() as s, s.begin():
        s.execute(delete(AuditBatch).where(AuditBatch.number == 2))
    first = report_of(factory).first_bad
    assert (first.kind, first.batch) == (audit.LINK_BROKEN, 3)


def test_a_batch_rewritten_consistently_breaks_the_next_link(factory):
    """Edit an event, then recompute its hash, its batch's root and the batch's
    hash: only the next batch's link gives it away (and a key would)."""
    sealed(factory)
    with factory() as s, s.begin():
        victim = event_at(s, 2)
        victim.actor = "someone_else"
        s.flush()
        victim.hash = audit.content_hash(victim)
        s.flush()
        b = s.get(AuditBatch, 1)
        leaves = [event_at(s, q).hash for q in range(b.first_seq, b.last_seq + 1)]
        b.root = audit.merkle_root(leaves)
        b.hash = audit.batch_hash(b.number, b.first_seq, b.last_seq, b.event_ids, b.root, b.prev_hash,
                                  b.sealed_at, None)
    [problem] = report_of(factory).problems
    assert (problem.kind, problem.batch) == (audit.LINK_BROKEN, 2)


def test_keyed_batches_need_the_key(factory):
    append(factory, 6)
    audit.seal_all(factory, key="k3y", batch_max=4)
    assert report_of(factory, key="k3y").ok
    without = report_of(factory)                 # can't check the HMACs without the key: not ok, said once
    assert not without.ok and without.notes and [p.kind for p in without.problems] == [audit.KEY_NEEDED]
    wrong = report_of(factory, key="other")
    assert [p.kind for p in wrong.problems] == [audit.BATCH_ALTERED, audit.BATCH_ALTERED]
    with factory() as s, s.begin():              # a forger without the key re-seals batch 2 unkeyed
        b = s.get(AuditBatch, 2)
        b.keyed = False
        b.hash = audit.batch_hash(b.number, b.first_seq, b.last_seq, b.event_ids, b.root, b.prev_hash,
                                  b.sealed_at, None)
    [problem] = report_of(factory, key="k3y").problems
    assert (problem.kind, problem.batch) == (audit.BATCH_ALTERED, 2)

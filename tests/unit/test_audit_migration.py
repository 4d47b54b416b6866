"""Migration 0015 from the hash chain (one audit_head row) to sealed batches:
the old events keep their seq, hash and prev_hash and are sealed into batches;
a tampered chain stops the migration, naming the event; downgrading chains
everything again by the old rule."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import text

from chat import audit
from models.db import alembic_config, make_engine, make_session_factory

T = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def old_chain(engine, n: int) -> list[str]:
    """A database at 0014 with ``n`` events chained the old way; their hashes."""
    command.upgrade(alembic_config(engine), "0014")
    prev, hashes = audit.GENESIS, []
    with engine.begin() as conn:
        for seq in range(1, n + 1):
            at = T + timedelta(minutes=seq)
            after = {"amount_yuan": str(1000 * seq), "customer": "北京协和医院"}
            digest = audit.legacy_hash(prev, seq, at, "dealer_bj_li", "registration.submitted", "registration",
                                       f"RG{seq}", None, after, None)
            conn.execute(text("INSERT INTO audit_events (seq, at, actor, action, entity_type, entity_id, after, "
                              "prev_hash, hash) VALUES (:seq, :at, 'dealer_bj_li', 'registration.submitted', "
                              "'registration', :eid, :after, :prev, :hash)"),
                         {"seq": seq, "eid": f"RG{seq}",
                          "at": at.strftime("%Y-%m-%d %H:%M:%S.%f") if engine.dialect.name == "sqlite" else at,
                          "after": audit._canonical(after), "prev": prev, "hash": digest})
            prev = digest
            hashes.append(digest)
        conn.execute(text("INSERT INTO audit_head (id, seq, last_hash) VALUES (1, :n, :h)"), {"n": n, "h": prev})
    return hashes


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    yield engine
    engine.dispose()


def test_the_old_chain_is_sealed_into_batches_keeping_its_hashes(engine):
    hashes = old_chain(engine, 2500)
    command.upgrade(alembic_config(engine), "head")
    factory = make_session_factory(engine)
    with engine.connect() as conn:
        batches = conn.execute(text("SELECT number, first_seq, last_seq FROM audit_batches ORDER BY number")).all()
        kept = conn.execute(text("SELECT hash FROM audit_events ORDER BY seq")).scalars().all()
        tables = conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).scalars().all()
    assert [tuple(b) for b in batches] == [(1, 1, 1000), (2, 1001, 2000), (3, 2001, 2500)]
    assert kept == hashes and "audit_head" not in tables
    with factory() as s:
        report = audit.verify(s)
    assert report.ok and report.events == 2500 and report.batches == 3
    # New events follow on: seq 2501…, batch 4 linked to batch 3.
    with factory() as s, s.begin():
        audit.record(s, at=T, actor="director", action="approval.approved", entity_type="approval", entity_id="A1")
    assert audit.seal_all(factory).batches == [4]
    with factory() as s, s.begin():             # an old event edited after the migration: still seen
        s.execute(text("UPDATE audit_events SET actor = 'someone_else' WHERE seq = 1500"))
    with factory() as s:
        report = audit.verify(s)
    assert report.events == 2501 and [(p.kind, p.seq) for p in report.problems] == [(audit.CONTENT_CHANGED, 1500)]


@pytest.mark.parametrize("tamper, named", [
    ("UPDATE audit_events SET actor = 'x' WHERE seq = 7", "seq 7"),
    ("DELETE FROM audit_events WHERE seq = 4", "seq 4 is missing"),
    ("DELETE FROM audit_events WHERE seq = 10", "events after it were removed"),
])
def test_a_tampered_chain_stops_the_migration(engine, tamper, named):
    old_chain(engine, 10)
    with engine.begin() as conn:
        conn.execute(text(tamper))
    with pytest.raises(RuntimeError, match=named):
        command.upgrade(alembic_config(engine), "head")


def test_downgrade_chains_everything_again(engine):
    old_chain(engine, 5)
    cfg = alembic_config(engine)
    command.upgrade(cfg, "head")
    factory = make_session_factory(engine)
    with factory() as s, s.begin():
        for i in range(3):
            audit.record(s, at=T, actor="director", action="approval.approved", entity_type="approval",
                         entity_id=f"A{i}")
    audit.seal_all(factory, batch_max=2)
    with factory() as s, s.begin():
        audit.record(s, at=T, actor="director", action="unsealed.one", entity_type="approval", entity_id="A9")
    command.downgrade(cfg, "0014")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT seq, at, actor, action, entity_type, entity_id, before, after, verdicts, "
                                 "prev_hash, hash FROM audit_events ORDER BY seq")).mappings().all()
        head = conn.execute(text("SELECT seq, last_hash FROM audit_head")).one()
    prev = audit.GENESIS
    for seq, row in enumerate(rows, start=1):
        at = datetime.fromisoformat(row["at"]).replace(tzinfo=UTC)
        loads = lambda v: None if v is None else __import__("json").loads(v)     # noqa: E731
        assert row["seq"] == seq and row["prev_hash"] == prev
        assert row["hash"] == audit.legacy_hash(prev, seq, at, row["actor"], row["action"], row["entity_type"],
                                                row["entity_id"], loads(row["before"]), loads(row["after"]),
                                                loads(row["verdicts"]))
        prev = row["hash"]
    assert len(rows) == 9 and rows[-1]["action"] == "unsealed.one" and tuple(head) == (9, prev)

"""The queue tables' statistics are kept current by the processes themselves
(chat/queue_stats.py): a burst the planner's statistics have not seen would
otherwise make every claim read every waiting row."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from chat import inbox, outbox_queue, queue_stats
from chat.queue_stats import QueueStatistics

pytestmark = pytest.mark.postgres

HISTORY = 20_000
BURST = 3_000


class _Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _insert_new(c, n: int, prefix: str = "n") -> None:
    c.execute(text("""INSERT INTO inbox (platform, dedup_key, sender, payload, received_at, status, attempts,
                                          claim_key)
        SELECT 'wecom', :p || g, 'u' || (g % 3), '{}'::json, now(), 'new', 0, :p || g
        FROM generate_series(1, :n) g"""), {"n": n, "p": prefix})


def _flush_stats(c) -> None:
    """This session's counts reach pg_stat_user_tables when its next transaction ends."""
    c.execute(text("SELECT pg_stat_force_next_flush()"))


def _last_analyze(engine, table: str):
    with engine.connect() as c:
        return c.execute(text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = :t"),
                         {"t": table}).scalar()


@pytest.fixture
def engine(pg_url):
    engine = create_engine(pg_url)
    yield engine
    engine.dispose()


def test_a_burst_is_analyzed_once_it_passes_the_threshold(engine):
    clock = _Clock()
    stats = QueueStatistics(engine, min_changes=500, monotonic=clock, background=False)
    with engine.begin() as c:
        _flush_stats(c)
        _insert_new(c, 400)
    assert stats.tick(True) == []                       # 400 changes: not yet
    assert _last_analyze(engine, "inbox") is None
    with engine.begin() as c:
        _flush_stats(c)
        _insert_new(c, 200, prefix="m")
    assert stats.tick(True) == []                       # within the second since the last look: no query
    clock.t += 1.5
    assert stats.tick(True) == ["inbox"]                # 600 changes now
    assert _last_analyze(engine, "inbox") is not None
    clock.t += 1.5
    assert stats.tick(True) == []                       # analyzed: the count starts again


def test_an_idle_process_asks_nothing_and_a_busy_one_keeps_looking_a_while(engine):
    """Changes reach pg_stat_user_tables up to seconds late, so the loops keep
    looking for LINGER_S after their last work; then they stop asking."""
    clock = _Clock()
    stats = QueueStatistics(engine, min_changes=100, linger_s=15, monotonic=clock, background=False)
    with engine.begin() as c:
        _flush_stats(c)
        _insert_new(c, 300)
    assert stats.tick(False) == []                      # it never worked: no look
    assert _last_analyze(engine, "inbox") is None
    clock.t += 5
    assert stats.tick(True) == ["inbox"]                # work seen: it looks, and analyzes
    with engine.begin() as c:
        _flush_stats(c)
        _insert_new(c, 300, prefix="late")              # reported after the round that wrote them
    clock.t += 10
    assert stats.tick(False) == ["inbox"]               # 10 s after its last work: still looking
    with engine.begin() as c:
        _flush_stats(c)
        _insert_new(c, 300, prefix="later")
    clock.t += 16
    assert stats.tick(False) == []                      # idle longer than the linger: no look


def test_one_process_analyzes_at_a_time(engine):
    stats = QueueStatistics(engine, min_changes=100, monotonic=_Clock(), background=False)
    with engine.begin() as c:
        _flush_stats(c)
        _insert_new(c, 300)
    with engine.connect() as other:
        other.execute(text("SELECT pg_advisory_lock(:k)"), {"k": queue_stats._LOCK_KEY})
        assert stats.tick(True) == []                   # another process holds it: skipped
        other.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": queue_stats._LOCK_KEY})
    assert _last_analyze(engine, "inbox") is None


def test_a_user_that_does_not_own_the_tables_warns_once_and_stops(engine, caplog):
    role = f"qudao_stats_reader_{secrets.token_hex(3)}"       # roles are the server's, not the database's
    with engine.begin() as c:
        c.execute(text(f"CREATE ROLE {role} NOLOGIN"))
        c.execute(text(f"GRANT SELECT ON inbox, outbox TO {role}"))
        _flush_stats(c)
        _insert_new(c, 300)
    clock = _Clock()
    reader = create_engine(engine.url, connect_args={"options": f"-c role={role}"})
    try:
        stats = QueueStatistics(reader, min_changes=100, monotonic=clock, background=False)
        with caplog.at_level("WARNING", logger="chat.queue_stats"):
            assert stats.tick(True) == []
            clock.t += 2
            assert stats.tick(True) == []
        warned = [r for r in caplog.records if "does not own" in r.getMessage()]
        assert len(warned) == 1 and "inbox" in warned[0].getMessage()
        assert _last_analyze(engine, "inbox") is None
    finally:
        reader.dispose()
        with engine.begin() as c:
            c.execute(text(f"DROP OWNED BY {role}"))
            c.execute(text(f"DROP ROLE {role}"))


def test_a_loop_never_waits_for_the_look(engine, monkeypatch):
    """In the processes the look runs in a thread of its own: ``tick`` returns at
    once, the analysis happens all the same (and a look under way is not doubled)."""
    # A lock wait long enough that the look is surely still waiting when tick has returned.
    monkeypatch.setattr(queue_stats, "_TIMEOUTS", (text("SET LOCAL lock_timeout = '2s'"),))
    with engine.begin() as c:
        _flush_stats(c)
        _insert_new(c, 300)
    clock = _Clock()
    stats = QueueStatistics(engine, min_changes=100, monotonic=clock)
    with engine.connect() as other:                 # hold the look up: it waits to analyze
        other.execute(text("LOCK TABLE inbox IN SHARE UPDATE EXCLUSIVE MODE"))
        assert stats.tick(True) == []
        looking = stats._looking
        assert looking.is_alive()                   # tick returned while the look waits for the table
        clock.t += 2
        assert stats.tick(True) == [] and stats._looking is looking     # no second look meanwhile
        looking.join(10)
        assert not looking.is_alive()               # it gave up on the lock rather than wait for it
        other.rollback()
    assert _last_analyze(engine, "inbox") is None
    clock.t += 2
    assert stats.tick(True) == []
    stats._looking.join(10)
    assert _last_analyze(engine, "inbox") is not None


def test_a_table_locked_elsewhere_costs_only_its_own_turn(engine, caplog):
    with engine.begin() as c:
        _flush_stats(c)
        _insert_new(c, 300)
        c.execute(text("""INSERT INTO outbox (platform, idem_key, recipient, payload, status, attempts,
                                               next_attempt_at, created_at)
            SELECT 'wecom', 'p' || g, 'u', '{}'::json, 'pending', 0, now(), now()
            FROM generate_series(1, 300) g"""))
    stats = QueueStatistics(engine, min_changes=100, monotonic=_Clock(), background=False)
    with engine.connect() as other, caplog.at_level("INFO", logger="chat.queue_stats"):
        other.execute(text("LOCK TABLE inbox IN SHARE UPDATE EXCLUSIVE MODE"))     # as a VACUUM would
        assert stats.tick(True) == ["outbox"]
        other.rollback()
    assert _last_analyze(engine, "inbox") is None and _last_analyze(engine, "outbox") is not None
    assert any("analyzing inbox gave way" in r.getMessage() for r in caplog.records)
    assert not any(r.levelname == "WARNING" for r in caplog.records)


def test_sqlite_asks_nothing(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'q.db'}")
    assert QueueStatistics(engine, min_changes=0, background=False).tick(True) == []


# ---- what it is for: the plans after a burst ----------------------------------------------

def _plan(engine, stmt, params) -> str:
    compiled = stmt.compile(engine)
    with engine.connect() as c:
        rows = c.exec_driver_sql("EXPLAIN " + str(compiled), compiled.construct_params(params)).all()
        c.rollback()
    return "\n".join(r[0] for r in rows)


def test_after_a_burst_the_claims_walk_only_the_rows_they_take(engine):
    """Statistics taken over history alone, then a burst of new messages and replies:
    once analyzed, the inbox claim walks its partial index in id order (no sort of
    every new row) and looks up each key in the key index; the outbox claim finds
    each head through the recipient index. (Without the analysis PostgreSQL 15 plans
    a key lookup through every new row, and a head lookup through every due one.)"""
    with engine.begin() as c:
        c.execute(text(f"""INSERT INTO inbox (platform, dedup_key, sender, payload, received_at, status, attempts,
                                               claim_key)
            SELECT 'wecom', 'd' || g, 'u' || (g % 500), '{{}}'::json, now(), 'done', 1, 'k' || g
            FROM generate_series(1, {HISTORY}) g"""))
        c.execute(text(f"""INSERT INTO outbox (platform, idem_key, recipient, payload, status, attempts,
                                                next_attempt_at, created_at, sent_at)
            SELECT 'wecom', 's' || g, 'u' || (g % 500), '{{}}'::json, 'sent', 1, now(), now(), now()
            FROM generate_series(1, {HISTORY}) g"""))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("ANALYZE inbox, outbox"))
    with engine.begin() as c:
        _flush_stats(c)
        _insert_new(c, BURST)
        c.execute(text("""INSERT INTO inbox_cursor (name, upto) VALUES ('inbox', (SELECT max(id) FROM inbox))
                          ON CONFLICT (name) DO UPDATE SET upto = excluded.upto"""))
        c.execute(text(f"""INSERT INTO outbox (platform, idem_key, recipient, payload, status, attempts,
                                                next_attempt_at, created_at)
            SELECT 'wecom', 'p' || g, 'u' || (g % 500), '{{}}'::json, 'pending', 0,
                   now() - interval '1 second', now()
            FROM generate_series(1, {BURST}) g"""))
    assert QueueStatistics(engine, background=False).tick(True) == ["inbox", "outbox"]

    claim = _plan(engine, inbox._CLAIM_ANY, {"token": "t", "limit": 8})
    assert "Sort" not in claim and "Bitmap Heap Scan on inbox" not in claim, claim
    assert "Index Only Scan using ix_inbox_new_key on inbox later" in claim, claim
    due = _plan(engine, outbox_queue.DUE, {"now": datetime.now(UTC), "scan": 40})
    assert "using ix_outbox_open on outbox outbox_1" in due, due


def test_the_inbox_is_analyzed_from_a_small_sample_of_the_columns_plans_read(engine):
    """Migration 0021: the columns the claims filter and order by keep a statistics
    target of 10 (a 3,000-row sample); the payload and the keys only ever looked up
    through their unique indexes are not measured at all. (The plans above are taken
    with these targets.)"""
    with engine.connect() as c:
        targets = dict(c.execute(text("""SELECT attname, attstattarget FROM pg_attribute
            WHERE attrelid = 'inbox'::regclass AND attnum > 0 AND NOT attisdropped""")).all())
    assert {targets[name] for name in ("payload", "dedup_key", "replay_key", "sender", "error", "platform")} == {0}
    assert {targets[name] for name in ("id", "status", "claim_key", "next_attempt_at", "lease_until")} == {10}
    assert set(targets) == {"id", "platform", "dedup_key", "replay_key", "sender", "payload", "claim_key",
                            "received_at", "status", "attempts", "processed_at", "error", "claimed_by",
                            "lease_until", "next_attempt_at"}, "a new inbox column: give it a target in a migration"

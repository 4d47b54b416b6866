"""Finding work must not read history: with many done inbox rows and sent outbox rows,
PostgreSQL's plans for the claims go through the partial indexes of the rows still to
do — also as the generic plans prepared statements switch to after a few runs. (A
status bound as a parameter instead of written as a literal, or an index dropped,
sends them back to walking the whole table.)"""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, text

from chat import inbox, outbox_queue

pytestmark = pytest.mark.postgres

HISTORY = 50_000


@pytest.fixture
def busy_engine(pg_url):
    engine = create_engine(pg_url)
    with engine.begin() as c:
        c.execute(text(f"""INSERT INTO inbox (platform, dedup_key, sender, payload, received_at, status, attempts,
                                               claim_key)
            SELECT 'wecom', 'done' || g, 'u' || (g % 500), '{{}}'::json, now(), 'done', 1, 'k' || g
            FROM generate_series(1, {HISTORY}) g"""))
        c.execute(text("""INSERT INTO inbox (platform, dedup_key, sender, payload, received_at, status, attempts,
                                              claim_key)
            SELECT 'wecom', 'new' || g, 'u' || (g % 500), '{}'::json, now(), 'new', 0, 'n' || g
            FROM generate_series(1, 300) g"""))
        c.execute(text("""INSERT INTO inbox_cursor (name, upto) VALUES ('inbox', (SELECT max(id) FROM inbox))
                          ON CONFLICT (name) DO UPDATE SET upto = excluded.upto"""))
        c.execute(text(f"""INSERT INTO outbox (platform, idem_key, recipient, payload, status, attempts,
                                                next_attempt_at, created_at, sent_at)
            SELECT 'wecom', 'sent' || g, 'u' || (g % 500), '{{}}'::json, 'sent', 1, now(), now(), now()
            FROM generate_series(1, {HISTORY}) g"""))
        c.execute(text("""INSERT INTO outbox (platform, idem_key, recipient, payload, status, attempts,
                                               next_attempt_at, created_at)
            SELECT 'wecom', 'parked' || g, 'u' || (g % 3), '{}'::json, 'pending', 0, now() + interval '1 hour', now()
            FROM generate_series(1, 2000) g"""))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("ANALYZE inbox, outbox"))
    yield engine
    engine.dispose()


def _plans(engine, stmt, params) -> tuple[str, str]:
    """The plan of the first run and of the ninth (by then a generic one, if the planner
    prefers it), each inside a rolled-back transaction."""
    compiled = stmt.compile(engine)
    sql, bound = str(compiled), compiled.construct_params(params)
    out = []
    with engine.connect() as c:
        c.exec_driver_sql("PREPARE q AS " + _numbered(sql, bound), ())
        values = ", ".join(_literal(v) for v in bound.values())
        c.exec_driver_sql("SET plan_cache_mode = force_custom_plan")
        out.append(_explain(c, values))
        c.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        out.append(_explain(c, values))
        c.rollback()
        c.exec_driver_sql("DEALLOCATE q")
    return out[0], out[1]


def _numbered(sql: str, bound: dict) -> str:
    for i, name in enumerate(bound, 1):
        sql = sql.replace(f"%({name})s", f"${i}")
    return sql


def _literal(value) -> str:
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'::timestamptz"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "ARRAY[" + ", ".join(_literal(v) for v in value) + "]"
    return "'" + str(value).replace("'", "''") + "'"


def _explain(c, values: str) -> str:
    return "\n".join(row[0] for row in c.exec_driver_sql(f"EXPLAIN EXECUTE q({values})"))


def test_the_outbox_claim_reads_only_open_rows(busy_engine):
    now = datetime.now(UTC)
    for plan in _plans(busy_engine, outbox_queue.DUE, {"now": now, "scan": 50}):
        assert "ix_outbox_due_open" in plan and "ix_outbox_open" in plan, plan
        assert "pk_outbox" not in plan and "Seq Scan" not in plan, plan
    for plan in _plans(busy_engine, outbox_queue.RELEASE, {"b_recipient": "u1", "b_done": 1, "b_now": now}):
        assert "ix_outbox_open" in plan and "Seq Scan" not in plan, plan


def test_the_inbox_claims_read_only_new_rows(busy_engine):
    for stmt, params in ((inbox._CLAIM_ANY, {"token": "t", "limit": 8}),
                         (inbox._CLAIM_KEY, {"token": "t", "limit": 1, "key": "n5"})):
        for plan in _plans(busy_engine, stmt, params):
            assert "ix_inbox_new" in plan, plan
            assert "Seq Scan on inbox" not in plan and "ix_inbox_status" not in plan, plan
            assert "Bitmap Index Scan on pk_inbox" not in plan, plan


def test_writing_a_reply_reads_only_its_recipients_open_rows(busy_engine):
    """The reply's INSERT looks at its recipient's oldest open row (is the queue held back?)
    and at the newest (its place after it; how deep it is parked): all through
    ix_outbox_open (the newest backwards),
    whether the recipient has a deep queue (u1) or none (u7, whose history is all sent),
    never walking the outbox by id."""
    now = datetime.now(UTC)
    for recipient in ("u1", "u7"):
        params = {"platform": "wecom", "idem_key": f"plan:{recipient}", "recipient": recipient, "payload": "{}",
                  "status": "pending", "attempts": 0, "next_attempt_at": now, "held_until": now, "parked_until": now,
                  "park_s": 60, "ahead_cap": 2000, "pace_counts": [30, 1000], "pace_windows": [60, 3600],
                  "created_at": now}
        for plan in _plans(busy_engine, outbox_queue.ENQUEUE, params):
            # is it held back (its head), its place (its newest), its backstop (both again)
            assert plan.count("ix_outbox_open") == 4 and "Index Scan Backward using ix_outbox_open" in plan, plan
            assert "pk_outbox" not in plan and "Seq Scan" not in plan, plan


def test_counting_a_parked_rows_queue_reads_only_open_rows(busy_engine):
    """A claim that parks rows counts, per recipient, the open rows ahead of them (their
    backstops by depth): through ix_outbox_open, for a deep queue (u1: ~667 parked rows)
    as for none (u7), never walking the sent history."""
    for plan in _plans(busy_engine, outbox_queue.ahead_statement(2),
                       {"r0": "u1", "f0": 10**9, "r1": "u7", "f1": 10**9}):
        assert plan.count("ix_outbox_open") == 2, plan
        assert "pk_outbox" not in plan and "Seq Scan" not in plan, plan

"""What finding work costs when the tables keep their history (issue 16).

Builds a fresh PostgreSQL database through the migrations, fills it with
``--history`` done inbox rows and sent outbox rows, ``--new`` new inbox rows and
``--parked`` replies waiting for three members (a month-end queue), then runs
each claim statement ten times (past psycopg's prepare threshold) and prints
``EXPLAIN ANALYZE`` of the last run: the plan and its execution time.

``--stale``: the statistics are taken after the history and before the new rows
and the parked replies, as a burst finds them when nothing analyzes the tables
(autoanalyze waits for a tenth of a table to change; this machine's PostgreSQL
runs no autovacuum at all) — the plans chat/queue_stats.py exists to avoid.

    .venv/bin/python bench/queue_plans.py [--history 300000] [--new 3000] [--parked 6000] [--stale]

Needs the local PostgreSQL (``QUDAO_BENCH_PG_ADMIN``); the database is dropped
at the end.
"""
from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from bench.scale.env import drop_database, fresh_database, run_id, sqlalchemy_url  # noqa: E402
from chat import inbox, outbox_queue  # noqa: E402
from models.db import upgrade_schema  # noqa: E402


def _analyze(engine) -> None:
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("ANALYZE inbox, outbox"))


def fill(engine, history: int, new: int, parked: int, stale: bool = False) -> None:
    with engine.begin() as c:
        c.execute(text("""INSERT INTO inbox (platform, dedup_key, sender, payload, received_at, status, attempts,
                                              claim_key)
            SELECT 'wecom', 'd' || g, 'u' || (g % 500), '{}'::json, now(), 'done', 1, 'k' || g
            FROM generate_series(1, :n) g"""), {"n": history})
        c.execute(text("""INSERT INTO outbox (platform, idem_key, recipient, payload, status, attempts,
                                               next_attempt_at, created_at, sent_at)
            SELECT 'wecom', 'o' || g, 'u' || (g % 500), '{}'::json, 'sent', 1, now(), now(),
                   now() - (g || ' seconds')::interval
            FROM generate_series(1, :n) g"""), {"n": history})
    if stale:
        _analyze(engine)
    with engine.begin() as c:
        c.execute(text("""INSERT INTO inbox (platform, dedup_key, sender, payload, received_at, status, attempts,
                                              claim_key)
            SELECT 'wecom', 'n' || g, 'u' || (g % 500), '{}'::json, now(), 'new', 0,
                   CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END
            FROM generate_series(1, :n) g"""), {"n": new})
        c.execute(text("""INSERT INTO inbox_cursor (name, upto) VALUES ('inbox', (SELECT max(id) FROM inbox))
                          ON CONFLICT (name) DO UPDATE SET upto = excluded.upto"""))
        c.execute(text("""INSERT INTO outbox (platform, idem_key, recipient, payload, status, attempts,
                                               next_attempt_at, created_at)
            SELECT 'wecom', 'p' || g, 'u' || (g % 3), '{}'::json, 'pending', 0, now() + interval '1 hour', now()
            FROM generate_series(1, :n) g"""), {"n": parked})
        c.execute(text("""INSERT INTO outbox (platform, idem_key, recipient, payload, status, attempts,
                                               next_attempt_at, created_at)
            SELECT 'wecom', 'q' || g, 'v' || g, '{}'::json, 'pending', 0, now() - interval '1 second', now()
            FROM generate_series(1, 20) g"""))
    if not stale:
        _analyze(engine)


def explain(engine, stmt, params: dict) -> str:
    compiled = stmt.compile(engine)
    bound = compiled.construct_params(params)
    with engine.connect() as c:
        for _ in range(10):
            c.exec_driver_sql(str(compiled), bound)
        plan = c.exec_driver_sql("EXPLAIN (ANALYZE) " + str(compiled), bound).all()
        c.rollback()                    # the claims update rows: leave them as they were
    return "\n".join(row[0] for row in plan)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--history", type=int, default=300_000, help="done inbox rows and sent outbox rows")
    ap.add_argument("--new", type=int, default=3_000, help="new inbox rows waiting to be claimed")
    ap.add_argument("--parked", type=int, default=6_000, help="replies waiting for three members")
    ap.add_argument("--stale", action="store_true",
                    help="statistics taken before the new rows and parked replies arrived")
    args = ap.parse_args(argv)
    name = fresh_database(run_id(), "plans")
    engine = create_engine(sqlalchemy_url(name))
    try:
        upgrade_schema(engine)
        fill(engine, args.history, args.new, args.parked, stale=args.stale)
        now = datetime.now(UTC)
        for title, stmt, params in (
                ("inbox claim (any key, 8 rows)", inbox._CLAIM_ANY, {"token": "bench", "limit": 8}),
                ("inbox claim (one key)", inbox._CLAIM_KEY, {"token": "bench", "limit": 1, "key": "n5"}),
                ("outbox claim (50 due rows, with their heads)", outbox_queue.DUE, {"now": now, "scan": 50}),
                ("outbox release (a sent row's successor)", outbox_queue.RELEASE,
                 {"b_recipient": "u1", "b_done": 1, "b_now": now})):
            print(f"== {title}\n{explain(engine, stmt, params)}\n")
    finally:
        engine.dispose()
        drop_database(name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

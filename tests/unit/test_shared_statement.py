"""models.shared_statement: a statement built once per process, first run by many
threads at once, reads right in every thread. Run bare, the claims' read
(an aliased subquery) failed in most threads of such a start (SQLAlchemy 2.0.58:
NoSuchColumnError), which is what made a worker's first claims fail and retry."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from handlers.registration.claims import _read_statement
from models.shared_statement import SharedStatement

THREADS = 8
ROUNDS = 3


def test_a_shared_statement_first_run_by_many_threads_at_once_reads_right_in_each(pg_url):
    engine = create_engine(pg_url, pool_size=THREADS)
    params = {"customers": [1], "customer_id": 1, "partner_id": 1, "open_counted": True,
              "since": datetime.now(UTC) - timedelta(days=30)}
    try:
        for _ in range(ROUNDS):
            shared = SharedStatement(_read_statement())     # new: its first run is now
            start, got, errors = threading.Barrier(THREADS), [], []

            def read(shared=shared, start=start, got=got, errors=errors):
                with Session(engine) as s:
                    s.connection()                          # connected before the start: the runs meet
                    start.wait()
                    try:
                        got.append(len(shared.rows(s, params)))
                    except Exception as exc:                # what the bare statement raised
                        errors.append(repr(exc))

            threads = [threading.Thread(target=read) for _ in range(THREADS)]
            [t.start() for t in threads]
            [t.join(30) for t in threads]
            assert errors == []
            assert got == [1] * THREADS                     # the count's row, in every thread
    finally:
        engine.dispose()

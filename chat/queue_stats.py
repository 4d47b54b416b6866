"""Keeps PostgreSQL's statistics of the work queues (inbox, outbox) current.

The claims' plans depend on how many rows the planner believes are still to do,
and on the queue tables that number swings from none to thousands in seconds.
PostgreSQL's autoanalyze re-reads a table once a tenth of it changed: on an inbox
holding a million done rows a burst of 10,000 new ones never gets there, and on a
server with autovacuum off (this project's CI machine) it never runs at all.
With statistics that have not seen the burst, the planner believes no row is new
and picks plans that read every waiting row per claim (bench/queue_plans.py
--stale: the inbox claim 16–45 ms instead of 0.3 ms, the outbox claim ten times
its time) — measured as a third of PostgreSQL's time in the end-to-end benchmark.

So the sequencer loop of each process calls ``tick`` after its rounds. At most once
a second, and only when it sequenced rows since (an idle process asks nothing), it
reads how many rows of each queue table changed since its last ANALYZE; past
``MIN_CHANGES`` it analyzes those tables. One process at a time does it (an
advisory lock; the others skip). ANALYZE samples a bounded number of rows, takes
no lock that blocks reads or writes, and warns instead of failing when the
database user does not own the tables.

SQLite needs none of it: its planner picks these partial indexes without statistics.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine, bindparam, text

from models import InboxMessage, OutboxMessage

log = logging.getLogger(__name__)

CHECK_EVERY_S = 1.0
MIN_CHANGES = 1_000        # rows inserted, updated or deleted since the table's last ANALYZE
TABLES = (InboxMessage.__tablename__, OutboxMessage.__tablename__)
# Any constant of our own: two processes never analyze at once (the second would only wait).
_LOCK_KEY = 0x51D0A0A7

_LOCK = text("SELECT pg_try_advisory_xact_lock(:key)")
_STALE = text("SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
              "AND relname IN :tables AND n_mod_since_analyze >= :changes ORDER BY relname"
              ).bindparams(bindparam("tables", expanding=True))


class QueueStatistics:
    """``tick`` from a loop; analyzes the queue tables when they changed enough."""

    def __init__(self, engine: Engine, check_every_s: float = CHECK_EVERY_S, min_changes: int = MIN_CHANGES,
                 monotonic: Callable[[], float] = time.monotonic):
        self._engine = engine
        self._enabled = engine.dialect.name == "postgresql"
        self._every, self._changes, self._monotonic = check_every_s, min_changes, monotonic
        self._next_check = 0.0
        self._work_seen = False
        self._mutex = threading.Lock()
        self.analyzed: list[str] = []       # what the last analysis covered (for logs and tests)

    def tick(self, did_work: bool) -> list[str]:
        """After a round of the loop; ``did_work``: it changed the queues. Returns
        the tables analyzed now (mostly none)."""
        if not self._enabled:
            return []
        with self._mutex:
            self._work_seen = self._work_seen or did_work
            now = self._monotonic()
            if not self._work_seen or now < self._next_check:
                return []
            self._next_check, self._work_seen = now + self._every, False
        try:
            return self._analyze_stale()
        except Exception:           # statistics are an optimisation: never stop the loop for them
            log.warning("could not bring the queue statistics up to date", exc_info=True)
            return []

    def _analyze_stale(self) -> list[str]:
        with self._engine.connect() as conn:
            if not conn.execute(_LOCK, {"key": _LOCK_KEY}).scalar():
                conn.rollback()
                return []               # another process is analyzing now
            stale = list(conn.execute(_STALE, {"tables": list(TABLES), "changes": self._changes}).scalars())
            if stale:
                conn.exec_driver_sql("ANALYZE " + ", ".join(stale))
                log.info("analyzed %s (more than %d rows changed)", ", ".join(stale), self._changes)
            conn.commit()
        self.analyzed = stale
        return stale

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

So the sequencer and delivery loops of each process call ``tick`` after their
rounds. At most once a second, while they are working and for ``LINGER_S`` after
(a connection reports its changes up to ten seconds late), a short-lived thread of
its own (the loops never wait for it: an ANALYZE under load takes a few hundred
milliseconds, which the month-end benchmark's reply times showed when the delivery
loop ran it) reads how many rows of each queue table changed since their last
ANALYZE; past ``MIN_CHANGES`` it analyzes those tables. One process at a time does it (an advisory lock; the
others skip), and it gives up rather than wait for a lock (a VACUUM or an index
build holding the table). ANALYZE samples a bounded number of rows and blocks no
reads or writes. A database user that does not own the tables can't analyze
them: then one warning, and nothing more is tried.

SQLite needs none of it: its planner picks these partial indexes without statistics.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from models import InboxMessage, OutboxMessage

log = logging.getLogger(__name__)

CHECK_EVERY_S = 1.0
LINGER_S = 15.0            # keep looking this long after the last work: late-reported changes
MIN_CHANGES = 1_000        # rows inserted, updated or deleted since the table's last ANALYZE
TABLES = (InboxMessage.__tablename__, OutboxMessage.__tablename__)
# Two processes never analyze at once (the second would only wait). The project's other
# advisory locks: models.db.MIGRATION_LOCK_ID (7_274_236), chat.audit.SEAL_LOCK_ID (7_274_237).
_LOCK_KEY = 7_274_238

# The tables as the app's own statements find them (its search_path), not by schema name.
_RELIDS = "ARRAY[" + ", ".join(f"to_regclass('{t}')" for t in TABLES) + "]"
_LOCK = text("SELECT pg_try_advisory_xact_lock(:key)")
_NOT_OURS_SQL = f"""SELECT c.relname FROM pg_class c WHERE c.oid = ANY({_RELIDS})
    AND NOT pg_has_role(c.relowner, 'USAGE')
    AND NOT pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE')"""
# PostgreSQL 17 lets a user analyze with the MAINTAIN privilege (or the pg_maintain role) too.
_NOT_OURS = {False: text(_NOT_OURS_SQL), True: text(_NOT_OURS_SQL + " AND NOT has_table_privilege(c.oid, 'MAINTAIN')")}
# A lock not granted in time, or an ANALYZE cut short: tried again at the next look.
_GAVE_UP = {"55P03", "57014"}
_STALE = text(f"SELECT relname FROM pg_stat_user_tables WHERE relid = ANY({_RELIDS}) "
              "AND n_mod_since_analyze >= :changes ORDER BY relname")
_TIMEOUTS = (text("SET LOCAL lock_timeout = '200ms'"), text("SET LOCAL statement_timeout = '30s'"))


class QueueStatistics:
    """``tick`` from a loop; analyzes the queue tables when they changed enough."""

    def __init__(self, engine: Engine, check_every_s: float = CHECK_EVERY_S, min_changes: int = MIN_CHANGES,
                 linger_s: float = LINGER_S, monotonic: Callable[[], float] = time.monotonic,
                 background: bool = True):
        self._engine = engine
        self._enabled = engine.dialect.name == "postgresql"
        self._every, self._changes, self._linger = check_every_s, min_changes, linger_s
        self._monotonic = monotonic
        self._background = background       # False (tests): ``tick`` looks itself and says what it analyzed
        self._next_check = 0.0
        self._last_work: float | None = None
        self._checked_owner = False
        self._looking: threading.Thread | None = None
        self._mutex = threading.Lock()      # the sequencer and the delivery loop both tick

    def tick(self, did_work: bool) -> list[str]:
        """After a round of a loop; ``did_work``: it changed the queues. Never waits
        for the database: the look, when one is due, runs in a thread of its own
        (unless ``background`` is off: then it runs here, and the tables it analyzed
        are returned)."""
        if not self._enabled:
            return []
        with self._mutex:
            now = self._monotonic()
            if did_work:
                self._last_work = now
            if self._last_work is None or now - self._last_work > self._linger or now < self._next_check:
                return []
            if self._looking is not None and self._looking.is_alive():
                return []                   # the last look is still under way
            self._next_check = now + self._every
            if self._background:
                self._looking = threading.Thread(target=self.look, name="qudao-queue-stats", daemon=True)
                self._looking.start()
                return []
        return self.look()

    def look(self) -> list[str]:
        """Analyze the queue tables that changed enough; the tables analyzed."""
        try:
            return self._analyze_stale()
        except Exception:           # statistics are an optimisation: never stop a loop for them
            log.warning("could not bring the queue statistics up to date", exc_info=True)
            return []

    def join(self, timeout: float) -> None:
        """Wait for a look under way (a stopping process)."""
        looking = self._looking
        if looking is not None:
            looking.join(timeout)

    def _analyze_stale(self) -> list[str]:
        with self._engine.connect() as conn:
            if not self._may_analyze(conn) or not conn.execute(_LOCK, {"key": _LOCK_KEY}).scalar():
                conn.rollback()
                return []               # not ours to analyze, or another process is analyzing now
            stale = list(conn.execute(_STALE, {"changes": self._changes}).scalars())
            for stmt in _TIMEOUTS if stale else ():
                conn.execute(stmt)
            analyzed = [table for table in stale if self._analyze(conn, table)]
            conn.commit()
        if analyzed:
            log.info("analyzed %s (%d rows or more changed)", ", ".join(analyzed), self._changes)
        return analyzed

    def _may_analyze(self, conn) -> bool:
        """Whether the database user may analyze the tables, asked once: if not, one
        warning, and no look is tried again."""
        if not self._checked_owner:
            pg17 = (conn.dialect.server_version_info or (0,)) >= (17,)
            not_ours = list(conn.execute(_NOT_OURS[pg17]).scalars())
            self._checked_owner = True
            if not_ours:
                self._enabled = False
                log.warning("the database user does not own %s, so it can't analyze them: keep "
                            "autovacuum on, or analyze them after large bursts", ", ".join(not_ours))
        return self._enabled

    @staticmethod
    def _analyze(conn, table: str) -> bool:
        """One table in a savepoint of its own: a lock held elsewhere on one (a VACUUM,
        an index build) costs only that table's turn, and quietly."""
        try:
            with conn.begin_nested():
                conn.exec_driver_sql("ANALYZE " + table)
            return True
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) not in _GAVE_UP:
                raise
            log.info("analyzing %s gave way (%s); next look", table, exc.orig.sqlstate)
            return False

"""The acknowledgement's one INSERT, as cheap as the database allows.

Every callback a platform sends costs this statement before its 200, so on
PostgreSQL it skips what SQLAlchemy adds around a statement: no compiling (the
INSERT is a fixed, server-side prepared statement), no transaction (the
connection is in autocommit: the INSERT is its own, one round trip) and no
reset when the connection goes back to its pool (there is never a transaction
to roll back). A profile of the ack showed the Core path spending more CPU on
compiling, BEGIN/COMMIT and pool resets than everything else a callback does.
Rows that arrive while another is being inserted share the next statement
(chat/ack_batch.py): one round trip and one commit for all of them.

Elsewhere (SQLite: the embedded default, one process) the same INSERT runs
through SQLAlchemy Core as before.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine, UniqueConstraint, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError

from chat.ack_batch import Combiner
from models import InboxMessage
from models.db import insert_of

_INBOX = InboxMessage.__table__
_COLUMNS = ("platform", "dedup_key", "sender", "payload", "received_at", "status", "attempts", "replay_key")
_PG_INSERT = ("INSERT INTO inbox (platform, dedup_key, sender, payload, received_at, status, attempts, replay_key) "
              "VALUES ")
_PG_ROW = "(%s, %s, %s, %s::json, %s, %s, %s, %s)"
_PG_SQL = _PG_INSERT + _PG_ROW + " ON CONFLICT (dedup_key) DO NOTHING RETURNING id"
_DEDUP = _COLUMNS.index("dedup_key")
# The unique constraint on replay_key, by the name the model's naming convention gives it.
_REPLAY_CONSTRAINT = next(c.name for c in _INBOX.constraints
                          if isinstance(c, UniqueConstraint) and list(c.columns.keys()) == ["replay_key"])
ACK_POOL = 8           # connections of one process kept for acknowledgements (gunicorn threads + spare)
MOST_ROWS = 16         # rows one shared statement carries at most (a process has fewer threads)


def _shared_sql(rows: int) -> str:
    """Several rows, each id returned with its dedup key (a row already there returns nothing)."""
    return _PG_INSERT + ", ".join([_PG_ROW] * rows) + " ON CONFLICT (dedup_key) DO NOTHING RETURNING id, dedup_key"


_SHARED_SQL = {rows: _shared_sql(rows) for rows in range(2, MOST_ROWS + 1)}


class IdTaken(Exception):
    """The row's id was closed as a gap by the sequencer a moment before: insert again."""


class ReplayKeyHeld(Exception):
    """Another row holds this row's replay key (a replay, or the same message twice at once)."""


class ConnectionLost(Exception):
    """The server closed the connection (it was discarded): insert again on a fresh one."""


def core_statement(engine: Engine):
    return insert_of(engine, _INBOX).on_conflict_do_nothing(index_elements=["dedup_key"]).returning(_INBOX.c.id)


class AckInsert:
    """``insert(values)`` → the new row's id, or None when the dedup key is known;
    ``ReplayKeyHeld`` when another row holds its replay key."""

    def __init__(self, engine: Engine):
        self._pg = engine.dialect.name == "postgresql"
        self.statement = core_statement(engine)
        if self._pg:
            # Its own small pool: autocommit for good, nothing to reset on return.
            self._engine = create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None,
                                         pool_size=ACK_POOL, max_overflow=ACK_POOL, pool_recycle=1800)
            # Whoever closes the app's engine (shutdown, tests) closes this pool with it.
            event.listen(engine, "engine_disposed", lambda _engine: self._engine.dispose())
        else:
            self._engine = engine
        self.combiner: Combiner[list, int | None] = Combiner(self._insert_one, self._insert_shared, MOST_ROWS)

    def insert(self, values: dict) -> int | None:
        return self.combiner(self._params(values)) if self._pg else self._insert_core(values)

    def _insert_core(self, values: dict) -> int | None:
        try:
            with self._engine.begin() as conn:
                return conn.execute(self.statement, values).scalar()
        except IntegrityError as exc:
            if "replay_key" in str(exc.orig):
                raise ReplayKeyHeld from exc
            raise IdTaken from exc
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise ConnectionLost from exc
            raise

    @staticmethod
    def _params(values: dict) -> list:
        """The row's parameters, its payload as JSON text (made by the caller's own thread)."""
        params = [values[c] for c in _COLUMNS]
        params[3] = json.dumps(params[3], ensure_ascii=False, default=_no_json)
        return params

    def _insert_one(self, params: list) -> int | None:
        row = self._execute(_PG_SQL, params)
        return row[0][0] if row else None

    def _insert_shared(self, rows: list[list]) -> list[int | None]:
        """Several callers' rows in one statement; each caller's id, or None for a row
        already stored (by an earlier delivery, or earlier in this statement)."""
        first: dict[str, int] = {}
        for i, params in enumerate(rows):
            first.setdefault(params[_DEDUP], i)
        distinct = [rows[i] for i in first.values()]
        if len(distinct) == 1:
            ids = {distinct[0][_DEDUP]: self._insert_one(distinct[0])}
        else:
            ids = {key: inbox_id for inbox_id, key in
                   self._execute(_SHARED_SQL[len(distinct)], [p for params in distinct for p in params])}
        return [ids.get(params[_DEDUP]) if first[params[_DEDUP]] == i else None for i, params in enumerate(rows)]

    def _execute(self, sql: str, params: list) -> list[tuple]:
        import psycopg

        conn = self._engine.raw_connection()
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params, prepare=True)
                rows = cur.fetchall()
        except psycopg.errors.UniqueViolation as exc:
            conn.close()
            # Only the dedup key is ON CONFLICT DO NOTHING: the others say which.
            if exc.diag.constraint_name == _REPLAY_CONSTRAINT:
                raise ReplayKeyHeld from exc
            raise IdTaken from exc
        except psycopg.Error as exc:
            if conn.dbapi_connection is None or conn.dbapi_connection.broken:
                # The server went away (a restart, a failover): the pool's other
                # connections are as dead as this one, so all are thrown away, as
                # SQLAlchemy does on a disconnect, and the retry connects afresh.
                conn.invalidate(exc)
                self._engine.dispose()
                raise ConnectionLost from exc
            conn.close()                # a refused statement: the connection itself is fine
            raise
        except BaseException:
            conn.invalidate()           # interrupted mid-statement: its state is unknown
            raise
        conn.close()                    # back to the pool (no reset: autocommit, nothing open)
        return rows


def _no_json(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")

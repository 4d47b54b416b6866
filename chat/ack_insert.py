"""The acknowledgement's one INSERT, as cheap as the database allows.

Every callback a platform sends costs this statement before its 200, so on
PostgreSQL it skips what SQLAlchemy adds around a statement: no compiling (the
INSERT is a fixed, server-side prepared statement), no transaction (the
connection is in autocommit: the INSERT is its own, one round trip) and no
reset when the connection goes back to its pool (there is never a transaction
to roll back). A profile of the ack showed the Core path spending more CPU on
compiling, BEGIN/COMMIT and pool resets than everything else a callback does.

Elsewhere (SQLite: the embedded default, one process) the same INSERT runs
through SQLAlchemy Core as before.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine, UniqueConstraint, create_engine, event
from sqlalchemy.exc import DBAPIError, IntegrityError

from models import InboxMessage
from models.db import insert_of

_INBOX = InboxMessage.__table__
_COLUMNS = ("platform", "dedup_key", "sender", "payload", "received_at", "status", "attempts", "replay_key")
_PG_SQL = ("INSERT INTO inbox (platform, dedup_key, sender, payload, received_at, status, attempts, replay_key) "
           "VALUES (%s, %s, %s, %s::json, %s, %s, %s, %s) ON CONFLICT (dedup_key) DO NOTHING RETURNING id")
# The unique constraint on replay_key, by the name the model's naming convention gives it.
_REPLAY_CONSTRAINT = next(c.name for c in _INBOX.constraints
                          if isinstance(c, UniqueConstraint) and list(c.columns.keys()) == ["replay_key"])
ACK_POOL = 8           # connections of one process kept for acknowledgements (gunicorn threads + spare)


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

    def insert(self, values: dict) -> int | None:
        return self._insert_pg(values) if self._pg else self._insert_core(values)

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

    def _insert_pg(self, values: dict) -> int | None:
        import psycopg

        params = [values[c] for c in _COLUMNS]
        params[3] = json.dumps(params[3], ensure_ascii=False, default=_no_json)
        conn = self._engine.raw_connection()
        try:
            with conn.cursor() as cur:
                cur.execute(_PG_SQL, params, prepare=True)
                row = cur.fetchone()
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
        return row[0] if row else None


def _no_json(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")

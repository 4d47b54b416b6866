"""The inbox's sequencer: receive order made safe to claim by.

One at a time (whichever worker takes the cursor row, ``FOR UPDATE SKIP
LOCKED``), it walks new inbox rows in id order, sets their claim keys (the
customer a registration claims, read by the ``ordering_key`` a capability
registered) and moves a watermark over them, but only over ids that are
committed: an id seen missing (an insert in flight, or one rolled back) is
waited for, then closed with a tombstone row, so no row can appear below the
watermark later. ``chat.inbox`` claims only rows below it.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Engine, bindparam, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from chat.scheduling.dbtime import db_now
from models import InboxCursor, InboxMessage, InboxStatus
from models.db import insert_of

log = logging.getLogger(__name__)

CURSOR = "inbox"
GAP_GRACE_S = 0.05          # an id missing this long is closed (an insert in flight is waited for)
GAP_LOCK_TIMEOUT_MS = 2000  # …but not forever: a web process stuck mid-insert is retried next round
_INBOX = InboxMessage.__table__
_CURSOR = InboxCursor.__table__


@dataclass
class _Seen:
    first: float


# The sequencer's statements, built once and run as plain rows on the session's
# connection: a round runs for every few messages at month end, and loading the
# cursor as an ORM object (and flushing it) was most of its CPU.
_TAKE_CURSOR = (select(_CURSOR.c.upto, _CURSOR.c.last_received_at).where(_CURSOR.c.name == CURSOR)
                .with_for_update(skip_locked=True))
_MOVE_CURSOR = (update(_CURSOR).where(_CURSOR.c.name == CURSOR)
                .values(upto=bindparam("b_upto"), last_received_at=bindparam("b_last")))
_SET_KEYS = (update(_INBOX).where(_INBOX.c.id == bindparam("b_id"))
             .values(claim_key=bindparam("b_key"), received_at=bindparam("b_at")))
CURSOR_KNOWN_S = 60.0       # a cursor seen is not looked for again this long while another worker holds it


@lru_cache(maxsize=4)
def _rows_after(limit: int):
    return (select(_INBOX.c.id, _INBOX.c.status, _INBOX.c.payload, _INBOX.c.received_at)
            .where(_INBOX.c.id > bindparam("upto")).order_by(_INBOX.c.id).limit(limit))


class Sequencer:
    """Sets the claim keys of new inbox rows in id order and moves the watermark
    over them. Runs in whichever worker takes the cursor row (``FOR UPDATE SKIP
    LOCKED``); the others skip it meanwhile. Cheap when there is nothing new."""

    def __init__(self, factory: sessionmaker[Session], ordering_key, grace_s: float = GAP_GRACE_S):
        self._factory = factory
        self._key = ordering_key
        self._grace = grace_s
        self._engine: Engine = factory.kw["bind"]
        self._pg = self._engine.dialect.name == "postgresql"
        self._gaps: dict[int, _Seen] = {}
        self._cursor_seen: float | None = None       # when this sequencer last held the cursor

    def run(self, limit: int = 500) -> int:
        """One round; how many rows it sequenced or closed (0: nothing to do, or
        another worker is sequencing now)."""
        with self._factory() as s, s.begin():
            conn = s.connection()
            cursor = conn.execute(_TAKE_CURSOR).first()
            if cursor is None:
                return self._start_cursor(s)
            self._cursor_seen = time.monotonic()
            rows = conn.execute(_rows_after(limit), {"upto": cursor.upto}).all()
            if self._gaps:        # gaps another worker's sequencer settled meanwhile
                self._gaps = {k: v for k, v in self._gaps.items() if k > cursor.upto}
            expected, last, changes, closed = cursor.upto + 1, cursor.last_received_at, [], 0
            for row in rows:
                if row.id != expected:
                    closed = self._close_gap(s, expected, row.id)
                    break                 # the rows after it: next round, once the gap is settled
                expected = row.id + 1
                if row.status == InboxStatus.GAP:
                    continue              # a tombstone: no message, no receive time
                key = self._claim_key(row) if row.status == InboxStatus.NEW else None
                received = row.received_at
                if last is not None and received < last:
                    received = last       # receive order is id order: no later row shows an earlier time
                if key is not None or received != row.received_at:
                    changes.append({"b_id": row.id, "b_key": key, "b_at": received})
                last = received
            if changes:
                conn.execute(_SET_KEYS, changes)
            done = expected - 1 - cursor.upto
            if done:
                conn.execute(_MOVE_CURSOR, {"b_upto": expected - 1, "b_last": last})
        return done + closed

    def retry_in(self) -> float | None:
        """Seconds until a missing id seen in the last round may be closed (None: no
        gap waits). The round after that is due then, not at the next poll: a burst of
        duplicate deliveries leaves a gap per duplicate, one after another."""
        if not self._gaps:
            return None
        first = min(seen.first for seen in self._gaps.values())
        # At least 20 ms: a gap another process's sequencer closed stays listed here
        # until this one next holds the cursor.
        return max(0.02, first + self._grace - time.monotonic())

    def _start_cursor(self, s: Session) -> int:
        """No cursor row visible: another worker holds it (0), or it was never made.
        A cursor this sequencer held lately is not looked for again: with several
        workers it is held by another in most rounds."""
        # (PostgreSQL only: SQLite has no SKIP LOCKED, so there no row is a missing one.)
        if self._pg and self._cursor_seen is not None and time.monotonic() - self._cursor_seen < CURSOR_KNOWN_S:
            return 0
        if s.execute(select(InboxCursor.name).where(InboxCursor.name == CURSOR)).first() is None:
            s.execute(insert_of(self._engine, InboxCursor.__table__)
                      .values(name=CURSOR, upto=0).on_conflict_do_nothing(index_elements=["name"]))
        return 0

    def _claim_key(self, row) -> str | None:
        payload = row.payload or {}
        body = payload.get("text")
        if payload.get("kind") != "text" or not body:
            return None
        try:
            return self._key(body)
        except Exception:           # a message the parser can't read claims nothing
            log.exception("inbox %s: no claim key", row.id)
            return None

    def _close_gap(self, s: Session, start: int, end: int) -> int:
        """Ids start..end-1 are missing below a committed row. Once missing for the
        grace, a tombstone takes each id: an insert still in flight with that id
        is waited for (ON CONFLICT), one that never comes can't come later."""
        now = time.monotonic()
        seen = self._gaps.setdefault(start, _Seen(now))
        if now - seen.first < self._grace:
            return 0
        if self._pg:
            s.execute(text(f"SET LOCAL lock_timeout = {GAP_LOCK_TIMEOUT_MS}"))
        at = self._clock_now(s)
        tombstones = [{"id": i, "platform": "", "dedup_key": f"gap:{i}", "sender": "", "payload": {},
                       "received_at": at, "status": InboxStatus.GAP, "attempts": 0} for i in range(start, end)]
        s.execute(insert_of(self._engine, _INBOX).on_conflict_do_nothing(index_elements=["id"]), tombstones)
        self._gaps = {k: v for k, v in self._gaps.items() if k >= end}
        log.info("inbox ids %s..%s closed as a gap", start, end - 1)
        return end - start

    @staticmethod
    def _clock_now(s: Session) -> datetime:
        return s.execute(select(db_now())).scalar_one()


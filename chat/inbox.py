"""Durable inbox: persist before acknowledging, process exactly once, in receive order.

``accept`` runs inside the callback request and does nothing else than one
INSERT (SQLAlchemy Core, the platform's dedup key unique), committed before
the platform gets its 200, so a crash after the ack loses nothing and the
platform's retries of the same message are dropped. A callback's replay key
(WeCom: the signed timestamp and nonce) is unique in the same INSERT, so a
captured signature re-used for another message is refused. No language work happens
there: the message's claim key (the customer a registration claims) is read
later, by the sequencer.

Receive order is the database's id order (assigned by the INSERT). The
``Sequencer`` (one at a time, whichever worker takes the cursor row) walks new
rows in id order, sets their claim keys and moves a watermark over them, but
only over ids that are committed: an id it sees missing (an insert in flight,
or one rolled back: a duplicate delivery spends an id too) is either waited
for or closed with a tombstone row, so no row can ever appear below the
watermark later. Workers claim only rows below the watermark, and a row with a
claim key only while no earlier row with that key is unprocessed — so the
earliest received claim on a customer is always decided first, whichever
process or host received it and whichever worker is faster.

The sequencer is ``chat.sequencer``.

``claim`` takes a batch of rows for one worker (``FOR UPDATE SKIP LOCKED`` and
a lease; a worker that dies leaves them to others once the lease runs out);
``process_claimed`` runs one command in one transaction whose first statement
marks the row done (and reads its sender), so the domain changes, the replies
(outbox rows), the audit and "done" commit together or not at all. A failed
command is tried again later (``attempts``), and after ``MAX_ATTEMPTS`` the
sender is told politely that the bot is busy. ``process`` (inline mode, tests)
does the same for one row at once, without a claim.
"""
from __future__ import annotations

import itertools
import logging
import threading
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Engine, bindparam, exists, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from chat import outbox
from chat.ack_insert import AckInsert, ConnectionLost, IdTaken, ReplayKeyHeld
from chat.context import Context, Services
from chat.messages import Inbound, Text
from chat.reruns import RUNS, Reruns
from chat.router import Router, language_of
from chat.scheduling.dbtime import db_now
from chat.sequencer import CURSOR
from chat.texts import t
from domain.clock import Clock
from models import InboxCursor, InboxMessage, InboxStatus, User
from models.messaging import is_new

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
CLAIM_LEASE_S = 10          # a claimed batch is the worker's for this long (later rows: fenced, retaken)
_INBOX = InboxMessage.__table__


def retry_after_s(attempts: int) -> int:
    """When a failed command is tried again: 1, 2, 4, 8 … seconds, at most 30."""
    return min(30, 2 ** max(0, attempts - 1))


def _claim_statement(one_key: bool):
    """The claim, built once (its construction, not only its compiling, showed in a
    profile). Rows under the watermark, due, not leased, each the earliest
    unprocessed row of its claim key — or, ``one_key``, of the key given — claimed
    with a token and a lease; each says whether later rows of its key wait."""
    earlier = aliased(InboxMessage)
    waiting = exists().where(earlier.claim_key == InboxMessage.claim_key, earlier.id < InboxMessage.id,
                             is_new(earlier.status))
    upto = select(InboxCursor.upto).where(InboxCursor.name == CURSOR).scalar_subquery()
    due = (select(InboxMessage.id)
           .where(is_new(InboxMessage.status), InboxMessage.id <= upto,
                  or_(InboxMessage.next_attempt_at.is_(None), InboxMessage.next_attempt_at <= db_now()),
                  or_(InboxMessage.lease_until.is_(None), InboxMessage.lease_until < db_now()),
                  (InboxMessage.claim_key == bindparam("key")) & ~waiting if one_key
                  else or_(InboxMessage.claim_key.is_(None), ~waiting))
           .order_by(InboxMessage.id).limit(bindparam("limit"))
           .with_for_update(skip_locked=True))
    later = _INBOX.alias("later")
    more = exists().where(later.c.claim_key == _INBOX.c.claim_key, later.c.id > _INBOX.c.id,
                          is_new(later.c.status))
    return (update(_INBOX).where(_INBOX.c.id.in_(due))
            .values(claimed_by=bindparam("token"), lease_until=db_now(CLAIM_LEASE_S))
            .returning(_INBOX.c.id, _INBOX.c.claim_key, more))


_CLAIM_ANY, _CLAIM_KEY = _claim_statement(False), _claim_statement(True)


def _take_statement(claimed: bool):
    """Marks a row done as its command starts (the row lock another worker's SKIP
    LOCKED passes by), if it is still new (and, ``claimed``, still this claim's),
    returning what the command needs. Built once, like the claims."""
    cond = [_INBOX.c.id == bindparam("take_id"), _INBOX.c.status == InboxStatus.NEW]
    if claimed:
        cond.append(_INBOX.c.claimed_by == bindparam("take_token"))
    return (update(_INBOX).where(*cond)
            .values(status=InboxStatus.DONE, processed_at=bindparam("take_now"), attempts=_INBOX.c.attempts + 1,
                    error=None, claimed_by=None, lease_until=None, next_attempt_at=None)
            .returning(_INBOX.c.sender, _INBOX.c.payload, _INBOX.c.received_at))


def _take_with_user(claimed: bool):
    """PostgreSQL: the same, reading the sender's user with it (one statement)."""
    done = _take_statement(claimed).cte("done")
    return (select(done.c.payload, done.c.received_at, User)
            .select_from(done).outerjoin(User, User.external_id == done.c.sender))


# Indexed by "claimed" (a worker's claim token to check, or none: inline and tests).
_TAKE = {False: _take_statement(False), True: _take_statement(True)}
_TAKE_WITH_USER = {False: _take_with_user(False), True: _take_with_user(True)}


class Replayed(Exception):
    """A message under a replay key another message holds: refused, nothing stored."""


class Claimed(NamedTuple):
    id: int
    key: str | None             # the claim key (the customer a registration claims), if any
    more: bool                  # later claims on that key were waiting when it was claimed


class Inbox:
    def __init__(self, svc: Services, router: Router, serialise: bool):
        self.svc = svc
        self.router = router
        # SQLite has one writer; serialising commands in-process avoids lock churn.
        self._lock = threading.Lock() if serialise else None
        self._engine: Engine = svc.factory.kw["bind"]
        self._pg = self._engine.dialect.name == "postgresql"
        self._ack = AckInsert(self._engine)
        self._accept_stmt = self._ack.statement       # tests hold an insert open with it
        self._claims = itertools.count(1)
        self._reruns = Reruns()

    @property
    def _factory(self) -> sessionmaker[Session]:
        return self.svc.factory

    @property
    def _clock(self) -> Clock:
        return self.svc.clock

    # ---- the acknowledgement ---------------------------------------------------------------
    def accept(self, msg: Inbound, dedup_key: str, replay_key: str | None = None) -> int | None:
        """Persist with one INSERT; the new row id, or None for a message we already have.
        ``replay_key`` (what the platform's signature made unique to this callback) may be
        held by no other message: ``Replayed`` when it is."""
        values = {"platform": msg.platform, "dedup_key": dedup_key[:300], "sender": msg.sender,
                  "payload": msg.to_dict(), "received_at": self._clock.now(), "status": InboxStatus.NEW,
                  "attempts": 0, "replay_key": replay_key[:100] if replay_key else None}
        for attempt in range(3):
            try:
                inbox_id = self._ack.insert(values)
            except IdTaken:
                # Only the id can clash (the dedup key is ON CONFLICT DO NOTHING): the
                # sequencer closed this id as a gap a moment before our row got it. A new id.
                log.warning("inbox id taken by a tombstone; inserting again")
                continue
            except ReplayKeyHeld:
                if self._replay_holder(values["replay_key"]) == values["dedup_key"]:
                    inbox_id = None         # the same message twice at once: the other copy is kept
                else:
                    raise Replayed(replay_key) from None
            except ConnectionLost:
                # No pre-ping per request: a connection the server closed fails once
                # (it is thrown away) and the insert runs on a fresh one.
                if attempt == 0:
                    continue
                raise
            if inbox_id is None:
                log.info("duplicate delivery %s ignored", dedup_key)
            return inbox_id
        raise RuntimeError("could not persist the message")

    def _replay_holder(self, replay_key: str) -> str | None:
        """The dedup key of the message holding a replay key."""
        with self._engine.connect() as conn:
            return conn.execute(select(_INBOX.c.dedup_key).where(_INBOX.c.replay_key == replay_key)).scalar()

    # ---- claiming and processing -----------------------------------------------------------
    def claim(self, holder: str, limit: int = 16, key: str | None = None) -> tuple[str, list[Claimed]]:
        """A batch for one worker, in one statement: sequenced rows due now, each the
        earliest unprocessed row of its claim key (with ``key``: only that key's
        earliest, the next claim on a customer whose previous one was just decided).
        Returns (claim token, the rows in id order, each saying whether later claims
        on its key were waiting)."""
        token = f"{holder}:{next(self._claims)}"[-64:]
        stmt = _CLAIM_KEY if key is not None else _CLAIM_ANY
        params = {"token": token, "limit": limit, "key": key} if key is not None else {"token": token, "limit": limit}
        with self._engine.begin() as conn:
            rows = sorted(Claimed(i, k, bool(m and k is not None)) for i, k, m in conn.execute(stmt, params))
        return token, rows

    def release(self, token: str) -> None:
        """Give back what a stopping worker claimed and did not start."""
        with self._engine.begin() as conn:
            conn.execute(update(_INBOX).where(_INBOX.c.claimed_by == token, is_new(_INBOX.c.status))
                         .values(claimed_by=None, lease_until=None))

    def process_claimed(self, inbox_id: int, token: str) -> str:
        """"done", "skipped" (finished, or the claim was lost to another worker) or
        "failed" (will be retried)."""
        return self._locked(inbox_id, token)

    def process(self, inbox_id: int) -> str:
        """Process one row now, whoever claimed it (inline mode and tests)."""
        return self._locked(inbox_id, None)

    def _locked(self, inbox_id: int, token: str | None) -> str:
        if self._lock is None:
            return self._process(inbox_id, token)
        with self._lock:
            return self._process(inbox_id, token)

    @property
    def reruns(self) -> int:
        """Commands run again at once by this process (chat/reruns.py)."""
        return self._reruns.count

    def _process(self, inbox_id: int, token: str | None) -> str:
        """One transaction: its first statement marks the row done (and is the row
        lock another worker's SKIP LOCKED passes by); a failure rolls everything
        back. A command that raises RunAgain, or meets a deadlock before its final
        run, is rolled back and run again at once (chat/reruns.py)."""
        try:
            return self._reruns.call(lambda run: self._run(inbox_id, token, run), f"inbox {inbox_id}")
        except Exception as exc:   # the command rolled back; keep the message for a retry
            log.exception("inbox %s failed", inbox_id)
            self._failed(inbox_id, exc, token)
            return "failed"

    def _run(self, inbox_id: int, token: str | None, run: int) -> str:
        with self._factory() as s:
            with s.begin():
                taken = self._take(s, inbox_id, token)
                if taken is None:
                    return "skipped"        # done already, or another worker has it now
                msg, received_at, user = taken
                ctx = Context.finished_by_runner(run, run == RUNS, s=s, svc=self.svc, inbound=msg,
                                                 inbox_id=inbox_id, received_at=received_at, user=user,
                                                 lang=language_of(msg.text))
                self.router.dispatch(ctx)
                ctx.finish()
            return "done"

    def _take(self, s: Session, inbox_id: int, token: str | None) -> tuple[Inbound, datetime, User | None] | None:
        params = {"take_id": inbox_id, "take_token": token, "take_now": self._clock.now()}
        claimed = token is not None
        if self._pg:
            row = s.execute(_TAKE_WITH_USER[claimed], params).first()
            if row is None:
                return None
            payload, received_at, user = row
        else:
            row = s.execute(_TAKE[claimed], params).first()
            if row is None:
                return None
            sender, payload, received_at = row
            user = s.execute(select(User).where(User.external_id == sender)).scalar_one_or_none()
        return Inbound.from_dict(payload), received_at, user

    def _failed(self, inbox_id: int, exc: Exception, token: str | None) -> None:
        with self._factory() as s, s.begin():
            row = s.get(InboxMessage, inbox_id, with_for_update=True)
            if row is None or row.status != InboxStatus.NEW or (token is not None and row.claimed_by != token):
                return                  # done meanwhile, or another worker's claim now
            row.error = f"{exc.__class__.__name__}: {exc}"[:2000]
            row.attempts += 1
            row.claimed_by, row.lease_until = None, None
            row.next_attempt_at = db_now(retry_after_s(row.attempts))
            if row.attempts >= MAX_ATTEMPTS:
                row.status = InboxStatus.DEAD
                msg = Inbound.from_dict(row.payload)
                # Tell the sender rather than leave them waiting; the row stays for ops.
                outbox.enqueue(s, self._clock, msg.sender, Text(t("busy", language_of(msg.text))),
                               f"in:{inbox_id}:dead", platform=msg.platform)

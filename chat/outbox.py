"""Durable outbox: every push is a row first, delivered later, retried until done.

- ``enqueue`` runs inside the command's transaction, so a reply exists iff the
  command committed; ``idem_key`` is unique, so a re-run enqueues nothing new.
- Delivery claims rows with a lease (``SKIP LOCKED`` on PostgreSQL, so several
  workers share the work), renews it per row just before sending, sends outside
  any transaction, and records the result only while still holding that lease.
- Per recipient: strict order (a later message waits for an earlier one) and
  the platform's pacing (its transport says how many messages a member may
  get per window), counted from the outbox itself so every worker sees the
  same numbers.
- Cards: a transport reports its handle on a sent card (``card_ref``); a stamp
  is delivered with the handle kept for its card (chat.cards).
- Transient failures back off (capped at 30 s) and retry forever; permanent
  ones are marked failed with the platform's error kept for ops. After a
  platform failed, the first send to it that succeeds brings every row waiting
  out a longer backoff for it forward to now: it answers again, so the queue drains
  at once instead of each row waiting out its own backoff.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from chat import addresses, cards
from chat.delivery import DeliveryError  # the only error type transports raise
from chat.messages import Card, CardStamp, Outgoing, outgoing_from_dict, outgoing_to_dict
from domain.clock import Clock
from models import OutboxMessage, OutboxStatus
from models.db import insert_of

log = logging.getLogger(__name__)

LEASE_S = 60
# Transient failures (the platform down or unreachable) are retried at most this
# far apart: after an outage the first resend comes within it, not minutes later.
MAX_BACKOFF_S = 30
# Once the platform answers again, backoffs longer than this are cut short (a
# blip's few seconds are left as they are).
PULL_FORWARD_OVER_S = 5


class Transport(Protocol):
    platform: str
    # (window in seconds, most messages one member may get in it): the platform's
    # own limits, beyond which it drops messages silently.
    send_limits: tuple[tuple[int, int], ...]

    def deliver(self, recipient: str, msg: Outgoing, uncertain: bool = False,
                card_ref: str | None = None) -> dict:
        """Send; the result may carry "card_ref": the card's handle from now on."""


def enqueue(session: Session, clock: Clock, recipient: str, msg: Outgoing, idem_key: str, platform: str) -> None:
    """One INSERT; a row with the same ``idem_key`` already there (a re-run) makes it nothing."""
    now = clock.now()
    session.execute(insert_of(session, OutboxMessage)
                    .values(platform=platform, idem_key=idem_key, recipient=recipient, payload=outgoing_to_dict(msg),
                            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, created_at=now)
                    .on_conflict_do_nothing(index_elements=[OutboxMessage.idem_key]))


def _limits(transport: Transport, recipient: str) -> tuple[tuple[int, int], ...]:
    """A group chat may have limits of its own (a transport's optional
    ``group_send_limits``); a member has the platform's ``send_limits``."""
    group_limits = getattr(transport, "group_send_limits", None)
    if group_limits is not None and addresses.parse(recipient).group:
        return group_limits
    return transport.send_limits


def backoff_s(attempts: int) -> int:
    return min(MAX_BACKOFF_S, 2 ** min(attempts, 10))


class Deliverer:
    def __init__(self, factory: sessionmaker[Session], clock: Clock, transports: dict[str, Transport]):
        self._factory = factory
        self._clock = clock
        self._transports = transports
        self._claim_lock = threading.Lock()   # SQLite has no SKIP LOCKED: serialise claims in-process
        self._failing: set[str] = set()       # platforms whose last send here failed transiently

    # -- claiming ----------------------------------------------------------
    def _claim(self, limit: int) -> list[OutboxMessage]:
        now = self._clock.now()
        earlier = aliased(OutboxMessage)
        blocked = exists().where(and_(
            earlier.recipient == OutboxMessage.recipient,
            earlier.id < OutboxMessage.id,
            earlier.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)),
        ))
        with self._claim_lock, self._factory() as s, s.begin():
            q = (select(OutboxMessage)
                 .where(or_(and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
                            and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until <= now)))
                 .where(~blocked)
                 .order_by(OutboxMessage.id).limit(limit)
                 .with_for_update(skip_locked=True))
            rows = list(s.execute(q).scalars())
            claimed = []
            for row in rows:
                if row.status == OutboxStatus.SENDING:
                    # Its worker died mid-send: we can't know whether the platform got it.
                    # Counted before any pacing wait, so the retry asks it to drop a duplicate.
                    row.attempts += 1
                    row.last_error = "lease expired: outcome unknown"
                wait = self._pacing_delay(s, row.platform, row.recipient, now)
                if wait:
                    row.next_attempt_at = now + timedelta(seconds=wait)
                    row.status, row.lease_until = OutboxStatus.PENDING, None
                    continue
                row.status, row.lease_until = OutboxStatus.SENDING, now + timedelta(seconds=LEASE_S)
                claimed.append(row)
            s.flush()
            for row in claimed:
                s.expunge(row)
            return claimed

    def _pacing_delay(self, s: Session, platform: str, recipient: str, now) -> int:
        """Seconds to wait so this recipient stays under the platform's per-member limits."""
        transport = self._transports.get(platform)
        for window_s, cap in (_limits(transport, recipient) if transport else ()):
            since = now - timedelta(seconds=window_s)
            count, oldest = s.execute(
                select(func.count(), func.min(OutboxMessage.sent_at))
                .where(OutboxMessage.recipient == recipient, OutboxMessage.sent_at > since)
            ).one()
            if count >= cap:
                oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
                return max(1, int((oldest + timedelta(seconds=window_s) - now).total_seconds()) + 1)
        return 0

    # -- delivering --------------------------------------------------------
    def deliver_due(self, limit: int = 10) -> int:
        """Deliver what is due now; returns how many were delivered."""
        delivered = 0
        for row in self._claim(limit):
            delivered += self._deliver_one(row)
        return delivered

    def drain(self, max_rounds: int = 20) -> int:
        total = 0
        for _ in range(max_rounds):
            n = self.deliver_due()
            total += n
            if n == 0:
                break
        return total

    def _renew(self, row: OutboxMessage) -> datetime | None:
        """Take a fresh lease just before sending. The lease end is the fencing
        token: if another worker reclaimed the row after ours ran out, the
        UPDATE matches nothing and we leave the row alone."""
        fresh = self._clock.now() + timedelta(seconds=LEASE_S)
        with self._factory() as s, s.begin():
            hit = s.execute(update(OutboxMessage)
                            .where(OutboxMessage.id == row.id, OutboxMessage.status == OutboxStatus.SENDING,
                                   OutboxMessage.lease_until == row.lease_until)
                            .values(lease_until=fresh)).rowcount
        return fresh if hit else None

    def _deliver_one(self, row: OutboxMessage) -> int:
        lease = self._renew(row)
        if lease is None:
            return 0
        transport = self._transports[row.platform]
        msg = outgoing_from_dict(row.payload)
        # A retry may follow a send whose outcome we never learned (timeout, crash):
        # only then ask the platform to suppress an identical copy.
        uncertain = row.attempts > 0
        card_ref = None
        if isinstance(msg, CardStamp):
            with self._factory() as s:
                card_ref = cards.ref_of(s, msg.task_id)
        # A transport that can make every send of a row recognisable as one (WeCom's
        # duplicate check from the first try) is told which row it is sending.
        extra = {"send_id": row.id} if getattr(transport, "takes_send_id", False) else {}
        try:
            result = transport.deliver(row.recipient, msg, uncertain=uncertain, card_ref=card_ref, **extra)
        except DeliveryError as exc:
            self._record_failure(row.id, lease, str(exc), exc.transient)
            return 0
        except Exception as exc:   # a bug must not lose the message: retry later
            log.exception("outbox %s: unexpected delivery error", row.id)
            self._record_failure(row.id, lease, f"unexpected: {exc!r}", transient=True)
            return 0
        with self._factory() as s, s.begin():
            fresh = s.get(OutboxMessage, row.id, with_for_update=True)
            if fresh.status != OutboxStatus.SENDING or fresh.lease_until != lease:
                log.warning("outbox %s: lease lost while sending", row.id)
                return 0
            fresh.status, fresh.sent_at, fresh.result = OutboxStatus.SENT, self._clock.now(), result
            fresh.attempts += 1
            fresh.lease_until = None
            if "card_ref" in result and isinstance(msg, Card):
                cards.sent(s, msg.task_id, row.platform, row.recipient, result["card_ref"], self._clock.now())
            elif "card_ref" in result and isinstance(msg, CardStamp):
                cards.stamped(s, msg.task_id, result["card_ref"], self._clock.now())
        if row.platform in self._failing or row.attempts > 0:
            self._recovered(row.platform)
        return 1

    def _recovered(self, platform: str) -> None:
        """The platform answers again: what backed off for it is due now (one
        UPDATE, only after a failure, so steady sending costs nothing)."""
        self._failing.discard(platform)
        now = self._clock.now()
        with self._factory() as s, s.begin():
            s.execute(update(OutboxMessage)
                      .where(OutboxMessage.platform == platform, OutboxMessage.status == OutboxStatus.PENDING,
                             OutboxMessage.attempts > 0,
                             OutboxMessage.next_attempt_at > now + timedelta(seconds=PULL_FORWARD_OVER_S))
                      .values(next_attempt_at=now))

    def _record_failure(self, row_id: int, lease: datetime, error: str, transient: bool) -> None:
        with self._factory() as s, s.begin():
            row = s.get(OutboxMessage, row_id, with_for_update=True)
            if row.status != OutboxStatus.SENDING or row.lease_until != lease:
                return
            row.attempts += 1
            row.last_error = error[:2000]
            row.lease_until = None
            if transient:
                self._failing.add(row.platform)
                row.status = OutboxStatus.PENDING
                row.next_attempt_at = self._clock.now() + timedelta(seconds=backoff_s(row.attempts))
                log.warning("outbox %s to %s: %s; retry #%s", row.id, row.recipient, error, row.attempts)
            else:
                row.status = OutboxStatus.FAILED
                log.error("outbox %s to %s failed for good: %s", row.id, row.recipient, error)

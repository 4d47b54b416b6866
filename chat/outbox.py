"""Durable outbox: every push is a row first, delivered later, retried until done.

- ``enqueue`` runs inside the command's transaction, so a reply exists iff the
  command committed; ``idem_key`` is unique, so a re-run enqueues nothing new.
- Delivery claims rows with a lease (``SKIP LOCKED`` on PostgreSQL, so several
  workers share the work), renews it per row just before sending, sends outside
  any transaction, and records the result only while still holding that lease.
- Per recipient: strict order (a later message waits for an earlier one) and
  the platform's pacing (its transport says how many messages a member may
  get per window), counted from the outbox itself so every worker sees the
  same numbers. The queue behind a message that must wait is parked, and
  released one message at a time as each goes, so a claim reads only rows it
  can act on however deep a member's queue grows at month end.
- Cards: a transport reports its handle on a sent card (``card_ref``); a stamp
  is delivered with the handle kept for its card (chat.cards).
- Transient failures back off (capped at 30 s) and retry forever; permanent
  ones are marked failed with the platform's error kept for ops. While a
  platform fails, one message is tried every few seconds; once one goes
  through, the rest that were backing off go at once.
- Statements: one claim per batch (pacing read for the whole batch), then per
  message one transaction that records it and renews the next one's lease.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from chat import cards, pacing
from chat.delivery import DeliveryError  # the only error type transports raise
from chat.messages import Card, CardStamp, Outgoing, outgoing_from_dict, outgoing_to_dict
from chat.outbox_queue import AHEAD_CAP, HELD_S, PARK_S, open_rows_ahead
from chat.outbox_queue import DUE as _DUE
from chat.outbox_queue import ENQUEUE as _ENQUEUE
from chat.outbox_queue import ENQUEUE_PLAIN as _ENQUEUE_PLAIN
from chat.outbox_queue import MARK_SENT as _MARK_SENT
from chat.outbox_queue import RELEASE as _RELEASE
from chat.outbox_queue import RENEW as _RENEW
from domain.clock import Clock
from models import OutboxMessage, OutboxStatus
from models.messaging import is_open

log = logging.getLogger(__name__)

# A send under way is the worker's for this long (QUDAO_SEND_LEASE): longer than any
# platform call can take (uploads: 20 s), or a send still in flight could be started again.
LEASE_S = 40
CLAIM_LEASE_S = 10   # a claimed row not yet started: a worker that died gives it back soon
# Transient failures (the platform down or unreachable) are retried at most this
# far apart: after an outage the first resend comes within it, not minutes later.
MAX_BACKOFF_S = 30
PROBE_S = 5          # while a platform seems down, one message is tried this often
SCAN_FACTOR = 5      # a claim reads up to this many due rows per row it may send (the rest: parked or left)
CLAIM_ROUNDS = 8     # batches one claim reads at most while it finds only rows to park
DOWN_AFTER = 3       # transient failures in a row that make a platform seem down
NO_SENDER_GIVE_UP = timedelta(hours=1)   # a message for a platform switched off this long is failed


class Transport(Protocol):
    platform: str
    # (window in seconds, most messages one member may get in it): the platform's
    # own limits, beyond which it drops messages silently.
    send_limits: tuple[tuple[int, int], ...]

    def deliver(self, recipient: str, msg: Outgoing, uncertain: bool = False,
                card_ref: str | None = None) -> dict:
        """Send; the result may carry "card_ref": the card's handle from now on."""


def enqueue(session: Session, clock: Clock, recipient: str, msg: Outgoing, idem_key: str, platform: str,
            limits: pacing.Limits = ()) -> None:
    """One INSERT; a row with the same ``idem_key`` already there (a re-run) makes it
    nothing. Due now, or parked when its recipient's queue is held back: by its depth
    in the queue under the platform's pacing ``limits`` for the recipient
    (``Deliverer.limits_to``), see outbox_queue.ENQUEUE."""
    now = clock.now()
    session.flush()         # a written-out statement does not autoflush what it may refer to
    pg = session.get_bind().dialect.name == "postgresql"
    session.execute(_ENQUEUE if pg else _ENQUEUE_PLAIN, {
        "platform": platform, "idem_key": idem_key, "recipient": recipient, "payload": outgoing_to_dict(msg),
        "status": OutboxStatus.PENDING, "attempts": 0, "next_attempt_at": now,
        "held_until": now + timedelta(seconds=HELD_S), "parked_until": now + timedelta(seconds=PARK_S),
        "park_s": PARK_S, "ahead_cap": AHEAD_CAP,
        "pace_counts": [count for _, count in limits] or [0], "pace_windows": [window for window, _ in limits] or [0],
        "created_at": now})


def backoff_s(attempts: int) -> int:
    return min(MAX_BACKOFF_S, 2 ** min(attempts, 10))


class Deliverer:
    def __init__(self, factory: sessionmaker[Session], clock: Clock, transports: dict[str, Transport],
                 lease_s: int = LEASE_S):
        self._factory = factory
        self.lease_s = lease_s
        self._clock = clock
        self._transports = transports
        self._claim_lock = threading.Lock()   # SQLite has no SKIP LOCKED: serialise claims in-process
        self.probe_s = PROBE_S
        self._failing: dict[str, int] = {}    # platform → transient failures in a row
        self._down: dict[str, float] = {}     # platform → when it was last probed, while it seems down

    # -- claiming ----------------------------------------------------------
    def _claim(self, limit: int) -> list[OutboxMessage]:
        """Rows to send now (at most ``limit``), leased; the queue behind each
        recipient's oldest open message is parked meanwhile. A batch with rows parked
        and none to send is followed by another, so parking never hides sendable rows."""
        for _ in range(CLAIM_ROUNDS):
            claimed, parked = self._claim_round(limit)
            if claimed or not parked:
                return claimed
        return []

    def _claim_round(self, limit: int) -> tuple[list[OutboxMessage], int]:
        """One transaction: due rows, oldest due first, each with the oldest open row of
        its recipient before it (its head), if any. Rows without a head are sent now
        or, past the platform's pacing, told when; rows behind a head are parked
        (``_park``); the rest stay due. Returns (claimed, parked)."""
        now = self._clock.now()
        with self._claim_lock, self._factory() as s, s.begin():
            found = s.execute(_DUE, {"now": now, "scan": limit * SCAN_FACTOR}).all()
            # A sending row's next attempt is its lease end; a worker of the version
            # before (a rolling deploy) renewed only the lease, so the lease decides.
            found = [(row, head) for row, head in found
                     if row.status != OutboxStatus.SENDING or row.lease_until <= now]
            free = [row for row, head in found if head is None]
            sent = self._recent_sends(s, free, now)
            claimed: list[OutboxMessage] = []
            for row in free:
                if len(claimed) >= limit:
                    break                   # left due, for the next batch
                if row.status == OutboxStatus.SENDING:
                    # Its worker died mid-send: we can't know whether the platform got it.
                    # Counted before any pacing wait, so the retry asks it to drop a duplicate.
                    row.attempts += 1
                    row.last_error = "lease expired: outcome unknown"
                wait = self._pacing_delay(row, sent, now)
                if wait:
                    row.next_attempt_at = now + timedelta(seconds=wait)
                    row.status, row.lease_until = OutboxStatus.PENDING, None
                    continue
                row.status, row.lease_until = OutboxStatus.SENDING, now + timedelta(seconds=CLAIM_LEASE_S)
                row.next_attempt_at = row.lease_until   # due again only if the lease runs out
                claimed.append(row)
            s.flush()
            parked = self._park(s, [(row, head) for row, head in found if head is not None], now)
            s.flush()
            for row in claimed:
                s.expunge(row)
            return claimed, parked

    def _park(self, s: Session, behind: list[tuple[OutboxMessage, int]], now: datetime) -> int:
        """Rows behind their recipient's head (its oldest open row: paced, backing
        off, being sent, or due) wait for it: their next attempt moves past the head's, so
        later batches do not read them again and again (a member's queue can be
        thousands deep at month end: 30 messages a minute get through). When the head
        is done, ``_release_next`` makes its successor due at once; ``PARK_S`` past
        the head's time is only the backstop. A head is locked (shared, skipping one
        that is locked) before its queue is parked, so it can't be finished unseen
        meanwhile: whoever finishes it then finds the queue parked and releases it.

        A deep queue is not read again whole every ``PARK_S``: a row's backstop is
        later by the windows its recipient's pacing needs for the open rows ahead of
        it (outbox_queue.open_rows_ahead, up to AHEAD_CAP) — on WeCom, 60 s for every 30 of
        them, an hour for every 1,000 — so a row written due behind a head about to go
        is read about twice however deep its queue (once due, once to be parked by
        depth), where a backstop of ``PARK_S`` alone had every row of a queue thousands
        deep read again each minute. (A row written behind a held-back queue is parked
        by its INSERT the same way, by its place in the queue: outbox_queue.ENQUEUE.)
        What delivers a queue is the release chain, not the backstops: the row right
        after a head has only the head ahead of it, so its backstop is ``PARK_S`` past
        the head's time, and a deeper row's matters only once the releases before it
        were all missed.
        The rows ahead of a row all go before it (a recipient's queue goes in order),
        so while they are sent the delay is about what the pacing imposes on the row
        anyway, whenever the head is paced (a head backing off after failures delays
        only re-reads: the queue can't move before it does); rows ahead that fail for
        good, or go by a platform without pacing, use no window, so there a backstop
        can come later than the pacing alone would. Rows counted short (another
        worker's, not yet committed) only make it earlier. A backstop is a miss's cost
        only: the chain releases every row it can see, and the one known miss (a reply
        written parked whose queue moved up to it before its command committed) waits
        for the backstop it was written with, the same by depth: PARK_S past the
        earliest its queue could reach it, while the pacing holds the rows ahead and
        the places are in step (they rarely count long: outbox_queue). A queue deeper
        than a window's count takes a window or more to reach it, so its command
        would have had to stay open that long. Capped at AHEAD_CAP rows ahead, a
        backstop is at most about two hours out on WeCom."""
        if not behind:
            return 0
        heads = {hid: (status, due, lease) for hid, status, due, lease in s.execute(
            select(OutboxMessage.id, OutboxMessage.status, OutboxMessage.next_attempt_at, OutboxMessage.lease_until)
            .where(OutboxMessage.id.in_({head for _, head in behind}), is_open(OutboxMessage.status))
            .with_for_update(read=True, skip_locked=True))}
        # Finished meanwhile, or another worker holds its head: such a row stays due.
        kept = sorted(((row, head) for row, head in behind if head in heads), key=lambda pair: pair[0].id)
        ahead = open_rows_ahead(s, [row for row, _head in kept])
        for row, head in kept:                  # a queue in its order
            status, due, lease = heads[head]
            until = lease if status == OutboxStatus.SENDING else due
            deeper = pacing.windows_s(self._limits_of(row), ahead[row.recipient])
            ahead[row.recipient] += 1
            # Parked even behind a head due now (this batch's, or one it did not reach):
            # left due, a long queue could fill every batch and hide its head.
            row.next_attempt_at = max(until, now) + timedelta(seconds=PARK_S + deeper)
        return len(kept)

    @staticmethod
    def _release_next(s: Session, row: OutboxMessage, now: datetime) -> None:
        """``row`` is done (sent or failed for good): the next open row of its
        recipient, parked behind it, is due now."""
        s.execute(_RELEASE, {"b_recipient": row.recipient, "b_done": row.id, "b_now": now})

    def _limits_of(self, row: OutboxMessage) -> tuple[tuple[int, int], ...]:
        return self.limits_to(row.platform, row.recipient)

    def limits_to(self, platform: str, recipient: str) -> pacing.Limits:
        """The platform's pacing for this recipient (what ``enqueue`` parks a reply by)."""
        transport = self._transports.get(platform)
        return pacing.limits(transport, recipient) if transport else ()

    def _recent_sends(self, s: Session, rows: list[OutboxMessage], now) -> dict:
        """(recipient, window) → (messages sent in the window, the oldest send): one
        query per window length for the whole batch."""
        out: dict = {}
        recipients = {r.recipient for r in rows}
        for window_s in sorted({w for r in rows for w, _ in self._limits_of(r)}):
            since = now - timedelta(seconds=window_s)
            for recipient, count, oldest in s.execute(
                    select(OutboxMessage.recipient, func.count(), func.min(OutboxMessage.sent_at))
                    .where(OutboxMessage.recipient.in_(recipients), OutboxMessage.sent_at > since)
                    .group_by(OutboxMessage.recipient)):
                out[(recipient, window_s)] = (count, oldest)
        return out

    def _pacing_delay(self, row: OutboxMessage, sent: dict, now) -> int:
        """Seconds to wait so this recipient stays under the platform's per-member limits."""
        for window_s, cap in self._limits_of(row):
            count, oldest = sent.get((row.recipient, window_s), (0, None))
            if count >= cap:
                oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
                return max(1, int((oldest + timedelta(seconds=window_s) - now).total_seconds()) + 1)
        return 0

    # -- delivering --------------------------------------------------------
    def deliver_due(self, limit: int = 10) -> int:
        """Deliver what is due now; returns how many were delivered."""
        self._probe()
        rows = self._claim(limit)
        delivered = 0
        lease = self._renew(rows[0]) if rows else None
        for i, row in enumerate(rows):
            following = rows[i + 1] if i + 1 < len(rows) else None
            if lease is None:               # lost to another worker: on to the next row
                lease = self._renew(following) if following else None
                continue
            ok, lease = self._deliver_one(row, lease, following)
            delivered += ok
        return delivered

    def drain(self, max_rounds: int = 20) -> int:
        total = 0
        for _ in range(max_rounds):
            n = self.deliver_due()
            total += n
            if n == 0:
                break
        return total

    def _renew(self, row: OutboxMessage, s: Session | None = None) -> datetime | None:
        """Take a fresh lease just before sending (in the transaction that recorded
        the row before it, when there is one). The lease end is the fencing token: if
        another worker reclaimed the row after ours ran out, the UPDATE matches
        nothing and we leave the row alone."""
        fresh = self._clock.now() + timedelta(seconds=self.lease_s)
        params = {"row_id": row.id, "lease": row.lease_until, "fresh": fresh}
        if s is not None:
            hit = s.execute(_RENEW, params).rowcount
        else:
            with self._factory() as own, own.begin():
                hit = own.execute(_RENEW, params).rowcount
        return fresh if hit else None

    def _deliver_one(self, row: OutboxMessage, lease: datetime,
                     following: OutboxMessage | None) -> tuple[int, datetime | None]:
        """Send one row; record the outcome and renew the next row's lease in one
        transaction. Returns (delivered, the next row's lease)."""
        transport = self._transports.get(row.platform)
        if transport is None:
            # A platform switched off since the message was queued: kept, backing off, for
            # a sender for it (a restart with it on). Past NO_SENDER_GIVE_UP it is failed,
            # kept for ops, so the member's queue (on every platform) moves on.
            stale = self._clock.now() - row.created_at > NO_SENDER_GIVE_UP
            return 0, self._record_failure(row, lease, f"no sender for {row.platform} is running", not stale,
                                           following, platform_failed=False)
        msg = outgoing_from_dict(row.payload)
        # A send whose outcome we never learned (a timeout, a crash) is retried asking the
        # platform to drop a copy; WeCom asks it from the first try (the send_id below).
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
            return 0, self._record_failure(row, lease, str(exc), exc.transient, following)
        except Exception as exc:   # a bug must not lose the message: retry later
            log.exception("outbox %s: unexpected delivery error", row.id)
            return 0, self._record_failure(row, lease, f"unexpected: {exc!r}", True, following)
        now = self._clock.now()
        with self._factory() as s, s.begin():
            hit = s.execute(_MARK_SENT, {"row_id": row.id, "lease": lease, "sent": now,
                                         "answer": result}).rowcount
            if not hit:
                log.warning("outbox %s: lease lost while sending", row.id)
            elif "card_ref" in result and isinstance(msg, Card):
                cards.sent(s, msg.task_id, row.platform, row.recipient, result["card_ref"], now)
            elif "card_ref" in result and isinstance(msg, CardStamp):
                cards.stamped(s, msg.task_id, result["card_ref"], now)
            if hit:
                self._release_next(s, row, now)
            self._failing.pop(row.platform, None)
            if row.platform in self._down:
                self._back_up(s, row.platform, now)
            next_lease = self._renew(following, s) if following else None
        return (1 if hit else 0), next_lease

    # -- a platform that was down -------------------------------------------------
    def _probe(self) -> None:
        """While a platform fails, its rows back off (up to MAX_BACKOFF_S); every
        PROBE_S one of them is tried at once, so its return is noticed within
        seconds, not minutes (then ``_back_up`` releases the rest)."""
        for platform, last in list(self._down.items()):
            if time.monotonic() - last < self.probe_s:
                continue
            self._down[platform] = time.monotonic()
            now = self._clock.now()
            first = (select(OutboxMessage.id)      # is_open: through the open rows' index, not history
                     .where(is_open(OutboxMessage.status), OutboxMessage.status == OutboxStatus.PENDING,
                            OutboxMessage.platform == platform, OutboxMessage.attempts > 0,
                            OutboxMessage.next_attempt_at > now)
                     .order_by(OutboxMessage.next_attempt_at).limit(1).scalar_subquery())
            with self._factory() as s, s.begin():
                s.execute(update(OutboxMessage).where(OutboxMessage.id == first).values(next_attempt_at=now)
                          .execution_options(synchronize_session=False))

    def _back_up(self, s: Session, platform: str, now) -> None:
        """A send went through after failures: what was backing off goes now."""
        del self._down[platform]
        n = s.execute(update(OutboxMessage)       # is_open: through the open rows' index, not history
                      .where(is_open(OutboxMessage.status), OutboxMessage.status == OutboxStatus.PENDING,
                             OutboxMessage.platform == platform, OutboxMessage.attempts > 0,
                             OutboxMessage.next_attempt_at > now)
                      .values(next_attempt_at=now).execution_options(synchronize_session=False)).rowcount
        if n:
            log.info("%s answers again: %s message(s) that were backing off go now", platform, n)

    def _record_failure(self, row: OutboxMessage, lease: datetime, error: str, transient: bool,
                        following: OutboxMessage | None, platform_failed: bool = True) -> datetime | None:
        attempts = row.attempts + 1
        values: dict = {"attempts": attempts, "last_error": error[:2000], "lease_until": None}
        if transient:
            values.update(status=OutboxStatus.PENDING,
                          next_attempt_at=self._clock.now() + timedelta(seconds=backoff_s(attempts)))
        if transient and platform_failed:
            self._failing[row.platform] = self._failing.get(row.platform, 0) + 1
            if self._failing[row.platform] >= DOWN_AFTER:
                self._down.setdefault(row.platform, time.monotonic())
        elif not transient:
            values.update(status=OutboxStatus.FAILED)
        with self._factory() as s, s.begin():
            hit = s.execute(update(OutboxMessage)
                            .where(OutboxMessage.id == row.id, OutboxMessage.status == OutboxStatus.SENDING,
                                   OutboxMessage.lease_until == lease)
                            .values(**values).execution_options(synchronize_session=False)).rowcount
            if hit and not transient:
                self._release_next(s, row, self._clock.now())
            next_lease = self._renew(following, s) if following else None
        if hit and transient:
            log.warning("outbox %s to %s: %s; retry #%s", row.id, row.recipient, error, attempts)
        elif hit:
            log.error("outbox %s to %s failed for good: %s", row.id, row.recipient, error)
        return next_lease

"""Durable inbox: persist before acknowledging, process exactly once.

``accept`` runs inside the callback request: one INSERT keyed by the
platform's dedup key (unique), committed before the platform gets its 200, so
a crash after the ack loses nothing. The platform's retries of the same message hit
the unique key and are dropped. ``process`` claims a row and runs the whole
command — domain changes, replies (outbox rows), audit, and marking the row
done — in one transaction that also holds the row lock that claims it: it
either all happens once or not at all.
"""
from __future__ import annotations

import logging
import threading

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from chat import outbox
from chat.context import Context, Services
from chat.messages import Inbound, Text
from chat.router import Router, language_of
from chat.texts import t
from domain.clock import Clock
from models import InboxMessage, InboxStatus, User

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


class Inbox:
    def __init__(self, svc: Services, router: Router, serialise: bool):
        self.svc = svc
        self.router = router
        # SQLite has one writer; serialising commands in-process avoids lock churn.
        self._lock = threading.Lock() if serialise else None

    @property
    def _factory(self) -> sessionmaker[Session]:
        return self.svc.factory

    @property
    def _clock(self) -> Clock:
        return self.svc.clock

    def accept(self, msg: Inbound, dedup_key: str) -> int | None:
        """Persist; returns the new row id, or None for a message we already have."""
        key = self.router.registry.ordering_key(msg.text) if msg.kind == "text" and msg.text else None
        try:
            with self._factory() as s, s.begin():
                row = InboxMessage(platform=msg.platform, dedup_key=dedup_key[:300], sender=msg.sender,
                                   payload=msg.to_dict(), received_at=self._clock.now(), status=InboxStatus.NEW,
                                   claim_key=key)
                s.add(row)
                s.flush()
                return row.id
        except IntegrityError:
            log.info("duplicate delivery %s ignored", dedup_key)
            return None

    def process(self, inbox_id: int) -> str:
        """"done", "skipped" (finished or taken elsewhere), "deferred" (an earlier
        claim on the same customer is still waiting) or "failed" (will be retried)."""
        if self._lock is None:
            return self._process(inbox_id)
        with self._lock:
            return self._process(inbox_id)

    def _process(self, inbox_id: int) -> str:
        """Claim and process in ONE transaction: the row lock is the claim
        (another worker's SKIP LOCKED passes it by), and a crash rolls the
        whole command back, leaving the row "new" for the sweep to retry."""
        with self._factory() as s:
            try:
                with s.begin():
                    row = s.execute(select(InboxMessage)
                                    .where(InboxMessage.id == inbox_id, InboxMessage.status == InboxStatus.NEW)
                                    .with_for_update(skip_locked=True)).scalar_one_or_none()
                    if row is None:
                        return "skipped"        # done already, or another worker has it now
                    if row.claim_key and self._earlier_claim_waiting(s, row):
                        return "deferred"
                    msg = Inbound.from_dict(row.payload)
                    user = s.execute(select(User).where(User.external_id == msg.sender)).scalar_one_or_none()
                    ctx = Context(s=s, svc=self.svc, inbound=msg, inbox_id=inbox_id, received_at=row.received_at,
                                  user=user, lang=language_of(msg.text))
                    self.router.dispatch(ctx)
                    row.status, row.processed_at, row.error = InboxStatus.DONE, self._clock.now(), None
                    row.attempts += 1
                return "done"
            except Exception as exc:   # the command rolled back; keep the message for a retry
                log.exception("inbox %s failed", inbox_id)
                self._failed(inbox_id, exc)
                return "failed"

    @staticmethod
    def _earlier_claim_waiting(s: Session, row: InboxMessage) -> bool:
        """First-come goes by receive order, not by which worker is faster: a claim
        waits while an earlier claim on the same customer is unprocessed (being
        processed elsewhere, or failed and due for a retry)."""
        return s.execute(select(InboxMessage.id).where(
            InboxMessage.claim_key == row.claim_key, InboxMessage.id < row.id,
            InboxMessage.status == InboxStatus.NEW).limit(1)).first() is not None

    def _failed(self, inbox_id: int, exc: Exception) -> None:
        with self._factory() as s, s.begin():
            row = s.get(InboxMessage, inbox_id)
            row.error = f"{exc.__class__.__name__}: {exc}"[:2000]
            row.attempts += 1
            if row.attempts >= MAX_ATTEMPTS:
                row.status = InboxStatus.DEAD
                msg = Inbound.from_dict(row.payload)
                # Tell the sender rather than leave them waiting; the row stays for ops.
                outbox.enqueue(s, self._clock, msg.sender, Text(t("busy", language_of(msg.text))),
                               f"in:{inbox_id}:dead", platform=msg.platform)

    def pending_ids(self, limit: int = 100) -> list[int]:
        """Rows never finished: left by a crash, or failed and waiting for a retry."""
        with self._factory() as s:
            return list(s.execute(select(InboxMessage.id).where(InboxMessage.status == InboxStatus.NEW)
                                  .order_by(InboxMessage.id).limit(limit)).scalars())

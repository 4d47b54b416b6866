"""Durable inbox (exactly-once processing), outbox (retried, never doubled), and
what the platforms need to update a card once it was sent."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.states import InboxStatus, OutboxStatus

# The condition of the partial index ix_outbox_open, as the queries that use it write it.
OPEN_OUTBOX = f"status IN ('{OutboxStatus.PENDING.value}', '{OutboxStatus.SENDING.value}')"


class InboxMessage(Base):
    __tablename__ = "inbox"
    __table_args__ = (Index("ix_inbox_status", "status"), Index("ix_inbox_key_id", "claim_key", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    dedup_key: Mapped[str] = mapped_column(String(300), unique=True)
    # What the platform's signature made unique to this callback (WeCom: its timestamp and
    # nonce). A second message under a key already held is a replay and refused; checked
    # by the acknowledgement's own INSERT, so it costs no round trip of its own.
    replay_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    sender: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)          # the neutral Inbound
    # For a registration: the canonical key of the customer it claims. Claims on
    # one key are processed in receive order (see chat.inbox), whatever worker.
    # (Indexed by ix_inbox_key_id, whose first column it is: a second index would only
    # cost every acknowledgement and every sequencing one more index entry.)
    claim_key: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default=InboxStatus.NEW)   # new | done | dead
    attempts: Mapped[int] = mapped_column(default=0)
    processed_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    # A worker's claim on a batch of rows (chat.inbox): its token and until when
    # (the database's time); a claim that ran out is taken by another worker.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    # A failed command is tried again from then on (the database's time).
    next_attempt_at: Mapped[datetime | None]


class InboxCursor(Base):
    """The sequencer's watermark: every inbox row with ``id <= upto`` is committed
    (or a gap closed by a tombstone) and has its claim key; only those rows are
    claimed, so receive order is the database's id order."""
    __tablename__ = "inbox_cursor"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    upto: Mapped[int] = mapped_column(BigInteger)
    # received_at of the row at ``upto``: later rows never show an earlier time
    last_received_at: Mapped[datetime | None]


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_recipient_sent", "recipient", "sent_at"),
        # The open rows of a recipient in order (chat.outbox: a row's head, a done row's
        # successor), only the open ones: a member's sent history does not lengthen the
        # search however long it grows.
        Index("ix_outbox_open", "recipient", "id", postgresql_where=text(OPEN_OUTBOX),
              sqlite_where=text(OPEN_OUTBOX)),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    idem_key: Mapped[str] = mapped_column(String(200), unique=True)
    # A userid or "group:<chat id>" (chat.addresses)
    recipient: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict] = mapped_column(JSON)          # the neutral Outgoing
    # A digest of the payload: an identical message to the same recipient lately
    # (chat.outbox, the platform's duplicate check) is found by it.
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING)  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime]


class CardRef(Base):
    """The platform's handle on a sent card, as its adapter reported it (from the
    send, or a newer one from the latest click). Opaque to everything but the
    adapter that stamps the card."""
    __tablename__ = "card_refs"
    task_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str | None] = mapped_column(String(128))    # where the card was sent (chat.addresses)
    ref: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]

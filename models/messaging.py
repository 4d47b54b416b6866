"""Durable inbox (exactly-once processing), outbox (retried, never doubled), and
what the platforms need to update a card once it was sent."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, String, Text, literal_column, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.states import InboxStatus, OutboxStatus

# The work queues are partial indexes: only the rows still to do (inbox: new; outbox:
# pending or sending) are in them, so finding work costs the same however much history
# the tables keep. A query can use one only where its planner sees that the query's
# condition implies the index's: the statuses are written into the SQL as literals
# (``is_new``, ``is_open``), not bound, or a prepared statement's generic plan could
# not use the index.
NEW_INBOX = f"status = '{InboxStatus.NEW.value}'"
OPEN_OUTBOX = f"status IN ('{OutboxStatus.PENDING.value}', '{OutboxStatus.SENDING.value}')"


def is_new(status):
    """``status`` is new, written as ix_inbox_new's condition."""
    return status == literal_column(f"'{InboxStatus.NEW.value}'")


def is_open(status):
    """``status`` is pending or sending, written as ix_outbox_open's condition."""
    return status.in_([literal_column(f"'{OutboxStatus.PENDING.value}'"),
                       literal_column(f"'{OutboxStatus.SENDING.value}'")])


def _partial(name: str, *columns: str, where: str) -> Index:
    return Index(name, *columns, postgresql_where=text(where), sqlite_where=text(where))


class InboxMessage(Base):
    __tablename__ = "inbox"
    __table_args__ = (
        # New rows in receive order (the claim), and per claim key (is an earlier claim
        # on this customer still waiting? are later ones?).
        _partial("ix_inbox_new", "id", where=NEW_INBOX),
        _partial("ix_inbox_new_key", "claim_key", "id", where=NEW_INBOX),
    )
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
    # (Indexed only while the row is new: ix_inbox_new_key.)
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
        # Open rows by when they are due (a sending row: when its lease ends), and each
        # recipient's open rows in order (chat.outbox: a row's head, a done row's successor).
        _partial("ix_outbox_due_open", "next_attempt_at", "id", where=OPEN_OUTBOX),
        _partial("ix_outbox_open", "recipient", "id", where=OPEN_OUTBOX),
        Index("ix_outbox_recipient_sent", "recipient", "sent_at"),
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
    # Its place in its recipient's queue: one more than the newest open row's when
    # written (chat.outbox_queue.ENQUEUE), so the rows ahead of it are its place less
    # its head's. None: written before migration 0022.
    queue_pos: Mapped[int | None] = mapped_column(BigInteger)


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

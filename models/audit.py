"""Append-only audit trail, sealed in hash-linked batches.

A command appends its event with one INSERT (no chain, no shared row, so
commands never wait for each other). The lease-holding scheduler seals the
events afterwards: each gets its place in the log (``seq``), the hash of its
content and the batch it was sealed in; each batch (``AuditBatch``) carries
the Merkle root of its events' hashes and the previous batch's hash. See
chat/audit.py and docs/architecture.md ("Audit trail").
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(100))     # user external id, or "system"
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    verdicts: Mapped[list | None] = mapped_column(JSON)
    # Set when sealed (None: recorded, not sealed yet).
    seq: Mapped[int | None] = mapped_column(unique=True)    # gap-free place in the log
    batch: Mapped[int | None]                                # AuditBatch.number
    hash: Mapped[str | None] = mapped_column(String(64))    # of the event's content (the Merkle leaf)
    # Events of the chain before migration 0015 keep their chained hash: this is
    # the hash of the event before them (None for every event since).
    prev_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        # What the sealer reads: the unsealed events, by id; small, because sealed rows leave it.
        Index("ix_audit_events_unsealed", "id", sqlite_where=text("seq IS NULL"),
              postgresql_where=text("seq IS NULL")),
    )


class AuditBatch(Base):
    """One sealing: events first_seq..last_seq (ids in ``event_ids``, in seq order),
    the Merkle root of their hashes, and the link to the batch before."""
    __tablename__ = "audit_batches"
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    first_seq: Mapped[int]
    last_seq: Mapped[int]
    event_ids: Mapped[list] = mapped_column(JSON)
    root: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    keyed: Mapped[bool] = mapped_column(default=False)      # hash is an HMAC with QUDAO_AUDIT_KEY
    sealed_at: Mapped[datetime]

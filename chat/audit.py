"""Append-only, hash-chained audit trail.

Each event's hash covers its own content and the previous event's hash, so
editing or deleting any past event breaks every hash after it. Appends are
serialised by updating the single ``audit_head`` row inside the command's
transaction: two workers can never fork the chain.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def event_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str, entity_type: str,
               entity_id: str, before, after, verdicts) -> str:
    at_utc = (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    body = _canonical([prev_hash, seq, at_utc.isoformat(), actor, action, entity_type, entity_id,
                       before, after, verdicts])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def record(session: Session, *, at: datetime, actor: str, action: str, entity_type: str,
           entity_id: Any, before: dict | None = None, after: dict | None = None,
           verdicts: list | None = None) -> AuditEvent:
    # UPDATE first: it takes the row lock that orders concurrent appenders.
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1))
    head = session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one()
    session.refresh(head)
    seq, prev = head.seq, head.last_hash
    # JSON round trip so what we hash is exactly what the database will hand back.
    before, after, verdicts = (json.loads(_canonical(v)) if v is not None else None
                               for v in (before, after, verdicts))
    digest = event_hash(prev, seq, at, actor, action, entity_type, str(entity_id), before, after, verdicts)
    ev = AuditEvent(seq=seq, at=at, actor=actor, action=action, entity_type=entity_type,
                    entity_id=str(entity_id), before=before, after=after, verdicts=verdicts,
                    prev_hash=prev, hash=digest)
    session.add(ev)
    head.last_hash = digest
    return ev


def ensure_head(session: Session) -> None:
    if session.get(AuditHead, 1) is None:
        session.add(AuditHead(id=1, seq=0, last_hash=GENESIS))


@dataclass
class ChainReport:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    problem: str | None = None


def verify_chain(session: Session) -> ChainReport:
    prev, expected_seq, count = GENESIS, 1, 0
    for ev in session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
        count += 1
        if ev.seq != expected_seq:
            return ChainReport(False, count, ev.seq, f"gap: expected seq {expected_seq}")
        if ev.prev_hash != prev:
            return ChainReport(False, count, ev.seq, "prev_hash does not match the previous event")
        digest = event_hash(ev.prev_hash, ev.seq, ev.at, ev.actor, ev.action, ev.entity_type,
                            ev.entity_id, ev.before, ev.after, ev.verdicts)
        if digest != ev.hash:
            return ChainReport(False, count, ev.seq, "content does not match its hash")
        prev, expected_seq = ev.hash, expected_seq + 1
    head = session.get(AuditHead, 1)
    if head is not None and head.last_hash != prev:
        return ChainReport(False, count, expected_seq, "events after the last one were removed")
    return ChainReport(True, count)

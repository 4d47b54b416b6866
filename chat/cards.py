"""The platform's handle on each sent card (``card_refs``), kept by the core
for the adapter: a send or a click reports one, a stamp uses it. Capabilities
name a card by its ``task_id`` only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CardRef


def ref_of(s: Session, task_id: str) -> str | None:
    return s.execute(select(CardRef.ref).where(CardRef.task_id == task_id)).scalar_one_or_none()


def placed(s: Session, task_id: str) -> tuple[str, str] | None:
    """(platform, address) a delivered card went to: its stamp goes there, even if
    its recipient has since moved to another platform. None: not delivered yet."""
    row = s.execute(select(CardRef.platform, CardRef.recipient).where(CardRef.task_id == task_id)).first()
    return (row.platform, row.recipient) if row is not None and row.recipient else None


def sent(s: Session, task_id: str, platform: str, recipient: str, ref: str | None, now: datetime) -> None:
    """A card went out: its first handle, unless a click already brought a newer one."""
    row = s.get(CardRef, task_id)
    if row is None:
        s.add(CardRef(task_id=task_id, platform=platform, recipient=recipient, ref=ref, updated_at=now))
    elif row.recipient is None:
        row.recipient = recipient


def stamped(s: Session, task_id: str, ref: str | None, now: datetime) -> None:
    """A stamp went out: the handle it leaves (none where each handle works once)."""
    row = s.get(CardRef, task_id)
    if row is not None:
        row.ref, row.updated_at = ref, now


def clicked(s: Session, task_id: str, platform: str, clicker: str, ref: str, now: datetime) -> None:
    """A click brought a fresh handle. Only the card's own recipient's counts:
    another user's handle would update their view, not the recipient's card."""
    row = s.get(CardRef, task_id)
    if row is None:
        s.add(CardRef(task_id=task_id, platform=platform, recipient=clicker, ref=ref, updated_at=now))
    elif row.recipient in (None, clicker):
        row.ref, row.updated_at = ref, now


"""The platform's handle on each sent card (``card_refs``), kept by the core
for the adapter: a send or a click reports one, a stamp uses it. Capabilities
name a card by its ``task_id`` only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from models import CardRef
from models.db import insert_of


def ref_of(s: Session, task_id: str) -> str | None:
    return s.execute(select(CardRef.ref).where(CardRef.task_id == task_id)).scalar_one_or_none()


def placed(s: Session, task_id: str) -> tuple[str, str] | None:
    """(platform, address) a delivered card went to: its stamp goes there, even if
    its recipient has since moved to another platform. None: not delivered yet."""
    row = s.execute(select(CardRef.platform, CardRef.recipient).where(CardRef.task_id == task_id)).first()
    return (row.platform, row.recipient) if row is not None and row.recipient else None


def sent(s: Session, task_id: str, platform: str, recipient: str, ref: str | None, now: datetime) -> None:
    """A card went out: its first handle, unless a click already brought a newer one.
    A tap can reach another process before the sender records its card, so the
    row is claimed with INSERT … ON CONFLICT, never read-then-add (which made the
    late writer fail on the key, and the delivered card be sent again)."""
    if _insert(s, task_id, platform, recipient, ref, now):
        return
    s.execute(update(CardRef).where(CardRef.task_id == task_id, CardRef.recipient.is_(None))
              .values(recipient=recipient).execution_options(synchronize_session=False))


def stamped(s: Session, task_id: str, ref: str | None, now: datetime) -> None:
    """A stamp went out: the handle it leaves (none where each handle works once)."""
    s.execute(update(CardRef).where(CardRef.task_id == task_id).values(ref=ref, updated_at=now)
              .execution_options(synchronize_session=False))


def clicked(s: Session, task_id: str, platform: str, clicker: str, ref: str, now: datetime) -> None:
    """A click brought a fresh handle. Only the card's own recipient's counts:
    another user's handle would update their view, not the recipient's card.
    One statement: the row, or its handle renewed where the recipient matches
    (or is not known yet: the sender has not recorded its card). On PostgreSQL the
    upsert locks an existing row even when another user tapped it and nothing is
    renewed; a stamp of that card waits for the tap's command to commit."""
    stmt = insert_of(s, CardRef).values(task_id=task_id, platform=platform, recipient=clicker, ref=ref,
                                        updated_at=now)
    s.execute(stmt.on_conflict_do_update(
        index_elements=[CardRef.task_id], set_={"ref": stmt.excluded.ref, "updated_at": stmt.excluded.updated_at},
        where=or_(CardRef.recipient.is_(None), CardRef.recipient == stmt.excluded.recipient)))


def _insert(s: Session, task_id: str, platform: str, recipient: str, ref: str | None, now: datetime) -> bool:
    """The card's row, if nobody wrote it first; False when a row was there."""
    made = s.execute(insert_of(s, CardRef).values(task_id=task_id, platform=platform, recipient=recipient,
                                                  ref=ref, updated_at=now)
                     .on_conflict_do_nothing(index_elements=[CardRef.task_id])
                     .returning(CardRef.task_id)).first()
    return made is not None

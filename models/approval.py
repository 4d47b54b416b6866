"""An approval request bound to the exact payload it showed the approver."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.org import User
from models.registration import Registration


class Approval(Base):
    __tablename__ = "approvals"
    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    # why approval is needed, comma-separated: TIER_EXCEEDED,POSSIBLE_DUPLICATE…
    reason_code: Mapped[str] = mapped_column(String(200))
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # pending | approved | rejected | void
    status: Mapped[str] = mapped_column(String(20), default="pending")
    payload_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    task_id: Mapped[str] = mapped_column(String(128), unique=True)
    # The latest unused card response code (from the send or the latest click);
    # each one works once, so it is cleared when used.
    response_code: Mapped[str | None] = mapped_column(String(200))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]

    registration: Mapped[Registration] = relationship()
    approver: Mapped[User] = relationship(foreign_keys=[approver_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

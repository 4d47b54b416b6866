"""Appeals (申诉): a refused or recalled partner asks a manager to decide on the evidence."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.media import KeptMedia
from models.org import Customer, Partner, User
from models.registration import Registration
from models.states import AppealStatus


class Appeal(Base):
    __tablename__ = "appeals"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    # The appellant's refused or recalled registration: unique, one appeal per refusal.
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), unique=True)
    # The other side: the claim that held the customer (None: a recall nobody took over).
    holder_registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    grounds: Mapped[str] = mapped_column(String(20))        # conflict | recalled
    refused_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default=AppealStatus.PENDING)
    decider_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))   # a stand-in decides
    task_id: Mapped[str] = mapped_column(String(128), unique=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    share: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))     # the appellant's share when shared
    created_at: Mapped[datetime]

    registration: Mapped[Registration] = relationship(foreign_keys=[registration_id])
    holder: Mapped[Registration | None] = relationship(foreign_keys=[holder_registration_id])
    customer: Mapped[Customer] = relationship()
    partner: Mapped[Partner] = relationship()
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    decider: Mapped[User] = relationship(foreign_keys=[decider_id])
    photos: Mapped[list[AppealPhoto]] = relationship(back_populates="appeal", order_by="AppealPhoto.id")


class AppealPhoto(KeptMedia, Base):
    """A photo sent as evidence with an appeal, kept for good (see KeptMedia)."""
    __tablename__ = "appeal_photos"
    __table_args__ = (Index("ix_appeal_photos_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeals.id"), index=True)

    appeal: Mapped[Appeal] = relationship(back_populates="photos")

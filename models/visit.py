"""Field visits (外勤拜访): check-ins against a customer's geofence, plans, photos."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.media import KeptMedia
from models.org import Customer, User


class Visit(Base):
    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_user_checkin", "user_id", "checkin_at"),
                      Index("ix_visits_customer_checkin", "customer_id", "checkin_at"),
                      Index("ix_visits_lat_lng", "lat", "lng"))   # the same point reused elsewhere
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))   # the visitor's partner, if any
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("visit_plans.id"))
    # open (checked in) | closed (checked out) | offsite (an attempt outside the
    # geofence, never a visit) | auto_closed (never checked out)
    status: Mapped[str] = mapped_column(String(20))
    verified: Mapped[bool] = mapped_column(default=False)   # inside the geofence: counts as evidence
    checkin_at: Mapped[datetime]
    # The point as received, in its own coordinate system (gcj02 | wgs84).
    lat: Mapped[float]
    lng: Mapped[float]
    coord_system: Mapped[str] = mapped_column(String(10))
    label: Mapped[str | None] = mapped_column(String(200))
    distance_m: Mapped[float | None]      # to the customer's point, both in WGS-84
    radius_m: Mapped[int | None]          # the geofence it was judged against
    checkout_at: Mapped[datetime | None]
    duration_s: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)
    flags: Mapped[list[dict]] = mapped_column(JSON, default=list)   # [{code, message, facts}]
    created_at: Mapped[datetime]

    user: Mapped[User] = relationship()
    customer: Mapped[Customer | None] = relationship()
    photos: Mapped[list[VisitPhoto]] = relationship(back_populates="visit", order_by="VisitPhoto.id")


class VisitPhoto(KeptMedia, Base):
    """A photo sent during a visit, kept for good (see KeptMedia)."""
    __tablename__ = "visit_photos"
    __table_args__ = (Index("ix_visit_photos_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"), index=True)

    visit: Mapped[Visit] = relationship(back_populates="photos")


class VisitPlan(Base):
    __tablename__ = "visit_plans"
    __table_args__ = (UniqueConstraint("user_id", "plan_date", "customer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    plan_date: Mapped[date] = mapped_column(Date, index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    created_by: Mapped[str] = mapped_column(String(64))    # user external id, or "import"
    source: Mapped[str] = mapped_column(String(20))        # chat | import
    created_at: Mapped[datetime]

    user: Mapped[User] = relationship()
    customer: Mapped[Customer] = relationship()

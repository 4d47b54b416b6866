"""Special-price requests (特价申请): a price below policy that needs approval."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.org import Customer, Partner, User


class SpecialPrice(Base):
    __tablename__ = "special_prices"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    submitter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Bound to one order revision, or free-standing (items + customer) and then
    # usable by the partner's next order of those items for that customer.
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    order_revision: Mapped[int | None]
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    customer_text: Mapped[str | None] = mapped_column(String(200))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))
    # [{sku, name, qty (None: any), list_price, policy_price, asked_price, extra_discount}]
    items: Mapped[list[dict]] = mapped_column(JSON)
    depth: Mapped[Decimal] = mapped_column(Numeric(6, 4))     # deepest extra discount beyond policy, 0.12 = 12%
    reason: Mapped[str] = mapped_column(String(300))
    # pending | approved | rejected | void | used | expired
    status: Mapped[str] = mapped_column(String(20))
    valid_until: Mapped[datetime | None]       # free-standing grants only
    revision: Mapped[int] = mapped_column(default=1)
    received_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]

    partner: Mapped[Partner] = relationship()
    submitter: Mapped[User] = relationship()
    customer: Mapped[Customer | None] = relationship()

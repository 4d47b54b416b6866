"""Orders (订货), their lines, the price lists they are priced from, and stock."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.org import Customer, Partner, User
from models.states import OrderStatus

# Orders that count towards a partner's credit exposure: approved or waiting
# for an approval, and not shipped yet (a shipped order becomes a receivable).
OPEN_ORDER_STATUSES = (OrderStatus.PENDING_APPROVAL, OrderStatus.CONFIRMED)
# Orders the dealer can still change or cancel (a confirmed one only until the ERP took it).
CHANGEABLE_ORDER_STATUSES = (OrderStatus.DRAFT, OrderStatus.PENDING_APPROVAL, OrderStatus.CONFIRMED)


class PriceListEntry(Base):
    """A price for one SKU: for a whole tier ("tier:gold") or one partner ("partner:12")."""
    __tablename__ = "price_list_entries"
    __table_args__ = (UniqueConstraint("scope", "sku"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(60))
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    price_yuan: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    updated_at: Mapped[datetime]


class StockLevel(Base):
    """What can ship now, as the warehouse last reported it. No row: stock unknown, not checked."""
    __tablename__ = "stock_levels"
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"), primary_key=True)
    qty_available: Mapped[int]
    updated_at: Mapped[datetime]


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_partner_status", "partner_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    submitter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # draft (summary card sent, waiting for 确认) | pending_approval | confirmed |
    # shipped | delivered | cancelled | rejected
    status: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    customer_text: Mapped[str | None] = mapped_column(String(200))
    ship_to: Mapped[str | None] = mapped_column(String(300))
    ship_to_region: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(500))
    list_total_yuan: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    total_yuan: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    verdicts: Mapped[list[dict]] = mapped_column(JSON, default=list)
    rules_version: Mapped[int | None]
    revision: Mapped[int] = mapped_column(default=1)
    # The summary card the dealer confirms from.
    card_task_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    erp_ref: Mapped[str | None] = mapped_column(String(64))
    # When the ERP first took the order (API pull or export file): from then on
    # the ERP owns it, and the dealer's changes go through the channel manager.
    exported_at: Mapped[datetime | None]
    tracking: Mapped[str | None] = mapped_column(String(120))
    # The deal the order fills (报备号 RG…, or the partner's deal on the named customer).
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"), index=True)
    received_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]

    partner: Mapped[Partner] = relationship()
    submitter: Mapped[User] = relationship()
    customer: Mapped[Customer | None] = relationship()
    lines: Mapped[list[OrderLine]] = relationship(back_populates="order", order_by="OrderLine.position",
                                                    cascade="all, delete-orphan")


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    name: Mapped[str] = mapped_column(String(100))
    product_line: Mapped[str] = mapped_column(String(40))
    qty: Mapped[int]
    list_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    policy_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))     # from the partner's price list
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))       # what is charged
    # "list" | "tier:gold" | "price_list:tier:gold" | "price_list:partner:3" | "special:SP…"
    price_source: Mapped[str] = mapped_column(String(60))
    special_price_id: Mapped[int | None] = mapped_column(ForeignKey("special_prices.id"))
    amount_yuan: Mapped[Decimal] = mapped_column(Numeric(16, 2))

    order: Mapped[Order] = relationship(back_populates="lines")

"""The organisation: partners, users, products, customers."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base


class Partner(Base):
    __tablename__ = "partners"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The partner's number in the manufacturer's ERP: how spreadsheets and the
    # ERP's receivables feed name it.
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)         # province-level: 北京市, 河北省
    product_lines: Mapped[list[str]] = mapped_column(JSON, default=list)   # qualifications: 超声, 监护
    tier: Mapped[str] = mapped_column(String(20), default="standard")       # price tier: gold | silver | standard
    address: Mapped[str | None] = mapped_column(String(300))               # default ship-to
    # None: no credit line set up, so orders on credit are refused (rules decide).
    credit_limit_yuan: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    # Unpaid receivables as the ERP last reported them, and as of when.
    receivables_yuan: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=0)
    receivables_as_of: Mapped[datetime | None]
    # The manufacturer's own direct team, as the party of the deals its reps register.
    direct: Mapped[bool] = mapped_column(default=False)
    # How many registrations the partner has submitted, counted by each as its last
    # statement (that UPDATE is the partner's row lock, held only for the commit):
    # a registration that read its partner's earlier claims without the lock knows
    # from it whether any committed meanwhile (handlers/registration/claims.py).
    claim_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    users: Mapped[list[User]] = relationship(back_populates="partner")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    # The member's account on the chat platforms (their userid: the same on each
    # platform the organisation uses), and the platform they are reached on
    # (None: the organisation's default platform).
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    platform: Mapped[str | None] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    # dealer | manager | director | rep | admin
    role: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    regions: Mapped[list[str]] = mapped_column(JSON, default=list)          # managers: the regions they cover
    title: Mapped[str] = mapped_column(String(50), default="")               # 王经理, 区域经理…
    partner: Mapped[Partner | None] = relationship(back_populates="users")


class Product(Base):
    __tablename__ = "products"
    sku: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    line: Mapped[str] = mapped_column(String(40))          # product line: 超声, 监护, 呼吸
    list_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)  # words dealers use: 彩超, B超
    moq: Mapped[int] = mapped_column(default=1)              # minimum order quantity per order line
    pack_size: Mapped[int] = mapped_column(default=1)        # orders come in multiples of this
    # Standard cost, when finance shares it: lets a special-price card show the margin.
    cost_yuan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    active: Mapped[bool] = mapped_column(default=True)       # discontinued products can't be ordered


class Customer(Base):
    __tablename__ = "customers"
    # A location message looks for customers inside a small box around it.
    __table_args__ = (Index("ix_customers_lat_lng", "lat", "lng"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Its English name (北京协和医院: Peking Union Medical College Hospital): a
    # Latin registration is compared with it as well as with the name's pinyin.
    english_name: Mapped[str | None] = mapped_column(String(200))
    # Canonical name key from the matcher: surely-identical spellings collide
    # here, so two workers creating "the same" new customer race safely.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    region: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    lat: Mapped[float | None]
    lng: Mapped[float | None]
    coord_system: Mapped[str | None] = mapped_column(String(10))
    radius_m: Mapped[int | None]     # check-in geofence; None: the rule store's default
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)
    source: Mapped[str] = mapped_column(String(20), default="import")   # import | chat
    created_at: Mapped[datetime]


class CustomerToken(Base):
    """The shared candidate index: a few blocking tokens per customer (its name's
    core with and without its place, and the core's pinyin), so a lookup reads a
    handful of rows instead of scanning every customer. Lives in the database,
    so every worker shares it and none holds it in memory."""
    __tablename__ = "customer_tokens"
    token: Mapped[str] = mapped_column(String(120), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)


class CustomerAlias(Base):
    """An admin-defined short name (吉大一院 → 吉林大学白求恩第一医院)."""
    __tablename__ = "customer_aliases"
    id: Mapped[int] = mapped_column(primary_key=True)
    alias: Mapped[str] = mapped_column(String(100), unique=True)
    # The alias in the matcher's matching form (简体, half-width, no spaces):
    # lookups fetch only the aliases whose form equals a name at hand.
    alias_key: Mapped[str] = mapped_column(String(100), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))      # user external id, or "import"
    created_at: Mapped[datetime]

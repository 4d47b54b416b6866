"""Leads handed out to partners (线索), the commission split of won deals
(分润) and rebate programs' targets and runs (返利)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.org import Partner
from models.states import LeadStatus, OfferOutcome, RebateRunStatus


class Lead(Base):
    """One lead from the manufacturer: imported, posted by another system or
    typed by a rep or manager; offered to partners one at a time."""
    __tablename__ = "leads"
    __table_args__ = (Index("ix_leads_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    # The sender's own key (an import row's 线索编号, the API's "ref"): sending it again changes nothing.
    external_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    customer_text: Mapped[str] = mapped_column(String(200))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    region: Mapped[str | None] = mapped_column(String(40))
    contact: Mapped[str | None] = mapped_column(String(100))
    product_line: Mapped[str | None] = mapped_column(String(40))
    amount_yuan: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    source: Mapped[str] = mapped_column(String(60))            # 展会, 官网, 400热线 …
    channel: Mapped[str] = mapped_column(String(20))           # import | api | chat
    note: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default=LeadStatus.NEW)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)   # who has it now
    due_at: Mapped[datetime | None]                            # the current offer's SLA end
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))   # when nobody (more) qualifies
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"), index=True)
    offers: Mapped[int] = mapped_column(default=0)             # partners offered so far
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    partner: Mapped[Partner | None] = relationship()


class LeadOffer(Base):
    """One partner's turn with a lead, and how it ended."""
    __tablename__ = "lead_offers"
    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id"), index=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    round: Mapped[int]
    score: Mapped[str | None] = mapped_column(String(20))
    ranking: Mapped[list[dict]] = mapped_column(JSON, default=list)   # the candidates as ranked then
    outcome: Mapped[str] = mapped_column(String(20), default=OfferOutcome.PENDING)
    reason: Mapped[str | None] = mapped_column(String(300))
    offered_at: Mapped[datetime]
    due_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))


class SplitEntry(Base):
    """One line of a won deal's commission split: a role, who holds it, the
    share and the amount, and what it was computed from (rule, rule-set
    version, the orders)."""
    __tablename__ = "split_entries"
    __table_args__ = (UniqueConstraint("registration_id", "role"), Index("ix_split_entries_month", "month"))
    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)   # None: the direct team
    role: Mapped[str] = mapped_column(String(20))          # registering | delivering | introducing | direct
    base_yuan: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    pool_yuan: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    share: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    amount_yuan: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    rule_id: Mapped[str] = mapped_column(String(40))
    rules_version: Mapped[int]
    orders: Mapped[list[str]] = mapped_column(JSON, default=list)     # order numbers the amount came from
    month: Mapped[str] = mapped_column(String(7))          # YYYY-MM of the win, company time
    won_at: Mapped[datetime]
    # An approved adjustment: the amount computed before it and the approval's number.
    computed_yuan: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    adjusted_by: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SplitAdjustment(Base):
    """分润调整: a change to one split line, effective only once approved."""
    __tablename__ = "split_adjustments"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("split_entries.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    amount_before: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    amount_after: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))        # pending | approved | rejected
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]


class RebateTarget(Base):
    """A partner's target in one rebate program (imported)."""
    __tablename__ = "rebate_targets"
    __table_args__ = (UniqueConstraint("program", "partner_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    program: Mapped[str] = mapped_column(String(40))
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    target_yuan: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RebateRun(Base):
    """A program's rebates computed at its period end, waiting for (or given) the approver's 同意."""
    __tablename__ = "rebate_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    program: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=RebateRunStatus.PROPOSED)
    # [{partner_id, partner, target, achieved, ratio, rate, rebate, orders: [numbers]}], money as strings
    lines: Mapped[list[dict]] = mapped_column(JSON, default=list)
    total_yuan: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    rules_version: Mapped[int]
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

"""Approvals: a flow of one or more steps over one subject (a registration, an
order, a special price, an extension), each step a card bound to the exact
payload it showed; and approvers' stand-ins for the days they are away."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.org import User
from models.states import ApprovalStatus, FlowStatus


class ApprovalFlow(Base):
    __tablename__ = "approval_flows"
    __table_args__ = (Index("ix_approval_flows_subject", "subject_type", "subject_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(30))    # registration | order | special_price | extension
    subject_id: Mapped[int]
    subject_ref: Mapped[str] = mapped_column(String(40), index=True)   # the number users type: RG… SO… SP… EX…
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # The ladder as decided when the flow started: [{"role": "area_manager"}, {"role": "director"}]
    steps: Mapped[list[dict]] = mapped_column(JSON)
    current_step: Mapped[int] = mapped_column(default=0)
    # pending | approved | rejected | void
    status: Mapped[str] = mapped_column(String(20), default=FlowStatus.PENDING)
    payload: Mapped[dict] = mapped_column(JSON)
    payload_hash: Mapped[str] = mapped_column(String(64))
    reasons: Mapped[list[dict]] = mapped_column(JSON, default=list)    # the verdicts that asked for it
    warning: Mapped[str | None] = mapped_column(String(300))
    # Where approvers are looked up: the customer's or the partner's region.
    region: Mapped[str | None] = mapped_column(String(40))
    # The group chat the request came from (None: a direct chat): its platform
    # and chat id. The approval lives in that thread (handlers/approvals/thread.py).
    origin_platform: Mapped[str | None] = mapped_column(String(20))
    origin_chat: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]

    requester: Mapped[User] = relationship()
    approvals: Mapped[list[Approval]] = relationship(back_populates="flow", order_by="Approval.id")


class Approval(Base):
    """One card to one approver for one step of a flow."""
    __tablename__ = "approvals"
    id: Mapped[int] = mapped_column(primary_key=True)
    flow_id: Mapped[int] = mapped_column(ForeignKey("approval_flows.id"), index=True)
    step: Mapped[int] = mapped_column(default=0)
    role: Mapped[str] = mapped_column(String(20), default="area_manager")
    # why approval is needed, comma-separated: TIER_EXCEEDED,POSSIBLE_DUPLICATE…
    reason_code: Mapped[str] = mapped_column(String(200))
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # pending | approved | rejected | void | transferred | escalated
    status: Mapped[str] = mapped_column(String(20), default=ApprovalStatus.PENDING)
    payload_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    task_id: Mapped[str] = mapped_column(String(128), unique=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    # Routed to a stand-in: the approver whose place they take.
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Handed over by transfer or escalation from this approver.
    transferred_from_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reminded_at: Mapped[datetime | None]
    # Past the escalation time with nobody above to escalate to: admins were told.
    overdue_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    flow: Mapped[ApprovalFlow] = relationship(back_populates="approvals")
    approver: Mapped[User] = relationship(foreign_keys=[approver_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Delegation(Base):
    """委托: ``delegate`` decides ``user``'s approvals from starts_on to ends_on (inclusive)."""
    __tablename__ = "delegations"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    delegate: Mapped[User] = relationship(foreign_keys=[delegate_id])

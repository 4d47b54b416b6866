"""Deal registrations (商机报备) and the locks that make first-come race-free."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.org import Customer, Partner, User
from models.states import ContestStatus, RegistrationStatus

OPEN_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.APPROVED)
# Protection ended before the deal was decided: the cool-down applies to these.
ENDED_STATUSES = (RegistrationStatus.EXPIRED, RegistrationStatus.WITHDRAWN, RegistrationStatus.RECALLED,
                  RegistrationStatus.TRANSFERRED)
CLOSED_STATUSES = (RegistrationStatus.WON, RegistrationStatus.LOST)


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (Index("ix_registrations_partner_status", "partner_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    submitter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    customer_text: Mapped[str] = mapped_column(String(200))     # as the dealer typed it
    department: Mapped[str | None] = mapped_column(String(60))
    product_lines: Mapped[list[str]] = mapped_column(JSON, default=list)
    products: Mapped[list[dict]] = mapped_column(JSON, default=list)   # [{word, sku, qty}]
    amount_yuan: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    close_date: Mapped[date | None] = mapped_column(Date)
    # pending | approved | rejected | withdrawn | expired
    status: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime]          # the server's receive time: decides first-come
    lock_until: Mapped[datetime | None]    # pending lock end, or protection end once approved
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    verdicts: Mapped[list[dict]] = mapped_column(JSON, default=list)
    match: Mapped[dict | None] = mapped_column(JSON)              # the customer match and why
    rules_version: Mapped[int | None]
    # Words the dealer wrote after the fields ("客户说预算已经批了"): kept, shown back, never the customer.
    note: Mapped[str | None] = mapped_column(String(500))
    # A claim on a name that resembles a known customer: the contest deciding it,
    # and the other spellings of it the partner sent meanwhile (北京协和, 协和医院东院).
    contest_id: Mapped[int | None] = mapped_column(ForeignKey("customer_contests.id"), index=True)
    other_names: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(default=1)
    extensions: Mapped[int] = mapped_column(default=0)     # granted 延期 so far
    # While a change to an approved registration waits for approval: the terms that
    # were approved ({amount_yuan, close_date, decided_at, decided_by_id, verdicts}). A refused
    # change restores them, so asking for more never costs the protection already won.
    approved_terms: Mapped[dict | None] = mapped_column(JSON)
    # Once expired: when every partner refused on it had been told the customer is
    # free (the lifecycle sweep stops re-checking it then).
    free_notices_done_at: Mapped[datetime | None]
    # Its life after acceptance (rules: pipeline). The open stage it is at (None:
    # the first stage; a won or lost deal keeps the stage it ended at), since when,
    # and the last follow-up (staleness counts from it, or from the approval).
    stage: Mapped[str | None] = mapped_column(String(20))
    stage_at: Mapped[datetime | None]
    last_follow_up_at: Mapped[datetime | None]
    # When its protection ended (expired, withdrawn, recalled, transferred): the
    # cool-down runs from here; and when its partner was told the cool-down ended.
    ended_at: Mapped[datetime | None]
    cooldown_told_at: Mapped[datetime | None]
    # Won or lost: when, for how much, why.
    closed_at: Mapped[datetime | None]
    won_amount_yuan: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    lost_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    lost_note: Mapped[str | None] = mapped_column(String(300))
    # A second partner selling with it (报备 … 合作 <伙伴>, or an appeal settled as
    # shared) and where its acceptance stands.
    joint_partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    joint_status: Mapped[str | None] = mapped_column(String(20))     # invited | accepted | declined
    joint_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    joint_decided_at: Mapped[datetime | None]
    joint_reason: Mapped[str | None] = mapped_column(String(300))
    # A key account of the direct team (co-selling), as the rules name it.
    key_account: Mapped[str | None] = mapped_column(String(200))
    # The registering partner's share of the deal when it is sold together (the
    # rest: the direct team or the joint partner); None: the whole deal.
    partner_share: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    partner: Mapped[Partner] = relationship(foreign_keys=[partner_id])
    joint_partner: Mapped[Partner | None] = relationship(foreign_keys=[joint_partner_id])
    submitter: Mapped[User] = relationship(foreign_keys=[submitter_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    customer: Mapped[Customer | None] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def change_waiting(self) -> bool:
        """Approved, with a change to it waiting for a decision."""
        return self.approved_terms is not None


class CustomerContest(Base):
    """Every claim on names that resemble one customer (the contested one),
    decided on one card by the area manager: "the same customer" refuses
    them, "another customer" lets each go on. One open contest per customer;
    a claim that joins it renews the card (``revision``)."""
    __tablename__ = "customer_contests"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ContestStatus.OPEN)
    revision: Mapped[int] = mapped_column(default=1)
    # the first claim's submitter: the approval engine's "requester" (each claim's dealer is told)
    submitter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]

    customer: Mapped[Customer] = relationship()


class RegistrationLock(Base):
    """One row per (customer, conflict scope) held by an open registration.

    The unique constraint is what makes "the first valid registration wins"
    hold when two workers insert at the same moment: the database lets one
    through and the other gets an IntegrityError.
    """
    __tablename__ = "registration_locks"
    __table_args__ = (UniqueConstraint("customer_id", "scope_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    scope_key: Mapped[str] = mapped_column(String(80))     # "*", "line:超声", "dept:心内科"
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime]
    registration: Mapped[Registration] = relationship()


class RecentClaim(Base):
    """The customer of one of a partner's last ``RECENT_CLAIMS`` registrations, in
    the slot its claim number (``partners.claim_seq``) gives: a ring, overwritten as
    the count goes round, so it never grows. A registration that read without the
    partner's lock reads here, under it, the customers of those committed
    meanwhile (handlers/registration/claims.py). No key to the customer: a merged
    customer's row is simply not found, and the reader then takes the safe way."""
    __tablename__ = "partner_recent_claims"
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True)
    slot: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int]
    # The known customer its name resembled, if any: two names that each resemble it
    # may not resemble each other (北京协和医院东院, 北京协和医院西院).
    resembled_id: Mapped[int | None]


RECENT_CLAIMS = 64


class RegistrationExtension(Base):
    """延期: one request to extend a registration's lock, with the evidence the
    rules asked for (verified visits) frozen as it was shown to the approver."""
    __tablename__ = "registration_extensions"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), index=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20))         # pending | approved | rejected | void
    days: Mapped[int]
    reason: Mapped[str | None] = mapped_column(String(300))
    evidence: Mapped[list[dict]] = mapped_column(JSON, default=list)   # the visits, as shown on the card
    lock_until_before: Mapped[datetime]
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]

    registration: Mapped[Registration] = relationship()


class RegistrationFollowUp(Base):
    """One piece of work on a deal: a note, a stage move, a verified visit, won
    or lost. Keeps the deal protected (staleness counts from the last one) and
    is evidence in an appeal."""
    __tablename__ = "registration_follow_ups"
    __table_args__ = (Index("ix_registration_follow_ups_registration_at", "registration_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))     # None: the bot (an order won it)
    kind: Mapped[str] = mapped_column(String(20))          # note | stage | visit | won | lost
    stage_from: Mapped[str | None] = mapped_column(String(20))
    stage_to: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(500))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    at: Mapped[datetime]

    user: Mapped[User | None] = relationship()

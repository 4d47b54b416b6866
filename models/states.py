"""The states a row can be in, and the roles a user can have.

``StrEnum``: each member is its lowercase string value, so it compares equal to
that string and is stored, serialised and formatted as it (the database and JSON
hold the same words as before).
"""
from __future__ import annotations

from enum import StrEnum


class RegistrationStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    RECALLED = "recalled"           # no follow-up for too long: protection ended early
    WON = "won"
    LOST = "lost"
    TRANSFERRED = "transferred"     # an appeal moved its protection to another partner


class FollowUpKind(StrEnum):
    """What a follow-up of a registration was (RegistrationFollowUp.kind)."""
    NOTE = "note"                   # 跟进 RG… <说明>
    STAGE = "stage"                 # a move to another stage
    VISIT = "visit"                 # a verified check-in at the customer
    WON = "won"
    LOST = "lost"


class JointStatus(StrEnum):
    """The second partner of a joint registration (Registration.joint_status)."""
    INVITED = "invited"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class AppealStatus(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"               # the holder keeps the customer
    TRANSFERRED = "transferred"     # protection moved to the appellant
    SHARED = "shared"               # both sell together


class ContestStatus(StrEnum):
    """Claims on names that resemble one customer, decided together (CustomerContest.status)."""
    OPEN = "open"               # claims wait for the area manager
    DECIDED = "decided"         # every claim was decided (this round)


class ExtensionStatus(StrEnum):
    """A 延期 request (RegistrationExtension.status)."""
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    VOID = "void"


class OrderStatus(StrEnum):
    DRAFT = "draft"                         # summary card sent, waiting for 确认
    PENDING_APPROVAL = "pending_approval"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class SpecialPriceStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    VOID = "void"
    USED = "used"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class FlowStatus(StrEnum):
    """An approval flow as a whole (ApprovalFlow.status)."""
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    VOID = "void"


class ApprovalStatus(StrEnum):
    """One approver's card in a flow (Approval.status)."""
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    VOID = "void"
    TRANSFERRED = "transferred"
    ESCALATED = "escalated"


class VisitStatus(StrEnum):
    OPEN = "open"                   # checked in
    CLOSED = "closed"               # checked out
    OFFSITE = "offsite"             # an attempt outside the geofence, never a visit
    AUTO_CLOSED = "auto_closed"     # never checked out


class PhotoStatus(StrEnum):
    PENDING = "pending"
    FETCHED = "fetched"
    FAILED = "failed"


class InboxStatus(StrEnum):
    NEW = "new"
    DONE = "done"
    DEAD = "dead"
    GAP = "gap"         # a tombstone: an id the sequencer found unused (a rolled-back insert)


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class ImportJobStatus(StrEnum):
    """An import run from the console (ImportJob.status)."""
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class RuleDraftStatus(StrEnum):
    """A candidate rule set (RuleDraft.status)."""
    DRAFT = "draft"
    ACTIVATED = "activated"
    DISCARDED = "discarded"


class Role(StrEnum):
    """A user's role (User.role)."""
    DEALER = "dealer"
    MANAGER = "manager"
    DIRECTOR = "director"
    REP = "rep"
    ADMIN = "admin"


# Who manages the channel: sees other partners' records, decides, hands out work.
MANAGING_ROLES = (Role.MANAGER, Role.DIRECTOR, Role.ADMIN)


class LeadStatus(StrEnum):
    """Where a lead (线索) stands."""
    NEW = "new"                     # in, not handed out yet
    OFFERED = "offered"             # a partner has the card and the SLA runs
    ACCEPTED = "accepted"           # the partner took it; its registration was refused (the lead stays theirs)
    CONVERTED = "converted"         # the partner took it and it is a registration now
    MANAGER = "manager"             # nobody (more) qualifies: the area manager has it
    CLOSED = "closed"               # the registration was won or lost


class OfferOutcome(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"           # 放弃, with a reason
    TIMED_OUT = "timed_out"         # no answer within the SLA
    RECALLED = "recalled"           # accepted, then its registration was recalled (no follow-up)


class RebateRunStatus(StrEnum):
    PROPOSED = "proposed"           # computed at period end, the card waits for the approver
    EMPTY = "empty"                 # computed at period end, nobody reached a tier: nothing to approve, no card
    APPROVED = "approved"
    REJECTED = "rejected"

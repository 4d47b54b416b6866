"""SQLAlchemy 2.x models. Import from here so Alembic sees every table."""
from models.appeal import Appeal, AppealPhoto
from models.approval import Approval, ApprovalFlow, Delegation
from models.audit import AuditBatch, AuditEvent
from models.base import Base, UTCDateTime
from models.console import AppSecret, ConsoleLoginLink
from models.conversation import ChatGroup
from models.earnings import Lead, LeadOffer, RebateRun, RebateTarget, SplitAdjustment, SplitEntry
from models.imports import ImportJob
from models.integration import Integration
from models.media import MediaBlob
from models.messaging import CardRef, InboxCursor, InboxMessage, OutboxMessage
from models.order import CHANGEABLE_ORDER_STATUSES, OPEN_ORDER_STATUSES, Order, OrderLine, PriceListEntry, StockLevel
from models.org import Customer, CustomerAlias, CustomerToken, Partner, Product, User
from models.registration import (
    CLOSED_STATUSES,
    ENDED_STATUSES,
    OPEN_STATUSES,
    RECENT_CLAIMS,
    CustomerContest,
    RecentClaim,
    Registration,
    RegistrationExtension,
    RegistrationFollowUp,
    RegistrationLock,
)
from models.rules import RuleDraft, RuleSet
from models.schedule import JobRun, SchedulerLease
from models.special_price import SpecialPrice
from models.state import KvEntry
from models.states import (
    MANAGING_ROLES,
    AppealStatus,
    ApprovalStatus,
    ContestStatus,
    ExtensionStatus,
    FlowStatus,
    FollowUpKind,
    ImportJobStatus,
    InboxStatus,
    JointStatus,
    LeadStatus,
    OfferOutcome,
    OrderStatus,
    OutboxStatus,
    PhotoStatus,
    RebateRunStatus,
    RegistrationStatus,
    Role,
    RuleDraftStatus,
    SpecialPriceStatus,
    VisitStatus,
)
from models.visit import Visit, VisitPhoto, VisitPlan

__all__ = [
    "CHANGEABLE_ORDER_STATUSES",
    "CLOSED_STATUSES",
    "ENDED_STATUSES",
    "MANAGING_ROLES",
    "OPEN_ORDER_STATUSES",
    "OPEN_STATUSES",
    "RECENT_CLAIMS",
    "AppSecret",
    "Appeal",
    "AppealPhoto",
    "AppealStatus",
    "Approval",
    "ApprovalFlow",
    "ApprovalStatus",
    "AuditBatch",
    "AuditEvent",
    "Base",
    "CardRef",
    "ChatGroup",
    "ConsoleLoginLink",
    "ContestStatus",
    "Customer",
    "CustomerAlias",
    "CustomerContest",
    "CustomerToken",
    "Delegation",
    "ExtensionStatus",
    "FlowStatus",
    "FollowUpKind",
    "ImportJob",
    "ImportJobStatus",
    "InboxCursor",
    "InboxMessage",
    "InboxStatus",
    "Integration",
    "JobRun",
    "JointStatus",
    "KvEntry",
    "Lead",
    "LeadOffer",
    "LeadStatus",
    "MediaBlob",
    "OfferOutcome",
    "Order",
    "OrderLine",
    "OrderStatus",
    "OutboxMessage",
    "OutboxStatus",
    "Partner",
    "PhotoStatus",
    "PriceListEntry",
    "Product",
    "RebateRun",
    "RebateRunStatus",
    "RebateTarget",
    "RecentClaim",
    "Registration",
    "RegistrationExtension",
    "RegistrationFollowUp",
    "RegistrationLock",
    "RegistrationStatus",
    "Role",
    "RuleDraft",
    "RuleDraftStatus",
    "RuleSet",
    "SchedulerLease",
    "SpecialPrice",
    "SpecialPriceStatus",
    "SplitAdjustment",
    "SplitEntry",
    "StockLevel",
    "UTCDateTime",
    "User",
    "Visit",
    "VisitPhoto",
    "VisitPlan",
    "VisitStatus",
]

"""SQLAlchemy 2.x models. Import from here so Alembic sees every table."""
from models.base import Base, UTCDateTime
from models.states import (ApprovalStatus, ExtensionStatus, FlowStatus, InboxStatus, OrderStatus, OutboxStatus,
                           PhotoStatus, RegistrationStatus, Role, SpecialPriceStatus, VisitStatus)
from models.org import Customer, CustomerAlias, CustomerToken, Partner, Product, User
from models.registration import OPEN_STATUSES, Registration, RegistrationExtension, RegistrationLock
from models.order import (CHANGEABLE_ORDER_STATUSES, OPEN_ORDER_STATUSES, Order, OrderLine, PriceListEntry,
                          StockLevel)
from models.special_price import SpecialPrice
from models.approval import Approval, ApprovalFlow, Delegation
from models.audit import AuditEvent, AuditHead
from models.messaging import CardRef, InboxMessage, OutboxMessage
from models.rules import RuleSet
from models.state import KvEntry
from models.integration import Integration
from models.media import MediaBlob
from models.visit import Visit, VisitPhoto, VisitPlan
from models.schedule import JobRun, SchedulerLease

__all__ = [
    "CardRef",
    "Base", "UTCDateTime", "Customer", "CustomerAlias", "CustomerToken", "Partner", "Product", "User", "Registration",
    "RegistrationExtension", "RegistrationLock", "Order", "OrderLine", "PriceListEntry", "StockLevel",
    "OPEN_ORDER_STATUSES", "CHANGEABLE_ORDER_STATUSES", "SpecialPrice", "Approval", "ApprovalFlow", "Delegation",
    "AuditEvent", "AuditHead", "InboxMessage", "OutboxMessage", "RuleSet", "KvEntry", "Integration", "MediaBlob",
    "Visit", "VisitPhoto", "VisitPlan", "JobRun", "SchedulerLease",
    "OPEN_STATUSES", "RegistrationStatus", "ExtensionStatus", "OrderStatus", "SpecialPriceStatus", "FlowStatus",
    "ApprovalStatus", "VisitStatus", "PhotoStatus", "InboxStatus", "OutboxStatus", "Role",
]

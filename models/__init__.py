"""SQLAlchemy 2.x models. Import from here so Alembic sees every table."""
from models.base import Base, UTCDateTime
from models.org import Customer, CustomerAlias, CustomerToken, Partner, Product, User
from models.registration import Registration, RegistrationLock
from models.approval import Approval
from models.audit import AuditEvent, AuditHead
from models.messaging import InboxMessage, OutboxMessage
from models.rules import RuleSet
from models.state import KvEntry

__all__ = [
    "Base", "UTCDateTime", "Customer", "CustomerAlias", "CustomerToken", "Partner", "Product", "User", "Registration",
    "RegistrationLock", "Approval", "AuditEvent", "AuditHead", "InboxMessage",
    "OutboxMessage", "RuleSet", "KvEntry",
]

"""Find the customer a dealer means, or create it (and file it in the index)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.clock import Clock
from domain.matching import analyse, region_of
from handlers.customers.search import CustomerMatch, aliases_for, index_customer, lookup, resembling
from models import Customer

__all__ = ["CustomerMatch", "find", "get_or_create", "resembling"]

find = lookup


def get_or_create(session: Session, clock: Clock, name: str, credit_code: str | None = None) -> Customer:
    """Create a customer first seen in chat; a concurrent creator of the same
    canonical name loses the unique-key race and takes the winner's row."""
    parts = analyse(name, aliases_for(session, [name]) or None)
    existing = session.execute(select(Customer).where(Customer.name_key == parts.key)).scalar_one_or_none()
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            row = Customer(name=name.strip(), name_key=parts.key, region=region_of(name), city=parts.city,
                           credit_code=credit_code, source="chat", created_at=clock.now())
            session.add(row)
            session.flush()
            index_customer(session, row, parts)
            session.flush()
            return row
    except IntegrityError:
        return session.execute(select(Customer).where(Customer.name_key == parts.key)).scalar_one()

"""Find the customer a dealer means, or create it (and file it in the index)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, aliased

from domain.clock import Clock
from domain.matching import NameParts, analyse, region_of
from handlers.customers.search import CustomerMatch, aliases_for, index_new_customer, lookup, resembling, tokens_for
from models import Customer, CustomerToken
from models.db import insert_of

__all__ = ["Created", "CustomerMatch", "create", "find", "get_or_create", "resembling"]

find = lookup


@dataclass
class Created:
    customer: Customer
    new: bool               # made now (False: it was there, made a moment ago by another worker)
    also: Any = None        # the column read with the insert (``create``'s ``also``), when new


def create(session: Session, clock: Clock, name: str, credit_code: str | None = None,
           parts: NameParts | None = None, also=None) -> Created:
    """Make a customer first seen in chat, which the lookup did not find: one
    INSERT … ON CONFLICT DO NOTHING, its index tokens written by the same
    statement (PostgreSQL) or by one more multi-row INSERT (SQLite). A
    concurrent creator of the same canonical name (or credit code) makes the
    insert do nothing, and the winner's row is taken. ``parts``: the name as the
    lookup read it (CustomerMatch.parts); ``also``: a column read with the
    insert (a scalar subquery), returned as ``Created.also``."""
    if parts is None:
        parts = analyse(name, aliases_for(session, [name]) or None)
    values = {"name": name.strip(), "name_key": parts.key, "region": region_of(name), "city": parts.city,
              "credit_code": credit_code, "source": "chat", "created_at": clock.now()}
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(_made_and_filed(values, tokens_for(parts), also)).first()
    else:
        stmt = insert_of(session, Customer).values(**values).on_conflict_do_nothing()
        row = session.execute(stmt.returning(Customer) if also is None else stmt.returning(Customer, also)).first()
        if row is not None:
            index_new_customer(session, row[0], parts)
    if row is not None:
        return Created(row[0], True, row[1] if also is not None else None)
    same = Customer.name_key == parts.key
    existing = session.execute(select(Customer).where(or_(same, Customer.credit_code == credit_code)
                                                      if credit_code else same)
                               .order_by(same.desc())).scalars().first()
    return Created(existing, False)


def _made_and_filed(values: dict, tokens: list[str], also):
    """PostgreSQL: the customer's INSERT and its tokens' INSERT as one statement
    (data-modifying WITH queries), the new row read back as the Customer."""
    made = (pg_insert(Customer).values(**values).on_conflict_do_nothing()
            .returning(*Customer.__table__.c).cte("made"))
    filed = (pg_insert(CustomerToken)
             .from_select(["token", "customer_id"],
                          select(func.unnest(bindparam("tokens", tokens, type_=ARRAY(Text))), made.c.id))
             .cte("filed"))
    columns = (aliased(Customer, made),) if also is None else (aliased(Customer, made), also)
    return select(*columns).add_cte(filed)


def get_or_create(session: Session, clock: Clock, name: str, credit_code: str | None = None) -> Customer:
    """The customer of this canonical name, made (and filed) if there is none."""
    parts = analyse(name, aliases_for(session, [name]) or None)
    existing = session.execute(select(Customer).where(Customer.name_key == parts.key)).scalar_one_or_none()
    if existing is not None:
        return existing
    return create(session, clock, name, credit_code, parts).customer

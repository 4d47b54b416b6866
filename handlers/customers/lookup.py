"""Find the customer a dealer means, or create it (and file it in the index)."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, bindparam, column, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from domain.clock import Clock
from domain.matching import NameParts, analyse
from handlers.customers.search import CustomerMatch, aliases_for, index_new_customer, lookup, resembling, tokens_for
from handlers.customers.tokens import read_name
from models import Customer, CustomerToken
from models.db import insert_of

__all__ = ["Also", "Created", "CustomerMatch", "create", "find", "get_or_create", "resembling"]

find = lookup


@dataclass(frozen=True)
class Also:
    """A scalar to read with the customer's insert: SQL text and its parameters."""
    sql: str
    params: dict


@dataclass
class Created:
    customer: Customer
    new: bool               # made now (False: it was there, made a moment ago by another worker)
    also: Any = None        # ``create``'s ``also``, read with the insert, when new


def create(session: Session, clock: Clock, name: str, credit_code: str | None = None,
           parts: NameParts | None = None, also: Also | None = None) -> Created:
    """Make a customer first seen in chat, which the lookup did not find: one
    INSERT … ON CONFLICT DO NOTHING, its index tokens written by the same
    statement (PostgreSQL) or by one more multi-row INSERT (SQLite). A
    concurrent creator of the same canonical name (or credit code) makes the
    insert do nothing, and the winner's row is taken. ``parts``: the name as the
    lookup read it (CustomerMatch.parts); ``also``: a scalar read with the insert,
    returned as ``Created.also``."""
    if parts is None:
        parts = analyse(name, aliases_for(session, [name]) or None)
    reading = read_name(name)      # usually read before the partner's lock (registration._submit)
    values = {"name": name.strip(), "name_key": parts.key, "region": reading.parts.region, "city": parts.city,
              "credit_code": credit_code, "source": "chat", "created_at": clock.now()}
    extra = also.params if also is not None else {}
    if session.get_bind().dialect.name == "postgresql":
        tokens = list(reading.tokens) if parts is reading.parts else tokens_for(parts)
        row = session.execute(_made_and_filed(also.sql if also is not None else None),
                              {**values, "tokens": tokens, **extra}).first()
    else:
        stmt = insert_of(session, Customer).values(**values).on_conflict_do_nothing()
        row = session.execute(stmt.returning(Customer) if also is None else
                              stmt.returning(Customer, text(f"({also.sql})").bindparams(**extra))).first()
        if row is not None:
            index_new_customer(session, row[0], parts)
    if row is not None:
        return Created(row[0], True, row[1] if also is not None else None)
    same = Customer.name_key == parts.key
    existing = session.execute(select(Customer).where(or_(same, Customer.credit_code == credit_code)
                                                      if credit_code else same)
                               .order_by(same.desc())).scalars().first()
    return Created(existing, False)


@functools.lru_cache(maxsize=8)
def _made_and_filed(also_sql: str | None):
    """PostgreSQL: the customer's INSERT and its tokens' INSERT as one statement
    (data-modifying WITH queries), the new row read back as the Customer (and
    ``also``, when asked). Written out and kept, so that it is compiled once:
    SQLAlchemy 2.0 compiles its PostgreSQL ``insert()`` afresh on every execution
    (models.db.insert_or_nothing says more)."""
    table = Customer.__table__
    written = ("name", "name_key", "region", "city", "credit_code", "source", "created_at")
    read = ", ".join(c.name for c in table.c)
    sql = (f"WITH made AS (INSERT INTO {table.name} ({', '.join(written)}) "
           f"VALUES ({', '.join(':' + c for c in written)}) ON CONFLICT DO NOTHING RETURNING {read}), "
           f"filed AS (INSERT INTO {CustomerToken.__tablename__} (token, customer_id) "
           f"SELECT unnest(:tokens), made.id FROM made) "
           f"SELECT {read}{f', ({also_sql}) AS also' if also_sql else ''} FROM made")
    binds = [bindparam(c, type_=table.c[c].type) for c in written] + [bindparam("tokens", type_=ARRAY(Text))]
    textual = text(sql).bindparams(*binds).columns(*table.c, *([column("also")] if also_sql else []))
    return select(Customer, *([textual.selected_columns.also] if also_sql else [])).from_statement(textual)


def get_or_create(session: Session, clock: Clock, name: str, credit_code: str | None = None) -> Customer:
    """The customer of this canonical name, made (and filed) if there is none."""
    parts = analyse(name, aliases_for(session, [name]) or None)
    existing = session.execute(select(Customer).where(Customer.name_key == parts.key)).scalar_one_or_none()
    if existing is not None:
        return existing
    return create(session, clock, name, credit_code, parts).customer

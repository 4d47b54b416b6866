"""The reads behind a customer lookup (handlers/customer_search.py), as few
and as cheap as the databases allow; every read is an indexed one.

- ``first_read``: the customer with the name's canonical key, and whether an
  admin alias is written like the name, in one statement;
- ``candidates``: every candidate tier in one statement, each candidate
  with its whole row, so the one that matches needs no further read.

On PostgreSQL a statement is planned every time it runs: psycopg drops its
prepared statements at each rollback, and the pool rolls back every
connection it takes back, so nothing stays prepared between chat turns.
Planning a union of five three-table joins costs about as much as running
it, so the tiers are one unnest + LATERAL read whatever their number, and
the first read stays small (folding the tiers into it made the common case,
a name that is known, slower: the planner pays for the part that does not
run).  Statements are built once: building and hashing one per call costs
more than running it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    Text,
    bindparam,
    column,
    exists,
    func,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session, aliased, make_transient_to_detached

from handlers.customers.tokens import tier_limit
from models import Customer, CustomerAlias, CustomerToken

_COLUMNS = tuple(Customer.__table__.c)
# One probe of the alias_key index: an alias written like the name in any
# spelling has the name's matching form as its key.  (An OR over several
# columns and forms is planned as a scan of the whole alias table.)
_ALIAS_APPLIES = exists().where(CustomerAlias.alias_key == bindparam("alias_key")).label("aliased")
_ONE_ROW = select(literal_column("1").label("one")).subquery("one")
_BY_KEY = (select(Customer, _ALIAS_APPLIES).select_from(_ONE_ROW)
           .outerjoin(Customer, Customer.name_key == bindparam("key")))


def _pg_tiers():
    q = (func.unnest(bindparam("tokens", type_=ARRAY(Text)), bindparam("limits", type_=ARRAY(Integer)))
         .table_valued("tok", "lim").render_derived(name="q"))
    t = select(CustomerToken.customer_id).where(CustomerToken.token == q.c.tok).limit(q.c.lim).lateral("t")
    cand, cand_alias = aliased(Customer, name="cand"), aliased(CustomerAlias, name="cand_alias")
    return (select(q.c.tok, cand_alias.full_name, *(getattr(cand, c.key) for c in _COLUMNS)).select_from(q)
            .join(t, true()).join(cand, cand.id == t.c.customer_id)
            .outerjoin(cand_alias, cand_alias.alias == cand.name))


_PG_TIERS = _pg_tiers()


@lru_cache(maxsize=64)
def _sqlite_tiers(limits: tuple[int, ...]):
    """One statement for every tier, each a read of the (token, customer_id)
    index stopped at its limit, with the candidate's name and, should that
    name be an admin's short form, its full name.  Built once per shape."""
    wanted = ", ".join(f"c.{c.name}" for c in _COLUMNS)
    parts = [f"SELECT t.token, a.full_name, {wanted} FROM (SELECT token, customer_id"
             f" FROM customer_tokens WHERE token = :t{i} LIMIT {limit}) AS t"
             f" JOIN customers c ON c.id = t.customer_id LEFT JOIN customer_aliases a ON a.alias = c.name"
             for i, limit in enumerate(limits)]
    # typed like the table, so dates come back as dates
    return text(" UNION ALL ".join(parts)).columns(column("token", String), column("full_name", String), *_COLUMNS)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def first_read(session: Session, key: str, alias_key: str) -> tuple[Customer | None, bool]:
    """(customer with `key` or None, whether an alias with `alias_key` exists)."""
    customer, alias = session.execute(_BY_KEY, {"key": key, "alias_key": alias_key}).one()
    return customer, bool(alias)


@dataclass
class Candidates:
    by_tier: dict[str, list[int]] = field(default_factory=dict)   # token → customer ids, in index order
    names: dict[int, str] = field(default_factory=dict)
    aliased: dict[str, str] = field(default_factory=dict)         # candidate name → an admin's full name for it
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)

    def customer(self, session: Session, cid: int) -> Customer:
        """The candidate as the session's persistent Customer, from the row
        already read: merge(load=False) files it without a query."""
        found = Customer(**self.rows[cid])
        make_transient_to_detached(found)
        return session.merge(found, load=False)


def candidates(session: Session, tiers: list[str]) -> Candidates:
    got = Candidates()
    if not tiers:
        return got
    limits = [tier_limit(t) for t in tiers]
    if _postgres(session):
        rows = session.execute(_PG_TIERS, {"tokens": tiers, "limits": limits})
    else:
        rows = session.execute(_sqlite_tiers(tuple(limits)), {f"t{i}": tok for i, tok in enumerate(tiers)})
    for token, full, *values in rows:
        row = {c.key: v for c, v in zip(_COLUMNS, values)}
        got.by_tier.setdefault(token, []).append(row["id"])
        got.names[row["id"]] = row["name"]
        got.rows[row["id"]] = row
        if full:
            got.aliased[row["name"]] = full
    return got

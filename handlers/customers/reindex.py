"""Re-file stored customers after the matcher changed how it reads names
(domain.matching.KEY_VERSION) or what the index files them under
(handlers/customer_tokens.py).  Lookups compute keys and tokens with the
current code, so a customer filed by older code is found only by tiers that
did not move; this brings every row up to date.

Runs in batches by id (each its own transaction), so it can run beside the
bot and be stopped and started again; running it again is safe.  A
customer whose new key another customer still holds at the end (a key held
when its batch ran is tried again after the last batch) keeps its old key:
two stored rows that are now known to be one organisation are for a person
to merge, not for a script.  They are returned in `collisions`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, inspect, literal, select, update
from sqlalchemy.orm import Session, sessionmaker

from domain.matching import analyse
from handlers.customers.tokens import tokens_for
from models import Customer, CustomerToken


@dataclass
class ReindexReport:
    customers: int = 0
    keys_changed: int = 0
    collisions: list[tuple[int, int]] = field(default_factory=list)   # (customer kept on its old key, holder)


def refile_in_migration(bind) -> ReindexReport:
    """A data migration's re-file (0007, 0011): each batch a savepoint inside the
    migration's own transaction; what could not move is printed for a person."""
    factory = sessionmaker(bind=bind, join_transaction_mode="create_savepoint")
    report = reindex_customers(factory)
    if report.collisions:
        print(f"re-filed {report.customers} customers; {len(report.collisions)} kept their old key because "
              f"another customer now has it (same organisation twice: merge them by hand): {report.collisions[:20]}")
    return report


def _english_column(s: Session):
    """Customer.english_name, or NULL where the schema has no such column yet (an
    older migration that re-files customers runs with today's code)."""
    columns = {c["name"] for c in inspect(s.connection()).get_columns("customers")}
    return Customer.english_name if "english_name" in columns else literal(None).label("english_name")


def reindex_customers(factory: sessionmaker[Session], batch: int = 2000,
                      progress: Callable[[int], None] | None = None) -> ReindexReport:
    report = ReindexReport()
    last = 0
    with factory() as s:
        english = _english_column(s)
    while True:
        with factory() as s, s.begin():
            rows = s.execute(select(Customer.id, Customer.name, Customer.name_key, english)
                             .where(Customer.id > last).order_by(Customer.id).limit(batch)).all()
            if not rows:
                break
            last = rows[-1].id
            _reindex_batch(s, rows, report)
        report.customers += len(rows)
        if progress:
            progress(report.customers)
    _retry_collisions(factory, report)
    return report


def _retry_collisions(factory: sessionmaker[Session], report: ReindexReport) -> None:
    """A key held when its batch ran may have moved on in a later batch (two
    customers whose keys changed past each other): try those again until no
    more move. What still collides then is a real pair for a person."""
    waiting = report.collisions
    while waiting:
        still: list[tuple[int, int]] = []
        with factory() as s, s.begin():
            for cid, _ in waiting:
                name = s.execute(select(Customer.name).where(Customer.id == cid)).scalar_one()
                key = analyse(name).key
                holder = s.execute(select(Customer.id).where(Customer.name_key == key)).scalar_one_or_none()
                if holder is not None and holder != cid:
                    still.append((cid, holder))
                    continue
                s.execute(update(Customer).where(Customer.id == cid).values(name_key=key))
                report.keys_changed += 1
        if len(still) == len(waiting):
            break
        waiting = still
    report.collisions = waiting


def _reindex_batch(s: Session, rows, report: ReindexReport) -> None:
    parts = {cid: analyse(name) for cid, name, _, _ in rows}
    english = {cid: en for cid, _, _, en in rows}
    moved = {cid: parts[cid].key for cid, _, key, _ in rows if parts[cid].key and parts[cid].key != key}
    holders = dict(s.execute(select(Customer.name_key, Customer.id)
                             .where(Customer.name_key.in_(set(moved.values())))).all()) if moved else {}
    for cid, key in moved.items():
        holder = holders.get(key)
        if holder is not None and holder != cid:
            report.collisions.append((cid, holder))
            continue
        s.execute(update(Customer).where(Customer.id == cid).values(name_key=key))
        holders[key] = cid
        report.keys_changed += 1
    ids = [cid for cid, _, _, _ in rows]
    s.execute(delete(CustomerToken).where(CustomerToken.customer_id.in_(ids)))
    tokens = [{"token": tok, "customer_id": cid} for cid in ids for tok in tokens_for(parts[cid], english[cid])]
    if tokens:
        s.execute(insert(CustomerToken.__table__), tokens)

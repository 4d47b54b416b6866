"""Find the customer a dealer means, or create it; explain how it was matched."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.matching import analyse, best_match, region_of
from models import Customer


@dataclass(frozen=True)
class CustomerMatch:
    verdict: str            # duplicate (an existing customer) | possible | distinct (new)
    score: float
    reason: str
    matched: Customer | None     # the existing customer it equals or resembles
    details: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"verdict": self.verdict, "score": round(self.score, 3), "reason": self.reason,
                "matched_id": self.matched.id if self.matched else None,
                "matched_name": self.matched.name if self.matched else None, "details": list(self.details)}


def find(session: Session, name: str) -> CustomerMatch:
    """Exact canonical key first; otherwise the best fuzzy candidate.

    The candidate scan reads every customer's name: fine for a demo-sized
    master list; the indexed search for large lists is its own piece of work.
    """
    parts = analyse(name)
    exact = session.execute(select(Customer).where(Customer.name_key == parts.key)).scalar_one_or_none()
    if exact is not None:
        return CustomerMatch("duplicate", 1.0, "标准化后名称相同", exact, parts.steps)
    rows = session.execute(select(Customer.id, Customer.name)).all()
    found = best_match(name, [(r.id, r.name) for r in rows])
    if found is None:
        return CustomerMatch("distinct", 0.0, "没有相似的已知客户", None, parts.steps)
    cid, res = found
    return CustomerMatch(res.verdict, res.score, res.reason, session.get(Customer, cid), res.details)


def get_or_create(session: Session, clock: Clock, name: str) -> Customer:
    """Create a customer first seen in chat; a concurrent creator of the same
    canonical name loses the unique-key race and takes the winner's row."""
    parts = analyse(name)
    existing = session.execute(select(Customer).where(Customer.name_key == parts.key)).scalar_one_or_none()
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            row = Customer(name=name.strip(), name_key=parts.key, region=region_of(name), city=parts.city,
                           source="chat", created_at=clock.now())
            session.add(row)
            session.flush()
            return row
    except IntegrityError:
        return session.execute(select(Customer).where(Customer.name_key == parts.key)).scalar_one()

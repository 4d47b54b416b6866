"""The shape every timed job shares: read what is due, then handle each item
in a transaction of its own, acting as the scheduler. One item's failure rolls
back that item only; the next run sees it again (every step is idempotent by
the state it changes and the keys it sends under)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from chat.context import Context, Services
from models.db import unit_of_work

T = TypeVar("T")


def read(svc: Services, query: Callable[[Context], T]) -> T:
    """What is due: ``query`` runs in a read-only session as the scheduler."""
    with svc.factory() as s:
        return query(Context.for_system(s, svc, actor="scheduler"))


Outcome = str | dict[str, int] | None


def each(svc: Services, items: Iterable[Any], step: Callable[[Context, Any], Outcome],
         outcomes: Iterable[str] = ()) -> dict[str, int]:
    """``step(ctx, item)`` for each item, each in its own transaction. A step names
    its outcome (counted once) or gives counts; the totals are returned, with
    ``outcomes`` counted from 0."""
    counts: Counter[str] = Counter(dict.fromkeys(outcomes, 0))
    for item in items:
        with unit_of_work(svc.factory) as s:
            outcome = step(_system(s, svc), item)
        if isinstance(outcome, dict):
            counts.update(outcome)
        elif outcome:
            counts[outcome] += 1
    return dict(counts)


def _system(s: Session, svc: Services) -> Context:
    return Context.for_system(s, svc, actor="scheduler")

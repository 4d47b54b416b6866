"""One-time sign-in links for the console (`python -m bot console-login USERID`):
a random token shown once, stored only as its hash, good for a few minutes and
one use. Consuming marks it used in the same transaction that reads it, so two
clicks on one link sign in at most once."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.clock import Clock
from models import ConsoleLoginLink, User

LINK_TTL = timedelta(minutes=10)
LINK_PATH = "/console/login/link/"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(s: Session, clock: Clock, user: User, created_by: str = "cli", ttl: timedelta = LINK_TTL) -> str:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    s.add(ConsoleLoginLink(token_hash=token_hash(token), user_id=user.id, created_by=created_by, created_at=now,
                           expires_at=now + ttl))
    s.flush()
    return token


@dataclass(frozen=True)
class Consumed:
    user: User | None
    problem: str | None = None          # unknown | used | expired


def consume(s: Session, clock: Clock, token: str) -> Consumed:
    """The user the link signs in, once. A used or expired link says which."""
    if not token or len(token) > 200:
        return Consumed(None, "unknown")
    row = s.execute(select(ConsoleLoginLink).where(ConsoleLoginLink.token_hash == token_hash(token))
                    .with_for_update()).scalar_one_or_none()
    if row is None:
        return Consumed(None, "unknown")
    now = clock.now()
    if row.used_at is not None:
        return Consumed(row.user, "used")
    if row.expires_at <= now:
        return Consumed(row.user, "expired")
    # Conditional on still unused: of two workers consuming it at once, one wins.
    won = s.execute(update(ConsoleLoginLink).where(ConsoleLoginLink.id == row.id, ConsoleLoginLink.used_at.is_(None))
                    .values(used_at=now)).rowcount
    return Consumed(row.user) if won else Consumed(row.user, "used")

"""The console's session key: QUDAO_SECRET_KEY when set (production sets it),
else one generated once and kept in the database, so every worker and every
restart of the embedded default signs sessions alike."""
from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from domain.clock import Clock
from models import AppSecret

NAME = "console_session_key"


def session_key(factory: sessionmaker[Session], clock: Clock, configured: str | None) -> str:
    if configured:
        return configured
    with factory() as s:
        row = s.get(AppSecret, NAME)
        if row is not None:
            return row.value
    try:
        with factory() as s, s.begin():
            s.add(AppSecret(name=NAME, value=secrets.token_urlsafe(48), created_at=clock.now()))
    except IntegrityError:
        pass            # another worker made it first: use theirs
    with factory() as s:
        return s.get(AppSecret, NAME).value

"""The outbox in tests: put a text in it as a command would, read its rows."""
from __future__ import annotations

from sqlalchemy import select

from chat import outbox
from chat.messages import Text
from models import OutboxMessage


def enqueue(app, recipient: str, body: str, key: str) -> None:
    q = app.extensions["qudao"]
    with q.factory() as s, s.begin():
        outbox.enqueue(s, q.clock, recipient, Text(body), key, platform="wecom",
                       limits=q.services.pacing("wecom", recipient))


def rows(app) -> list[OutboxMessage]:
    with app.extensions["qudao"].factory() as s:
        return s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()

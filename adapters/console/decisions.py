"""Deciding an approval from the console is a card click like any other: a
neutral Inbound (platform "console", the approval card's task id, the button's
key, the reason with a reject) handed to the inbox, so the same rules run and
the same stamp lands on the approver's chat card. The page then shows what the
bot answered (the console's replies are outbox rows, see transport.py)."""
from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import select

from adapters.console.access import Viewer
from adapters.console.env import ConsoleEnv
from adapters.console.transport import PLATFORM
from chat.messages import CardClick, Inbound, InboundKind, outgoing_from_dict
from models import InboxMessage, InboxStatus, OutboxMessage

POLL_S = 0.05


@dataclass(frozen=True)
class Answer:
    submitted: bool            # False: this exact form was sent before (a double submit)
    done: bool                 # processed within the wait
    replies: tuple[str, ...]   # what the bot answered


def click(env: ConsoleEnv, viewer: Viewer, task_id: str, key: str, nonce: str, reason: str | None = None) -> Answer:
    now = env.svc.clock.now()
    msg = Inbound(platform=PLATFORM, kind=InboundKind.CARD_CLICK, sender=viewer.external_id, msg_id=nonce,
                  created_at=now, text=reason or None, card=CardClick(task_id=task_id, key=key))
    inbox_id = env.submit(msg, f"{PLATFORM}:{viewer.external_id}:{nonce}")
    if inbox_id is None:
        return Answer(False, True, ())
    deadline = time.monotonic() + env.reply_wait_s
    while True:
        with env.svc.factory() as s:
            status = s.execute(select(InboxMessage.status).where(InboxMessage.id == inbox_id)).scalar()
            if status != InboxStatus.NEW or time.monotonic() >= deadline:
                rows = s.execute(select(OutboxMessage.payload).where(
                    OutboxMessage.platform == PLATFORM, OutboxMessage.idem_key.like(f"in:{inbox_id}:%"))
                    .order_by(OutboxMessage.id)).scalars().all()
                return Answer(True, status != InboxStatus.NEW,
                              tuple(getattr(outgoing_from_dict(p), "body", "") for p in rows))
        time.sleep(POLL_S)

"""Inbox rows for the tests of the acknowledgement and of receive order."""
from __future__ import annotations

from sqlalchemy import select

from chat.messages import Inbound
from models import InboxMessage


def text_message(clock, user: str, body: str, n: int) -> Inbound:
    """A WeCom text message from ``user``, numbered ``n`` (its MsgId)."""
    return Inbound(platform="wecom", kind="text", sender=user, msg_id=f"m{n}", created_at=clock.now(), text=body)


def stored_keys(q) -> list:
    """(dedup key, replay key) of every inbox row, in id order."""
    with q.factory() as s:
        return s.execute(select(InboxMessage.dedup_key, InboxMessage.replay_key).order_by(InboxMessage.id)).all()

"""The group chats the bot hears from (``chat_groups``): each group message
refreshes its title and the platform it came on, so a push into the group
later (an approval's decision) can name it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ChatGroup


def heard(s: Session, platform: str, chat_id: str, title: str | None, now: datetime) -> None:
    row = s.execute(select(ChatGroup).where(ChatGroup.chat_id == chat_id)).scalar_one_or_none()
    if row is None:
        s.add(ChatGroup(chat_id=chat_id, title=title or "", members=[], platform=platform, created_at=now,
                        updated_at=now))
        s.flush()
        return
    if (title and row.title != title) or row.platform != platform:
        row.title, row.platform, row.updated_at = title or row.title, platform, now


def title_of(s: Session, chat_id: str) -> str:
    return s.execute(select(ChatGroup.title).where(ChatGroup.chat_id == chat_id)).scalar_one_or_none() or ""

"""Group chats the bot is in: the chat id a platform gives the group (the same
string on each platform the organisation uses, like userids), its title, and
its members as configured (the bot answers anyone in a group; members matter
to the simulator and to people reading the data, not to the rules)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ChatGroup(Base):
    __tablename__ = "chat_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    members: Mapped[list[str]] = mapped_column(JSON, default=list)     # userids
    # The platform the bot last heard the group on (None: configured, not heard yet).
    platform: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

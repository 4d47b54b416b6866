"""What the ops console keeps: one-time sign-in links (stored hashed) and the
application secrets generated for the embedded default (the session key)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base
from models.org import User


class ConsoleLoginLink(Base):
    """A sign-in link printed by `python -m bot console-login`: short-lived and
    good for one use. Only the token's hash is stored, so the table alone signs
    nobody in."""
    __tablename__ = "console_login_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(64))      # "cli", or who asked for it
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class AppSecret(Base):
    """A secret the application made for itself when none was configured (the
    console's session key): stored once, shared by every worker."""
    __tablename__ = "app_secrets"
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]

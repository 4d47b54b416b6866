"""Rule sets as data: loaded from config files, versioned, shared by every worker."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.states import RuleDraftStatus


class RuleSet(Base):
    __tablename__ = "rule_sets"
    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    checksum: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(300))
    content: Mapped[dict] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    loaded_at: Mapped[datetime]


class RuleDraft(Base):
    """A candidate rule set written in the console: validated, compared with the
    active version, replayed against past traffic (what-if), then activated (it
    becomes a new RuleSet version) or discarded."""
    __tablename__ = "rule_drafts"
    id: Mapped[int] = mapped_column(primary_key=True)
    yaml_text: Mapped[str] = mapped_column(Text)            # as typed, comments and all
    content: Mapped[dict] = mapped_column(JSON)             # as it would be stored
    base_version: Mapped[int | None]                        # the active version it was written against
    # draft | activated | discarded
    status: Mapped[str] = mapped_column(String(20), default=RuleDraftStatus.DRAFT)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    activated_version: Mapped[int | None]

"""Binary media kept by the bot: photos fetched from a chat platform, charts it renders."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class MediaBlob(Base):
    __tablename__ = "media_blobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))            # photo | chart
    content_type: Mapped[str] = mapped_column(String(60))
    filename: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    # A platform upload of it: reused while the platform still keeps it.
    platform_media_id: Mapped[str | None] = mapped_column(String(200))
    uploaded_at: Mapped[datetime | None]

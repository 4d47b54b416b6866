"""Binary media kept by the bot: photos fetched from a chat platform, charts it renders."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from models.base import Base
from models.states import PhotoStatus


class MediaBlob(Base):
    __tablename__ = "media_blobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))            # photo | chart | file
    # Long enough for a workbook's (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet).
    content_type: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    # A platform upload of it: reused while the platform still keeps it.
    platform_media_id: Mapped[str | None] = mapped_column(String(200))
    uploaded_at: Mapped[datetime | None]


class KeptMedia:
    """The columns of a photo a user sent that the bot keeps: chat platforms keep
    media a few days only, so each row is also a durable job, fetched and stored
    as a MediaBlob (``blob_id``), retried until then (chat.kept_media)."""
    platform: Mapped[str] = mapped_column(String(20))
    media_id: Mapped[str] = mapped_column(String(200), unique=True)
    pic_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), default=PhotoStatus.PENDING)   # pending | fetched | failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    fetched_at: Mapped[datetime | None]

    @declared_attr
    def blob_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("media_blobs.id"))

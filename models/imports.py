"""An import run from the ops console: the uploaded file (a media blob), its
progress while a background thread works on it, and the row-level report."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.states import ImportJobStatus


class ImportJob(Base):
    __tablename__ = "import_jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))                 # products | partners | … | plans
    filename: Mapped[str] = mapped_column(String(200))
    sheet: Mapped[str | None] = mapped_column(String(100))
    blob_id: Mapped[int] = mapped_column(ForeignKey("media_blobs.id"))
    dry_run: Mapped[bool] = mapped_column(default=True)
    # The dry run this real run follows (the file it checked).
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("import_jobs.id"))
    # queued | running | done | failed
    status: Mapped[str] = mapped_column(String(20), default=ImportJobStatus.QUEUED)
    phase: Mapped[str | None] = mapped_column(String(10))        # read | write
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_estimate: Mapped[int | None]                             # data rows the file seems to hold
    report: Mapped[dict | None] = mapped_column(JSON)             # ImportReport, as the page shows it
    error: Mapped[str | None] = mapped_column(Text)               # the file could not be used: why
    started_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]

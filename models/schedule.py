"""Timed work: the lease that makes one scheduler process the active one, and
a record of each periodic run so a restart or a second process never repeats it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class SchedulerLease(Base):
    __tablename__ = "scheduler_leases"
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    acquired_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class JobRun(Base):
    """One run of a periodic job for one period (a day, a week); the primary key
    is what makes "run once per period" hold across restarts and processes."""
    __tablename__ = "job_runs"
    job: Mapped[str] = mapped_column(String(60), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), primary_key=True)    # "2026-12-02", "2026-W49"
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    result: Mapped[dict | None] = mapped_column(JSON)
    # The lease holder running it: while that process holds the lease the run is
    # alive, however long it takes; once it does not, it died and may run again.
    holder: Mapped[str | None] = mapped_column(String(120))

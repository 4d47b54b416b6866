"""Time source. Handlers ask the clock, never ``datetime.now()``, so tests can pin it."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


class Clock:
    def __init__(self, tz: str = "Asia/Shanghai"):
        self.tz = ZoneInfo(tz)

    def now(self) -> datetime:
        """Aware UTC now."""
        return datetime.now(UTC)

    def local(self, when: datetime | None = None) -> datetime:
        when = when or self.now()
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return when.astimezone(self.tz)

    def today(self):
        return self.local().date()

    def fmt(self, when: datetime | None, pattern: str = "%m-%d %H:%M") -> str:
        return self.local(when).strftime(pattern) if when else "-"


class OffsetClock(Clock):
    """Wall time plus an offset that only grows: the simulator's fast-forward,
    so a demo can see tomorrow's plan or a protection period running out."""

    def __init__(self, tz: str = "Asia/Shanghai"):
        super().__init__(tz)
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, hours: float) -> None:
        with self._lock:
            self._offset += timedelta(hours=hours)

    def advance_to(self, when: datetime) -> None:
        """Move on to ``when``; never back."""
        self.set_offset(when - datetime.now(UTC))

    def set_offset(self, offset: timedelta) -> None:
        """Run ``offset`` ahead of real time; never less ahead than already."""
        with self._lock:
            self._offset = max(self._offset, offset)

    @property
    def offset(self) -> timedelta:
        return self._offset


class FrozenClock(Clock):
    """A clock that only moves when told to (tests, demos)."""

    def __init__(self, at: datetime, tz: str = "Asia/Shanghai"):
        super().__init__(tz)
        self._now = at if at.tzinfo else at.replace(tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, at: datetime) -> None:
        self._now = at if at.tzinfo else at.replace(tzinfo=UTC)

    def advance(self, **kw) -> None:
        self._now += timedelta(**kw)


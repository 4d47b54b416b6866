"""Time source. Handlers ask the clock, never ``datetime.now()``, so tests can pin it."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo


class Clock:
    def __init__(self, tz: str = "Asia/Shanghai"):
        self.tz = ZoneInfo(tz)

    def now(self) -> datetime:
        """Aware UTC now."""
        return datetime.now(timezone.utc)

    def local(self, when: datetime | None = None) -> datetime:
        when = when or self.now()
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return when.astimezone(self.tz)

    def today(self):
        return self.local().date()

    def fmt(self, when: datetime | None, pattern: str = "%m-%d %H:%M") -> str:
        return self.local(when).strftime(pattern) if when else "-"


class FrozenClock(Clock):
    """A clock that only moves when told to (tests, demos)."""

    def __init__(self, at: datetime, tz: str = "Asia/Shanghai"):
        super().__init__(tz)
        self._now = at if at.tzinfo else at.replace(tzinfo=timezone.utc)

    def now(self) -> datetime:
        return self._now

    def set(self, at: datetime) -> None:
        self._now = at if at.tzinfo else at.replace(tzinfo=timezone.utc)

    def advance(self, **kw) -> None:
        self._now += timedelta(**kw)


"""Working-hours calendar for approval SLAs ("remind after 4 working hours").

A calendar is a set of working days (weekdays, minus holidays, plus China's
make-up working days, 调休) each open from ``start`` to ``end`` local time in
one time zone. All arithmetic is done on UTC instants: each day's opening
and closing are resolved through zoneinfo first, so days that are shorter or
longer because of a DST change are counted exactly, and subtracting two
datetimes never silently uses wall-clock time.

Loops walk calendar days, never minutes, and are bounded: a calendar with no
working day is rejected at construction, and add_working gives up (ValueError)
rather than search more than MAX_SEARCH_DAYS ahead.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# How far add_working may look ahead. Generous for any SLA, and it keeps a
# calendar whose only working days are a few listed dates from spinning.
MAX_SEARCH_DAYS = 366 * 100

_ONE_DAY = timedelta(days=1)
_HH_MM = re.compile(r"(\d{1,2}):(\d{2})")
_DICT_KEYS = frozenset({"tz", "days", "start", "end", "holidays", "workdays"})


@dataclass(frozen=True)
class WorkCalendar:
    """Working hours in one zone. ``days`` uses Python weekdays (Mon=0);
    ``holidays`` are days off, ``workdays`` extra working days (make-up
    Saturdays). Hours run from ``start`` to ``end`` on the same day."""

    tz: str = "Asia/Shanghai"
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: time = time(9, 0)
    end: time = time(18, 0)
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"unknown time zone {self.tz!r}") from exc
        object.__setattr__(self, "_zone", zone)

        days = tuple(self.days)
        for day in days:
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                raise ValueError(f"weekday must be an integer 0 (Mon) .. 6 (Sun), got {day!r}")
        object.__setattr__(self, "days", tuple(sorted(set(days))))

        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ValueError(f"{name} must be a naive datetime.time (local to tz), got {value!r}")
        if self.start >= self.end:
            raise ValueError(f"start {self.start} must be before end {self.end} "
                             "(overnight hours are not supported)")

        holidays = _date_set("holidays", self.holidays)
        workdays = _date_set("workdays", self.workdays)
        clash = holidays & workdays
        if clash:
            raise ValueError(f"dates listed both as holiday and as working day: {sorted(clash)}")
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "workdays", workdays)

        if not self.days and not self.workdays:
            raise ValueError("calendar has no working day at all: give weekdays or workdays")

    # -- construction from settings -------------------------------------------------

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> WorkCalendar:
        """Read {"tz", "days" (ISO weekdays, Mon=1), "start"/"end" ("HH:MM"),
        "holidays"/"workdays" (ISO dates)}; every key is optional."""
        if not isinstance(d, Mapping):
            raise ValueError(f"work calendar must be a mapping, got {type(d).__name__}")
        unknown = set(d) - _DICT_KEYS
        if unknown:
            # A typo such as "holiday" would otherwise be silently ignored.
            raise ValueError(f"unknown work calendar keys: {sorted(unknown)}")
        kwargs: dict[str, Any] = {}
        if "tz" in d:
            kwargs["tz"] = d["tz"]
        if "days" in d:
            kwargs["days"] = tuple(_iso_weekday_to_python(v) for v in _as_list("days", d["days"]))
        for name in ("start", "end"):
            if name in d:
                kwargs[name] = parse_clock_time(name, d[name])
        for name in ("holidays", "workdays"):
            if name in d:
                kwargs[name] = frozenset(_parse_date(name, v) for v in _as_list(name, d[name]))
        return cls(**kwargs)

    # -- queries --------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        if day in self.holidays:
            return False
        return day in self.workdays or day.weekday() in self.days

    def is_working_time(self, at: datetime) -> bool:
        """True while open; the closing instant itself is not working time."""
        at_utc = _to_utc("at", at)
        day = at_utc.astimezone(self._zone).date()
        hours = self._hours_utc(day)
        return hours is not None and hours[0] <= at_utc < hours[1]

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working time between two aware datetimes, in seconds (0 if end <= start)."""
        start_utc, end_utc = _to_utc("start", start), _to_utc("end", end)
        if end_utc <= start_utc:
            return 0.0
        total = timedelta(0)
        day = start_utc.astimezone(self._zone).date()
        last_day = end_utc.astimezone(self._zone).date()
        while day <= last_day:
            hours = self._hours_utc(day)
            if hours is not None:
                overlap = min(hours[1], end_utc) - max(hours[0], start_utc)
                if overlap > timedelta(0):
                    total += overlap
            day += _ONE_DAY
        return total.total_seconds()

    def add_working(self, start: datetime, seconds: float) -> datetime:
        """The instant when ``seconds`` of working time have passed since start.

        Outside hours the clock starts at the next opening, so adding 0 from
        20:00 gives the next opening. Time that runs out exactly at closing
        ends at that closing, not at the next opening. The result is in
        start's tzinfo.
        """
        start_utc = _to_utc("start", start)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not math.isfinite(seconds) \
                or seconds < 0:
            raise ValueError(f"seconds must be a finite number >= 0, got {seconds!r}")
        remaining = timedelta(seconds=seconds)
        day = start_utc.astimezone(self._zone).date()
        # Without weekly days, nothing can open after the last listed workday.
        # Stop a day short of date.max so the loop's own step cannot overflow.
        last_day = date.max - _ONE_DAY
        if (last_day - day).days > MAX_SEARCH_DAYS:
            last_day = day + timedelta(days=MAX_SEARCH_DAYS)
        if not self.days:
            last_day = min(last_day, max(self.workdays))
        while day <= last_day:
            hours = self._hours_utc(day)
            if hours is not None and hours[1] > start_utc:
                opens = max(hours[0], start_utc)
                available = hours[1] - opens
                if remaining <= available:
                    return (opens + remaining).astimezone(start.tzinfo)
                remaining -= available
            day += _ONE_DAY
        raise ValueError(f"not enough working time within the calendar after {start.isoformat()}")

    def can_add(self, seconds: float) -> bool:
        """Whether add_working finds that much working time (from this century's
        start, or a list-only calendar's first day): a rule asking for more is
        refused when loaded, not at every sweep."""
        first = min(self.workdays) if not self.days else date(2000, 1, 1)
        try:
            self.add_working(datetime.combine(first, time(0), tzinfo=self._zone), seconds)
        except ValueError:
            return False
        return True

    # -- internals ------------------------------------------------------------------

    def _hours_utc(self, day: date) -> tuple[datetime, datetime] | None:
        """That day's opening and closing as UTC instants, or None if closed.

        A wall time inside a DST gap resolves with the pre-transition offset
        (zoneinfo's fold=0), i.e. it lands just after the gap.
        """
        if not self.is_working_day(day):
            return None
        opens = datetime.combine(day, self.start, tzinfo=self._zone).astimezone(UTC)
        closes = datetime.combine(day, self.end, tzinfo=self._zone).astimezone(UTC)
        if closes <= opens:  # only possible if a transition swallows the hours
            return None
        return opens, closes


def _to_utc(name: str, value: datetime) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive time has no defined instant; guessing the zone hides bugs.
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def _date_set(name: str, values: Iterable[date]) -> frozenset[date]:
    if isinstance(values, (str, bytes)):
        raise ValueError(f"{name} must be a collection of dates, got {values!r}")
    result = frozenset(values)
    for value in result:
        # datetime is a subclass of date; a datetime here is almost surely a mistake.
        if not isinstance(value, date) or isinstance(value, datetime):
            raise ValueError(f"{name} must contain datetime.date values, got {value!r}")
    return result


def _as_list(name: str, value: Any) -> list:
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{name} must be a list, got {value!r}")
    return list(value)


def _iso_weekday_to_python(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 7:
        raise ValueError(f"unknown weekday {value!r}: use ISO numbers 1 (Mon) .. 7 (Sun)")
    return value - 1


def parse_clock_time(name: str, value: Any) -> time:
    """'19:00' → 19:00; ValueError naming ``name`` for anything else."""
    match = _HH_MM.fullmatch(value) if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        # YAML 1.1 reads an unquoted 19:00 as a number in base 60 (1140): name what was meant.
        raise ValueError(f"{name} must be a time in quotes, such as '{value // 60:02d}:{value % 60:02d}' "
                         f"(unquoted, YAML reads it as the number {value})")
    if not match:
        raise ValueError(f"{name} must be a time like '09:00', got {value!r}")
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ValueError(f"{name} is not a valid time of day: {value!r}")
    return time(hour, minute)


def _parse_date(name: str, value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError(f"{name} entries must be 'YYYY-MM-DD' strings, got {value!r}")
    try:
        parsed = date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{name} entry is not a valid date: {value!r}") from exc
    if len(value) != 10:  # fromisoformat also takes "20270101" and week dates
        raise ValueError(f"{name} entries must be 'YYYY-MM-DD', got {value!r}")
    return parsed

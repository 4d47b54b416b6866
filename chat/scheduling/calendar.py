"""When a daily or weekly job is due, and which run ("period") that is.

A job is due from its slot (e.g. today 08:30) until the catch-up window has
passed; a run missed by more than that is skipped, not fired late: after a
weekend of downtime nobody wants Saturday's plan on Monday, nor three
digests at once. The period names the run, so "once per period" is a
primary key (JobRun), whatever process or restart.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from domain.clock import Clock


@dataclass(frozen=True)
class Slot:
    period: str            # "2026-12-02" or "2026-W49"
    at: datetime           # when it was due (aware)


def daily_slot(clock: Clock, now: datetime, at: time) -> Slot:
    local = clock.local(now)
    slot = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if slot > local:
        slot -= timedelta(days=1)
    return Slot(slot.date().isoformat(), slot)


def weekly_slot(clock: Clock, now: datetime, iso_weekday: int, at: time) -> Slot:
    local = clock.local(now)
    day = local.date() - timedelta(days=(local.isoweekday() - iso_weekday) % 7)
    slot = local.replace(year=day.year, month=day.month, day=day.day, hour=at.hour, minute=at.minute, second=0,
                         microsecond=0)
    if slot > local:
        slot -= timedelta(days=7)
    year, week, _ = slot.isocalendar()
    return Slot(f"{year}-W{week:02d}", slot)


def slots_between(clock: Clock, start: datetime, end: datetime, at: time,
                  iso_weekday: int | None = None) -> list[datetime]:
    """Every slot of a daily (or, with ``iso_weekday``, weekly) job in (start, end]."""
    slot = (weekly_slot(clock, end, iso_weekday, at) if iso_weekday else daily_slot(clock, end, at)).at
    step = timedelta(days=7 if iso_weekday else 1)
    found = []
    while slot > start:
        found.append(slot)
        slot -= step
    return found[::-1]


# Even with no catch-up allowed, a slot stays due long enough for the next tick to see it.
MIN_WINDOW = timedelta(minutes=5)


def within_catch_up(slot: Slot, now: datetime, hours: int) -> bool:
    return now - slot.at <= max(timedelta(hours=hours), MIN_WINDOW)

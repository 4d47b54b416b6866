"""The reports capability's timed work: the managers' morning digest and the weekly chart."""
from __future__ import annotations

from chat.registry import Registry
from handlers.reports import digest, weekly


def install(registry: Registry) -> None:
    registry.calendar_job("digest_morning", lambda r: r.schedule.digest_morning, digest.morning_digests)
    registry.calendar_job("weekly_chart", lambda r: r.schedule.weekly_time, weekly.weekly_pictures,
                          weekday=lambda r: r.schedule.weekly_weekday)

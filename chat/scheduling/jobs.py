"""The timed work, as data: what runs, how often or when.

Sweeps run every few seconds or minutes and do whatever has come due
(reminders, expiries, photo fetches); each is idempotent by the state it
changes and the outbox keys it sends under. Calendar jobs run once per
period at a time the rule store sets (schedule section).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Callable

from chat.context import Services
from domain.rules import RuleSetData


@dataclass(frozen=True)
class Sweep:
    name: str
    every_s: int
    run: Callable[[Services], dict | None]


@dataclass(frozen=True)
class CalendarJob:
    name: str
    at: Callable[[RuleSetData], time]
    run: Callable[[Services, str, datetime], dict | None]       # (services, period, slot time)
    weekday: Callable[[RuleSetData], int] | None = None         # ISO weekday for weekly jobs


def sweeps() -> list[Sweep]:
    from handlers.registration import lifecycle
    from handlers.orders import sweep as order_sweep
    from handlers.visits import photos
    from handlers.visits import sweep as visit_sweep
    from handlers.approvals import sla
    return [Sweep("approvals_sla", 60, sla.sweep), Sweep("orders", 300, order_sweep.sweep),
            Sweep("registration_lifecycle", 300, lifecycle.sweep), Sweep("visit_photos", 30, photos.sweep),
            Sweep("open_visits", 300, visit_sweep.sweep)]


def calendar_jobs() -> list[CalendarJob]:
    from handlers.reports import digest
    from handlers.visits import plans
    from handlers.visits import sweep as visit_sweep
    from handlers.reports import weekly
    return [CalendarJob("plan_morning", lambda r: r.schedule.plan_morning, plans.morning_messages),
            CalendarJob("digest_morning", lambda r: r.schedule.digest_morning, digest.morning_digests),
            CalendarJob("evening_reminder", lambda r: r.schedule.evening_reminder, visit_sweep.evening_reminders),
            CalendarJob("weekly_chart", lambda r: r.schedule.weekly_time, weekly.weekly_pictures,
                        weekday=lambda r: r.schedule.weekly_weekday)]

"""Approval SLAs, visit checks, the registration lifecycle and the schedule of
timed work: typed, validated when loaded."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from domain.geo import CHINA_BOX
from domain.rules.base import ROLES, RuleError
from domain.rules.numbers import MOST, days, real, strict, whole, whole_list
from domain.workcal import MAX_SEARCH_DAYS, WorkCalendar, parse_clock_time
from models.states import Role

CHECKIN_ROLES = (Role.REP, Role.DEALER, Role.MANAGER, Role.DIRECTOR, Role.ADMIN)
# What domain.rules.visit_checks can raise on a visit.
VISIT_FLAGS = ("FAR_FROM_CUSTOMER", "IMPOSSIBLE_TRAVEL", "SAME_POINT_OTHER_CUSTOMER", "OUTSIDE_HOURS",
               "NOT_CHECKED_OUT", "NO_CUSTOMER_POINT")


def _clock_time(value: Any, where: str) -> time:
    try:
        return parse_clock_time(where, value)
    except ValueError as exc:
        raise RuleError(str(exc)) from None


def _calendar(d: Any, where: str, tz: str, default: dict) -> WorkCalendar:
    try:
        return WorkCalendar.from_dict({"tz": tz, **default, **(d or {})})
    except ValueError as exc:
        raise RuleError(f"{where}: {exc}") from exc


@dataclass(frozen=True)
class Duration:
    """A wait measured in wall-clock hours or in working hours of a calendar."""
    hours: float
    working: bool

    @classmethod
    def from_dict(cls, d: Any, where: str, default: Duration) -> Duration:
        if d is None:
            return default
        if not isinstance(d, dict) or len(d) != 1 or next(iter(d)) not in ("hours", "working_hours"):
            raise RuleError(f"{where} must be {{hours: N}} or {{working_hours: N}}")
        key, value = next(iter(d.items()))
        hours = real(value, where)
        if hours <= 0 or hours > MOST:
            raise RuleError(f"{where} must be positive, and at most {MOST:,} hours")
        return cls(hours, key == "working_hours")

    def words(self) -> str:
        """How the wait reads in a message: "9 个工作小时", "24 小时"."""
        return f"{self.hours:g} 个工作小时" if self.working else f"{self.hours:g} 小时"


@dataclass(frozen=True)
class ApprovalRules:
    calendar: WorkCalendar
    remind_after: Duration = Duration(4, True)
    # One working day of the default calendar (09:00–18:00): a step sent on
    # Monday 10:00 escalates Tuesday 10:00, one sent Friday 17:00 on Monday
    # 17:00 — not on Saturday after one working hour.
    escalate_after: Duration = Duration(9, True)

    @classmethod
    def from_dict(cls, d: dict[str, Any], tz: str) -> ApprovalRules:
        r = cls(calendar=_calendar(d.get("working_hours"), "approvals.working_hours", tz,
                                   {"days": [1, 2, 3, 4, 5], "start": "09:00", "end": "18:00"}),
                remind_after=Duration.from_dict(d.get("remind_after"), "approvals.remind_after", Duration(4, True)),
                escalate_after=Duration.from_dict(d.get("escalate_after"), "approvals.escalate_after",
                                                  Duration(9, True)))
        if r.escalate_after.working == r.remind_after.working and r.escalate_after.hours <= r.remind_after.hours:
            raise RuleError("approvals.escalate_after must be longer than approvals.remind_after")
        for name, wait in (("remind_after", r.remind_after), ("escalate_after", r.escalate_after)):
            if wait.working and strict() and not r.calendar.days:
                # Only listed working days: once the last has passed, no wait on it can end
                # (every SLA sweep, lead hand-out and the approvals board would fail).
                raise RuleError(f"approvals.working_hours.days must name at least one weekday (1 = Monday … "
                                f"7 = Sunday) while approvals.{name} counts working hours")
            if wait.working and strict() and not r.calendar.can_add(wait.hours * 3600):
                # Else every SLA sweep and the approvals board would fail on it.
                raise RuleError(f"approvals.{name}: the working hours' calendar does not hold "
                                f"{wait.hours:,.10g} working hours within {MAX_SEARCH_DAYS // 366} years")
        return r

    def elapsed(self, duration: Duration, start, end) -> bool:
        """Has ``duration`` passed between start and end?"""
        if duration.working:
            return self.calendar.working_seconds(start, end) >= duration.hours * 3600
        return (end - start).total_seconds() >= duration.hours * 3600

    def ends(self, duration: Duration, start):
        """The moment ``duration`` has passed since start."""
        if duration.working:
            return self.calendar.add_working(start, duration.hours * 3600)
        return start + timedelta(hours=duration.hours)

    def escalation_due(self, created, reminded_at, now) -> bool:
        """Escalation comes after the reminder, never instead of it, and leaves
        the approver the time between the two after it: after downtime a
        step overdue for both is reminded first and escalated later. The time
        between them is measured the way escalate_after is, from the moments
        the two would fall on (so "4 hours, then 9 working hours" escalates
        9 working hours after the step came, not 4 hours later than that)."""
        if reminded_at is None or not self.elapsed(self.escalate_after, created, now):
            return False
        remind_at, escalate_at = self.ends(self.remind_after, created), self.ends(self.escalate_after, created)
        if escalate_at <= remind_at:
            return True
        if self.escalate_after.working:
            gap_s = self.calendar.working_seconds(remind_at, escalate_at)
            return self.calendar.working_seconds(reminded_at, now) >= gap_s
        return (now - reminded_at) >= (escalate_at - remind_at)


@dataclass(frozen=True)
class VisitRules:
    calendar: WorkCalendar                 # visits outside these hours are flagged
    radius_m: int = 300                    # a customer's geofence unless its own radius is set
    checkin_roles: tuple[str, ...] = (Role.REP, Role.DEALER, Role.MANAGER)
    search_radius_m: int = 5000            # how far to look for the nearest customer of a bare location
    max_speed_kmh: float = 120             # faster between two check-ins: impossible travel
    same_point_m: float = 5                # check-ins at different customers this close: suspicious
    same_point_days: int = 30
    photo_grace_minutes: int = 30          # a photo this soon after check-out still belongs to the visit
    open_visit_hours: int = 12             # a visit still open this long is closed as never checked out
    # Where users can't send a location (DingTalk robots), 签到 sends a link to a
    # position page made for them alone; it works this long, and once.
    page_link_minutes: int = 10
    # Locations outside this box (south, west, north, east) are refused as no real
    # position: (0, 0) from a phone without a fix, a mock-location app's default.
    service_area: tuple[float, float, float, float] = CHINA_BOX
    # Flags that put in doubt where the visitor really was (the others are notes:
    # late hours, a forgotten 签退). Charts show these in red; an extension does
    # not count such a visit as verified unless lifecycle.extension says so.
    suspicious_flags: tuple[str, ...] = ("IMPOSSIBLE_TRAVEL", "SAME_POINT_OTHER_CUSTOMER")

    @classmethod
    def from_dict(cls, d: dict[str, Any], tz: str) -> VisitRules:
        roles = tuple(str(r) for r in d.get("checkin_roles", cls.checkin_roles))
        if not roles or any(r not in CHECKIN_ROLES for r in roles):
            raise RuleError(f"visits.checkin_roles must list roles from {tuple(map(str, CHECKIN_ROLES))}")
        suspicious = tuple(str(f) for f in d.get("suspicious_flags", cls.suspicious_flags))
        if any(f not in VISIT_FLAGS for f in suspicious):
            raise RuleError(f"visits.suspicious_flags must list flags from {VISIT_FLAGS}")
        area = _service_area(d.get("service_area"))
        r = cls(calendar=_calendar(d.get("working_hours"), "visits.working_hours", tz,
                                   {"days": [1, 2, 3, 4, 5, 6], "start": "07:00", "end": "20:00"}),
                radius_m=whole(d.get("radius_m", 300), "visits.radius_m"), checkin_roles=roles,
                search_radius_m=whole(d.get("search_radius_m", 5000), "visits.search_radius_m"),
                max_speed_kmh=real(d.get("max_speed_kmh", 120), "visits.max_speed_kmh"),
                same_point_m=real(d.get("same_point_m", 5), "visits.same_point_m"),
                same_point_days=days(d.get("same_point_days", 30), "visits.same_point_days"),
                photo_grace_minutes=whole(d.get("photo_grace_minutes", 30), "visits.photo_grace_minutes"),
                open_visit_hours=whole(d.get("open_visit_hours", 12), "visits.open_visit_hours"), service_area=area,
                page_link_minutes=whole(d.get("page_link_minutes", 10), "visits.page_link_minutes"),
                suspicious_flags=suspicious)
        if not 10 <= r.radius_m <= 5000 or r.search_radius_m < r.radius_m:
            raise RuleError("visits.radius_m must be 10..5000 m and search_radius_m at least that")
        if min(r.max_speed_kmh, r.same_point_m, r.same_point_days, r.open_visit_hours, r.page_link_minutes) <= 0:
            raise RuleError("visits: speeds, distances and periods must be positive")
        return r


def _service_area(d: Any) -> tuple[float, float, float, float]:
    if d is None:
        return CHINA_BOX
    if not isinstance(d, dict) or any(k not in d for k in ("south", "west", "north", "east")):
        raise RuleError("visits.service_area needs numbers south, west, north, east")
    box = tuple(real(d[k], f"visits.service_area.{k}") for k in ("south", "west", "north", "east"))
    south, west, north, east = box
    if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
        raise RuleError("visits.service_area: south < north within ±90, west < east within ±180")
    return box


@dataclass(frozen=True)
class ExtensionRules:
    max_extensions: int = 1
    days: int = 30                         # how much longer the lock runs once granted
    verified_visits: int = 1               # evidence: at least this many verified visits…
    within_days: int = 30                  # …to the customer in this many days
    approver: str = "area_manager"
    # A verified visit carrying a suspicious flag (visits.suspicious_flags) counts
    # as evidence only if this is true; either way the card shows it and its flags.
    count_suspicious_visits: bool = False

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ExtensionRules:
        count = d.get("count_suspicious_visits", False)
        if not isinstance(count, bool):
            raise RuleError("lifecycle.extension.count_suspicious_visits must be true or false")
        where = "lifecycle.extension"
        r = cls(max_extensions=whole(d.get("max_extensions", 1), f"{where}.max_extensions"),
                days=days(d.get("days", 30), f"{where}.days"),
                verified_visits=whole(d.get("verified_visits", 1), f"{where}.verified_visits"),
                within_days=days(d.get("within_days", 30), f"{where}.within_days"),
                approver=str(d.get("approver", "area_manager")), count_suspicious_visits=count)
        if r.approver not in ROLES:
            raise RuleError(f"lifecycle.extension.approver must be one of {ROLES}")
        if r.max_extensions < 0 or r.days <= 0 or r.verified_visits < 0 or r.within_days <= 0:
            raise RuleError("lifecycle.extension: counts must be ≥ 0 and periods positive")
        return r


@dataclass(frozen=True)
class LifecycleRules:
    warn_days_before: tuple[int, ...] = (7, 1)    # warnings to the holder before a lock ends
    extension: ExtensionRules = ExtensionRules()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LifecycleRules:
        warn = tuple(sorted(set(whole_list(d.get("warn_days_before", (7, 1)), "lifecycle.warn_days_before")),
                            reverse=True))
        if any(x <= 0 for x in warn):
            raise RuleError("lifecycle.warn_days_before must be positive days")
        return cls(warn_days_before=warn, extension=ExtensionRules.from_dict(d.get("extension") or {}))


@dataclass(frozen=True)
class ScheduleRules:
    """When the timed messages go out (company time zone)."""
    plan_morning: time = time(8, 0)        # each rep's plan for the day
    digest_morning: time = time(8, 30)     # each manager's digest
    evening_reminder: time = time(19, 0)   # visits left open
    weekly_weekday: int = 1                # ISO weekday of the weekly picture (Monday)
    weekly_time: time = time(9, 0)
    # A daily message missed while the scheduler was down still goes out this
    # many hours late; later than that it is skipped (yesterday's plan is no use).
    catch_up_hours: int = 4

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScheduleRules:
        weekly = d.get("weekly_chart") or {}
        r = cls(plan_morning=_clock_time(d.get("plan_morning", "08:00"), "schedule.plan_morning"),
                digest_morning=_clock_time(d.get("digest_morning", "08:30"), "schedule.digest_morning"),
                evening_reminder=_clock_time(d.get("evening_reminder", "19:00"), "schedule.evening_reminder"),
                weekly_weekday=whole(weekly.get("weekday", 1), "schedule.weekly_chart.weekday"),
                weekly_time=_clock_time(weekly.get("time", "09:00"), "schedule.weekly_chart.time"),
                catch_up_hours=whole(d.get("catch_up_hours", 4), "schedule.catch_up_hours"))
        if not 1 <= r.weekly_weekday <= 7:
            raise RuleError("schedule.weekly_chart.weekday must be 1 (Mon) .. 7 (Sun)")
        if not 0 <= r.catch_up_hours <= 24:
            raise RuleError("schedule.catch_up_hours must be 0..24")
        return r

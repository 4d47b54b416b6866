"""The visit check kinds. Pure functions: facts in, a verdict or a flag out.

A flag does not refuse anything: it marks a check-in a manager would want to
look at, with the facts that raised it and a sentence explaining why.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from bot.geo import speed_kmh
from bot.rules.operations import VisitRules
from bot.rules.verdict import PASS, REJECT, Verdict
from handlers.texts import t

# A jump this short is GPS noise, whatever the speed.
MIN_TRAVEL_M = 1000


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _km(m: float) -> str:
    return f"{m / 1000:.1f} 公里" if m >= 1000 else f"{m:.0f} 米"


def geofence(customer: str, distance_m: float, radius_m: int, lang="zh") -> Verdict:
    rid = "visit.geofence"
    facts = {"customer": customer, "distance_m": round(distance_m, 1), "radius_m": radius_m}
    if distance_m <= radius_m:
        return Verdict(rid, PASS, "INSIDE_GEOFENCE", "", facts)
    return Verdict(rid, REJECT, "OUTSIDE_GEOFENCE",
                   t("vv_outside", lang, customer=customer, distance=_km(distance_m), radius=_km(radius_m)),
                   facts, t("vn_outside", lang))


def far_from_customer(customer: str, distance_m: float, radius_m: int) -> Flag:
    return Flag("FAR_FROM_CUSTOMER", t("vf_far", "zh", customer=customer, distance=_km(distance_m),
                                       radius=_km(radius_m)),
                {"customer": customer, "distance_m": round(distance_m, 1), "radius_m": radius_m})


@dataclass(frozen=True)
class PreviousCheckin:
    at: datetime
    customer: str | None
    distance_m: float          # from that check-in's point to this one's


def impossible_travel(rules: VisitRules, prev: PreviousCheckin | None, at: datetime) -> Flag | None:
    if prev is None or prev.distance_m < MIN_TRAVEL_M:
        return None
    seconds = (at - prev.at).total_seconds()
    speed = speed_kmh(prev.distance_m, seconds)
    if speed <= rules.max_speed_kmh:
        return None
    minutes = max(seconds, 0) / 60
    return Flag("IMPOSSIBLE_TRAVEL", t("vf_travel", "zh", distance=_km(prev.distance_m), minutes=f"{minutes:.0f}",
                                       speed=f"{speed:.0f}" if speed != float("inf") else "∞",
                                       limit=f"{rules.max_speed_kmh:.0f}", customer=prev.customer or "上一次签到"),
                {"distance_m": round(prev.distance_m, 1), "seconds": seconds,
                 "speed_kmh": None if speed == float("inf") else round(speed, 1), "limit_kmh": rules.max_speed_kmh,
                 "previous_customer": prev.customer, "previous_at": prev.at.isoformat()})


@dataclass(frozen=True)
class SamePoint:
    at: datetime
    customer: str
    visitor: str
    distance_m: float


def same_point_elsewhere(rules: VisitRules, customer: str, others: list[SamePoint]) -> Flag | None:
    """The same coordinates used for a check-in at a different customer: a
    point replayed from elsewhere (or a mock-location app)."""
    hits = [o for o in others if o.customer != customer and o.distance_m <= rules.same_point_m]
    if not hits:
        return None
    first = min(hits, key=lambda o: o.at)
    return Flag("SAME_POINT_OTHER_CUSTOMER",
                t("vf_same_point", "zh", other=first.customer, when=first.at.strftime("%m-%d %H:%M"),
                  who=first.visitor, distance=f"{first.distance_m:.0f}"),
                {"others": [{"customer": o.customer, "at": o.at.isoformat(), "visitor": o.visitor,
                             "distance_m": round(o.distance_m, 1)} for o in hits[:5]]})


def outside_hours(rules: VisitRules, at: datetime, local: datetime) -> Flag | None:
    if rules.calendar.is_working_time(at):
        return None
    return Flag("OUTSIDE_HOURS", t("vf_hours", "zh", when=local.strftime("%m-%d %H:%M")),
                {"at": at.isoformat()})


def never_checked_out(customer: str, hours: float) -> Flag:
    return Flag("NOT_CHECKED_OUT", t("vf_not_checked_out", "zh", customer=customer, hours=f"{hours:.0f}"),
                {"open_hours": round(hours, 1)})

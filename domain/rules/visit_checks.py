"""The visit check kinds. Pure functions: facts in, a verdict or a flag out.

A flag does not refuse anything: it marks a check-in a manager would want to
look at, with the facts that raised it and a sentence explaining why.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from domain.geo import speed_kmh
from domain.rules.operations import VisitRules
from domain.rules.texts import t
from domain.rules.verdict import PASS, REJECT, Verdict

# A jump this short is GPS noise, whatever the speed.
MIN_TRAVEL_M = 1000
# Closer than this to (0, 0) is a phone that had no position fix, not a place.
NO_FIX_DEG = 1e-4

Fmt = Callable[[datetime, str], str]       # a UTC instant → local text (Context.fmt)


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    facts: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _km(m: float) -> str:
    return f"{m / 1000:.1f} 公里" if m >= 1000 else f"{m:.0f} 米"


def flag_label(code: str, lang: str = "zh") -> str:
    """A flag's short name for lists (我的拜访, the digest, cards)."""
    return t(f"flag_{code}", lang)


def plausible_location(rules: VisitRules, lat: float | None, lng: float | None, lang: str = "zh") -> Verdict:
    """Is this a position at all? Anything else is refused before it is stored,
    so it can never be the "previous check-in" of a speed check."""
    rid = "visit.location"
    facts = {"lat": lat, "lng": lng}
    if lat is None or lng is None or not (math.isfinite(lat) and math.isfinite(lng)):
        code = "UNREADABLE_LOCATION"
    elif abs(lat) < NO_FIX_DEG and abs(lng) < NO_FIX_DEG:
        code = "NO_POSITION_FIX"
    elif abs(lat) > 90 or abs(lng) > 180:
        code = "COORDINATES_OUT_OF_RANGE"
    else:
        south, west, north, east = rules.service_area
        if south <= lat <= north and west <= lng <= east:
            return Verdict(rid, PASS, "PLAUSIBLE_LOCATION", "", facts)
        code = "OUTSIDE_SERVICE_AREA"
    return Verdict(rid, REJECT, code, t(f"vv_{code.lower()}", lang, lat=lat, lng=lng), facts,
                   t("vn_location", lang))


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
    words = dict(distance=_km(prev.distance_m), minutes=f"{minutes:.0f}",
                 speed=f"{speed:.0f}" if speed != float("inf") else "∞", limit=f"{rules.max_speed_kmh:.0f}")
    message = t("vf_travel", "zh", customer=prev.customer, **words) if prev.customer else \
        t("vf_travel_unnamed", "zh", **words)
    return Flag("IMPOSSIBLE_TRAVEL", message,
                {"distance_m": round(prev.distance_m, 1), "seconds": seconds,
                 "speed_kmh": None if speed == float("inf") else round(speed, 1), "limit_kmh": rules.max_speed_kmh,
                 "previous_customer": prev.customer, "previous_at": prev.at.isoformat()})


@dataclass(frozen=True)
class SamePoint:
    at: datetime
    customer: str
    visitor: str
    distance_m: float


def same_point_elsewhere(rules: VisitRules, customer: str, others: list[SamePoint], fmt: Fmt) -> Flag | None:
    """The same coordinates used for a check-in at a different customer: a
    point replayed from elsewhere (or a mock-location app). ``others`` are
    verified check-ins only: a refused attempt proves nothing about a place."""
    hits = [o for o in others if o.customer != customer and o.distance_m <= rules.same_point_m]
    if not hits:
        return None
    first = min(hits, key=lambda o: o.at)
    return Flag("SAME_POINT_OTHER_CUSTOMER",
                t("vf_same_point", "zh", other=first.customer, when=fmt(first.at, "%m-%d %H:%M"),
                  who=first.visitor, distance=f"{first.distance_m:.0f}"),
                {"others": [{"customer": o.customer, "at": o.at.isoformat(), "visitor": o.visitor,
                             "distance_m": round(o.distance_m, 1)} for o in hits[:5]]})


def outside_hours(rules: VisitRules, at: datetime, local: datetime) -> Flag | None:
    if rules.calendar.is_working_time(at):
        return None
    return Flag("OUTSIDE_HOURS", t("vf_hours", "zh", when=local.strftime("%m-%d %H:%M")),
                {"at": at.isoformat()})


def never_checked_out(customer: str, closed_by: str, open_hours: float, limit_hours: int) -> Flag:
    """A visit closed by the bot, not by 签退: when the visitor left is unknown,
    so the visit keeps no duration. ``closed_by``: "next_checkin" | "timeout"."""
    return Flag("NOT_CHECKED_OUT", t(f"vf_not_checked_out_{closed_by}", "zh", customer=customer, hours=limit_hours),
                {"closed_by": closed_by, "open_hours": round(open_hours, 1)})


def no_customer_point(customer: str) -> Flag:
    return Flag("NO_CUSTOMER_POINT", t("vf_no_point", "zh", customer=customer), {"customer": customer})


def suspicious(rules: VisitRules, flags: list[dict] | None) -> list[str]:
    """The codes among a visit's flags that put its location in doubt."""
    return [f["code"] for f in flags or [] if f["code"] in rules.suspicious_flags]

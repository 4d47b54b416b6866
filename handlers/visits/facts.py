"""Where a visitor is, measured against customers' geofences, and the earlier
check-ins the flags compare with. Distances are computed in WGS-84 whatever
system each point came in (domain.geo).

The flags compare with verified check-ins only: an off-site attempt or an
unverifiable visit says where a phone claimed to be, not where someone was,
so neither may make the next real check-in look like a jump or a replay."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from chat.context import Context
from domain.geo import Point, bbox, distance_m
from domain.rules.visit_checks import PreviousCheckin, SamePoint
from models import Customer, User, Visit, VisitPlan

TRAVEL_LOOKBACK = timedelta(hours=24)
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class Nearby:
    customer: Customer
    distance_m: float
    radius_m: int
    planned: VisitPlan | None

    @property
    def inside(self) -> bool:
        return self.distance_m <= self.radius_m


def customer_point(c: Customer) -> Point | None:
    if c.lat is None or c.lng is None:
        return None
    return Point(c.lat, c.lng, c.coord_system or "gcj02")


def measure(ctx: Context, here: Point, customer: Customer, plan: VisitPlan | None = None) -> Nearby | None:
    point = customer_point(customer)
    if point is None:
        return None
    return Nearby(customer, distance_m(here, point), customer.radius_m or ctx.rules.visits.radius_m, plan)


def todays_plans(ctx: Context, user: User) -> list[VisitPlan]:
    return list(ctx.s.execute(select(VisitPlan).where(VisitPlan.user_id == user.id,
                                                      VisitPlan.plan_date == ctx.clock.today())).scalars())


def nearest(ctx: Context, user: User, here: Point) -> Nearby | None:
    """The customer this location most likely is a visit to: the nearest one
    whose geofence it is inside (today's planned ones first among equals),
    else the nearest one at all within the search radius."""
    rules = ctx.rules.visits
    plans = {p.customer_id: p for p in todays_plans(ctx, user)}
    # Customer points may be in GCJ-02 or WGS-84: a box widened by the largest
    # offset between them (~700 m in China) finds both.
    lat0, lat1, lng0, lng1 = bbox(here.lat, here.lng, rules.search_radius_m + 1000)
    rows = ctx.s.execute(select(Customer).where(Customer.lat.between(lat0, lat1), Customer.lng.between(lng0, lng1))
                         .limit(MAX_CANDIDATES)).scalars().all()
    rows += [p.customer for p in plans.values() if p.customer not in rows]
    found = [m for c in rows if (m := measure(ctx, here, c, plans.get(c.id))) is not None]
    found = [m for m in found if m.distance_m <= rules.search_radius_m or m.planned is not None]
    if not found:
        return None
    inside = [m for m in found if m.inside]
    if inside:
        return min(inside, key=lambda m: (m.planned is None, m.distance_m))
    return min(found, key=lambda m: m.distance_m)


def previous_checkin(ctx: Context, user: User, here: Point, exclude_id: int | None = None) -> PreviousCheckin | None:
    q = (select(Visit).where(Visit.user_id == user.id, Visit.verified.is_(True),
                             Visit.checkin_at >= ctx.now - TRAVEL_LOOKBACK, Visit.checkin_at <= ctx.now)
         .order_by(Visit.checkin_at.desc()).limit(1))
    if exclude_id is not None:
        q = q.where(Visit.id != exclude_id)
    prev = ctx.s.execute(q).scalar_one_or_none()
    if prev is None:
        return None
    return PreviousCheckin(prev.checkin_at, prev.customer.name if prev.customer else prev.label,
                           distance_m(Point(prev.lat, prev.lng, prev.coord_system), here))


def same_point_visits(ctx: Context, here: Point) -> list[SamePoint]:
    rules = ctx.rules.visits
    lat0, lat1, lng0, lng1 = bbox(here.lat, here.lng, rules.same_point_m + 1)
    rows = ctx.s.execute(select(Visit).where(
        Visit.lat.between(lat0, lat1), Visit.lng.between(lng0, lng1), Visit.verified.is_(True),
        Visit.coord_system == here.system, Visit.checkin_at >= ctx.now - timedelta(days=rules.same_point_days))
        .limit(50)).scalars().all()
    return [SamePoint(v.checkin_at, v.customer.name, v.user.name,
                      distance_m(Point(v.lat, v.lng, v.coord_system), here)) for v in rows]

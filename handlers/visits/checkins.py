"""外勤拜访: check in with a location (or 签到 <客户> then a location), check out,
attach notes and photos, see one's visits. A verified check-in is published
("visit.verified") for whoever counts visits (a deal's follow-ups).

A check-in inside the customer's geofence is a verified visit; outside it is
kept as an off-site attempt with its distance (evidence either way). A
customer with no known position can be visited, but the visit stays
unverified. A location that is no position at all ((0, 0), outside the
service area) is refused and not stored. Flags (impossible travel, a point
reused at another customer, outside working hours, never checked out) mark
what a manager should look at.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from chat.context import Context
from chat.messages import Markdown, Text
from domain.geo import Point
from domain.language import Parsed
from domain.rules import visit_checks as checks
from domain.rules.verdict import PASS
from handlers.customers import lookup as customers
from handlers.visits.facts import Nearby, measure, nearest, previous_checkin, same_point_visits, todays_plans
from handlers.visits.texts import t
from models import Customer, PhotoStatus, Visit, VisitPhoto, VisitStatus

MAX_NOTE_CHARS = 1000
LIST_LIMIT = 10


def _visitor(ctx: Context) -> bool:
    if ctx.user.role not in ctx.rules.visits.checkin_roles:
        ctx.reply(Text(t("visit_roles_only", ctx.lang)))
        return False
    return True


def open_visit(ctx: Context, lock: bool = False) -> Visit | None:
    q = (select(Visit).where(Visit.user_id == ctx.user.id, Visit.status == VisitStatus.OPEN)
         .order_by(Visit.checkin_at.desc()))
    return ctx.s.execute(q.with_for_update() if lock else q).scalars().first()


def _distance_words(m: float) -> str:
    return f"{m / 1000:.1f} 公里" if m >= 1000 else f"{m:.0f} 米"


# ---- 签到 ----------------------------------------------------------------------------

def checkin_command(ctx: Context, parsed: Parsed) -> None:
    """签到 [客户]: a location must follow (a typed name proves nothing)."""
    if not _visitor(ctx):
        return
    target = None
    if parsed.customer:
        match = customers.find(ctx.s, parsed.customer)
        if match.matched is None or match.verdict == "distinct":
            ctx.reply(Text(t("visit_unknown_customer", ctx.lang, customer=parsed.customer)))
            return
        target = match.matched
    ctx.set_state({"flow": "checkin", "customer_id": target.id if target else None})
    where = target.name if target else t("visit_the_customer", ctx.lang)
    minutes = ctx.rules.visits.page_link_minutes
    link = ctx.location_page_link(minutes)
    if link is not None:
        # No location messages on this platform: a page reads the position in the
        # client. The link is made for this user alone, so it never goes to a group.
        ctx.reply_private(Markdown(t("visit_open_page", ctx.lang, customer=where, url=link,
                                     minutes=minutes)),
                          group_note=t("visit_link_privately", ctx.lang))
        return
    ctx.reply(Text(t("visit_send_location", ctx.lang, customer=where)))


def on_location(ctx: Context) -> None:
    ib = ctx.inbound
    if not _visitor(ctx):
        return
    plausible = checks.plausible_location(ctx.rules.visits, ib.lat, ib.lng, ctx.lang)
    if plausible.outcome != PASS:
        ctx.reply(Text(t("visit_refused", ctx.lang, message=plausible.message, next_step=plausible.next_step)))
        return
    try:
        here = Point(ib.lat, ib.lng, ib.coord_system or "gcj02")
    except ValueError:      # an unknown coordinate system
        ctx.reply(Text(t("visit_refused", ctx.lang, message=t("vv_unreadable_location", ctx.lang),
                         next_step=t("vn_location", ctx.lang))))
        return
    state = ctx.get_state()
    target_id = state.get("customer_id") if state and state.get("flow") == "checkin" else None
    if state and state.get("flow") == "checkin":
        ctx.clear_state()
    if target_id:
        customer = ctx.s.get(Customer, target_id)
        plan = next((p for p in todays_plans(ctx, ctx.user) if p.customer_id == target_id), None)
        found = measure(ctx, here, customer, plan)
        if found is None:       # nowhere to measure against: a visit, but not a verified one
            _check_in(ctx, here, customer, plan, None)
            return
    else:
        found = nearest(ctx, ctx.user, here)
        if found is None:
            _record(ctx, here, None, None, None, status=VisitStatus.OFFSITE, verified=False, plan=None, flags=[])
            ctx.reply(Text(t("visit_nobody_near", ctx.lang, radius=_distance_words(ctx.rules.visits.search_radius_m))))
            return
    verdict = checks.geofence(found.customer.name, found.distance_m, found.radius_m, ctx.lang)
    if verdict.outcome != "pass":
        flag = checks.far_from_customer(found.customer.name, found.distance_m, found.radius_m)
        visit = _record(ctx, here, found.customer, found.distance_m, found.radius_m, status=VisitStatus.OFFSITE,
                        verified=False, plan=found.planned, flags=[flag])
        ctx.audit("visit.offsite", "visit", visit.id, after=_snapshot(visit), verdicts=[verdict.to_dict()])
        ctx.reply(Text(t("visit_refused", ctx.lang, message=verdict.message, next_step=verdict.next_step)))
        return
    _check_in(ctx, here, found.customer, found.planned, found)


def _check_in(ctx: Context, here: Point, customer: Customer, planned, found: Nearby | None) -> None:
    """Open a visit at ``customer``: verified when ``found`` measured it inside
    the geofence, unverified when the customer has no position to measure."""
    lang = ctx.lang
    current = open_visit(ctx, lock=True)
    closed_note = ""
    if current is not None:
        if current.customer_id == customer.id:
            ctx.reply(Text(t("visit_already_in", lang, customer=customer.name,
                             when=ctx.fmt(current.checkin_at, "%H:%M"))))
            return
        # Checked in somewhere new without checking out of the last visit.
        close(ctx, current, auto=True)
        closed_note = "\n" + t("visit_prev_closed", lang, customer=current.customer.name if current.customer else "-")
    rules = ctx.rules.visits
    flags = [f for f in (checks.impossible_travel(rules, previous_checkin(ctx, ctx.user, here), ctx.now),
                         checks.same_point_elsewhere(rules, customer.name, same_point_visits(ctx, here), ctx.fmt),
                         checks.outside_hours(rules, ctx.now, ctx.clock.local(ctx.now))) if f]
    if found is None:
        flags.insert(0, checks.no_customer_point(customer.name))
    visit = _record(ctx, here, customer, found.distance_m if found else None, found.radius_m if found else None,
                    status=VisitStatus.OPEN, verified=found is not None, plan=planned, flags=flags)
    ctx.audit("visit.checkin", "visit", visit.id, after=_snapshot(visit))
    if visit.verified:
        # Other capabilities act on it (a deal at this customer counts it as a follow-up).
        ctx.publish("visit.verified", visit_id=visit.id, user_id=ctx.user.id, partner_id=ctx.user.partner_id,
                    customer_id=customer.id, at=visit.checkin_at.isoformat(),
                    suspicious=bool(checks.suspicious(ctx.rules.visits, visit.flags)))
    warn = "".join("\n⚠️ " + f.message for f in flags if f.code != "NO_CUSTOMER_POINT")
    when = ctx.fmt(ctx.now, "%H:%M")
    if found is None:
        head = t("visit_no_point", lang, customer=customer.name, when=when)
    else:
        head = t("visit_checked_in", lang, customer=customer.name, distance=_distance_words(found.distance_m),
                 radius=_distance_words(found.radius_m), when=when,
                 planned=t("visit_planned", lang) if planned else "")
    ctx.reply(Text(head + warn + closed_note))


def _record(ctx: Context, here: Point, customer: Customer | None, distance, radius, status: str, verified: bool,
            plan, flags: list) -> Visit:
    ib = ctx.inbound
    visit = Visit(user_id=ctx.user.id, partner_id=ctx.user.partner_id, customer_id=customer.id if customer else None,
                  plan_id=plan.id if plan else None, status=status, verified=verified, checkin_at=ctx.now,
                  lat=here.lat, lng=here.lng, coord_system=here.system, label=(ib.label or None) if ib else None,
                  distance_m=round(distance, 1) if distance is not None else None, radius_m=radius,
                  flags=[f.to_dict() for f in flags], created_at=ctx.now)
    ctx.s.add(visit)
    ctx.s.flush()
    return visit


def _snapshot(v: Visit) -> dict:
    return {"visit": v.id, "user_id": v.user_id, "customer_id": v.customer_id, "status": v.status,
            "verified": v.verified, "lat": v.lat, "lng": v.lng, "coord_system": v.coord_system,
            "distance_m": v.distance_m, "radius_m": v.radius_m, "flags": [f["code"] for f in v.flags or []],
            "checkin_at": v.checkin_at.isoformat(),
            "checkout_at": v.checkout_at.isoformat() if v.checkout_at else None, "duration_s": v.duration_s}


# ---- 签退 / auto-close ----------------------------------------------------------------

def close(ctx: Context, visit: Visit, auto: bool = False, closed_by: str = "next_checkin") -> None:
    """签退, or (auto) the bot closing a visit nobody checked out of: by the next
    check-in, or by the sweep once it is too old ("timeout"). When the visitor
    left is then unknown, so the visit keeps no duration rather than a made-up
    one (until the next check-in, or 12 hours)."""
    visit.checkout_at = ctx.now
    if auto:
        visit.status, visit.duration_s = VisitStatus.AUTO_CLOSED, None
        flag = checks.never_checked_out(visit.customer.name if visit.customer else "-", closed_by,
                                        (ctx.now - visit.checkin_at).total_seconds() / 3600,
                                        ctx.rules.visits.open_visit_hours)
        visit.flags = [*(visit.flags or []), flag.to_dict()]
    else:
        visit.status = VisitStatus.CLOSED
        visit.duration_s = int((ctx.now - visit.checkin_at).total_seconds())
    ctx.audit("visit.auto_closed" if auto else "visit.checkout", "visit", visit.id, after=_snapshot(visit))


def checkout(ctx: Context, parsed: Parsed) -> None:
    if not _visitor(ctx):
        return
    visit = open_visit(ctx, lock=True)
    if visit is None:
        ctx.reply(Text(t("visit_none_open", ctx.lang)))
        return
    close(ctx, visit)
    minutes = max(1, round(visit.duration_s / 60))
    ctx.reply(Text(t("visit_checked_out", ctx.lang, customer=visit.customer.name if visit.customer else "-",
                     duration=t("visit_minutes", ctx.lang, n=minutes) if minutes < 60 else
                     t("visit_hours", ctx.lang, h=minutes // 60, m=minutes % 60))))


# ---- 拜访小结 and photos ------------------------------------------------------------------

def _visit_for_attachment(ctx: Context, grace: bool) -> Visit | None:
    """The open visit, or (for photos and notes) one closed a moment ago."""
    visit = open_visit(ctx, lock=True)
    if visit is not None:
        return visit
    since = ctx.now - timedelta(minutes=ctx.rules.visits.photo_grace_minutes) if grace else \
        ctx.clock.local(ctx.now).replace(hour=0, minute=0, second=0, microsecond=0)
    return ctx.s.execute(select(Visit).where(Visit.user_id == ctx.user.id,
                                             Visit.status.in_((VisitStatus.CLOSED, VisitStatus.AUTO_CLOSED)),
                                             Visit.checkout_at >= since).order_by(Visit.checkout_at.desc())
                         .with_for_update()).scalars().first()


def add_note(ctx: Context, parsed: Parsed) -> None:
    if not _visitor(ctx):
        return
    note = (parsed.note or "").strip()
    if not note:
        ctx.reply(Text(t("visit_note_empty", ctx.lang)))
        return
    if len(note) > MAX_NOTE_CHARS:
        ctx.reply(Text(t("visit_note_too_long", ctx.lang, limit=MAX_NOTE_CHARS)))
        return
    visit = _visit_for_attachment(ctx, grace=False)
    if visit is None:
        ctx.reply(Text(t("visit_note_no_visit", ctx.lang)))
        return
    stamp = ctx.fmt(ctx.now, "%H:%M")
    visit.notes = ((visit.notes + "\n") if visit.notes else "") + f"[{stamp}] {note}"
    ctx.audit("visit.note", "visit", visit.id, after={"note": note})
    ctx.reply(Text(t("visit_note_saved", ctx.lang, customer=visit.customer.name if visit.customer else "-")))


def on_photo(ctx: Context) -> None:
    ib = ctx.inbound
    if ctx.user.role not in ctx.rules.visits.checkin_roles:
        ctx.reply(Text(t("unsupported_message", ctx.lang)))
        return
    visit = _visit_for_attachment(ctx, grace=True)
    if visit is None:
        ctx.reply(Text(t("visit_photo_no_visit", ctx.lang)))
        return
    if not ib.media_id:
        ctx.reply(Text(t("visit_bad_photo", ctx.lang)))
        return
    exists = ctx.s.execute(select(VisitPhoto.id).where(VisitPhoto.media_id == ib.media_id[:200])).first()
    if exists is None:
        visit.photos.append(VisitPhoto(platform=ib.platform, media_id=ib.media_id[:200],
                                       pic_url=(ib.pic_url or "")[:500] or None, status=PhotoStatus.PENDING,
                                       next_attempt_at=ctx.now, received_at=ctx.now))
        ctx.s.flush()
        ctx.audit("visit.photo", "visit", visit.id, after={"media_id": ib.media_id[:200]})
    count = len(visit.photos)
    ctx.reply(Text(t("visit_photo_saved", ctx.lang, customer=visit.customer.name if visit.customer else "-", n=count)))


# ---- 我的拜访 -------------------------------------------------------------------------------

def my_visits(ctx: Context) -> None:
    lang = ctx.lang
    rows = ctx.s.execute(select(Visit).where(Visit.user_id == ctx.user.id).order_by(Visit.checkin_at.desc())
                         .limit(LIST_LIMIT)).scalars().all()
    if not rows:
        ctx.reply(Text(t("visit_mine_empty", lang)))
        return
    lines = [t("visit_mine_header", lang, n=len(rows))]
    for v in rows:
        where = v.customer.name if v.customer else (v.label or t("visit_unknown_place", lang))
        dur = " " + t("visit_mine_minutes", lang, n=round(v.duration_s / 60)) if v.duration_s else ""
        dist = f" {_distance_words(v.distance_m)}" if v.distance_m is not None else ""
        flags = "".join(" ⚠️" + checks.flag_label(f["code"], lang) for f in (v.flags or []))
        lines.append(f"> {ctx.fmt(v.checkin_at, '%m-%d %H:%M')} {where} · {t(f'visit_status_{v.status}', lang)}"
                     f"{dist}{dur}{' 📷' * min(len(v.photos), 3)}{flags}")
    ctx.reply(Markdown("\n".join(lines)))

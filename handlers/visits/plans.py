"""拜访计划: reps and dealers plan which customers they visit on a day (in chat,
or loaded by a manager from a spreadsheet); each morning brings the day's plan."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from chat import sweeps
from chat.context import Context, Services
from chat.messages import Markdown, Text
from domain.language import Parsed
from handlers.customers import lookup as customers
from handlers.visits.texts import t
from models import User, Visit, VisitPlan

MAX_PER_DAY = 20
WEEKDAYS = "一二三四五六日"


def _day(d: date, today: date | None = None) -> str:
    """"12月5日（周六）"; with the year when it is not this year's, so a plan
    for next January (or a typo a year off) is never ambiguous."""
    year = f"{d.year}年" if today is not None and d.year != today.year else ""
    return f"{year}{d.month}月{d.day}日（周{WEEKDAYS[d.weekday()]}）"


def plan(ctx: Context, parsed: Parsed) -> None:
    lang, today = ctx.lang, ctx.clock.today()
    if ctx.user.role not in ctx.rules.visits.checkin_roles:
        ctx.reply(Text(t("visit_roles_only", lang)))
        return
    if parsed.bad_date:
        ctx.reply(Text(t("plan_bad_date", lang, said=parsed.bad_date)))
        return
    if parsed.action == "mine":
        show(ctx, parsed.plan_date)
        return
    day = parsed.plan_date or today
    if day < today:
        ctx.reply(Text(t("plan_past", lang, day=_day(day, today), year=today.year + 1,
                         md=f"{day.month}月{day.day}日")))
        return
    if not parsed.customers:
        ctx.reply(Text(t("plan_usage", lang)))
        return
    if len(parsed.customers) > MAX_PER_DAY:
        ctx.reply(Text(t("plan_too_many", lang, n=MAX_PER_DAY)))
        return
    added, known, unresolved = [], [], []
    for name in parsed.customers:
        match = customers.find(ctx.s, name)
        if match.verdict != "duplicate" or match.matched is None:
            near = match.matched.name if match.matched is not None and match.verdict == "possible" else None
            unresolved.append(t("plan_unresolved_one", lang, name=name, near=near) if near else name)
            continue
        c = match.matched
        exists = ctx.s.execute(select(VisitPlan.id).where(VisitPlan.user_id == ctx.user.id, VisitPlan.plan_date == day,
                                                          VisitPlan.customer_id == c.id)).first()
        if exists:
            known.append(c.name)
            continue
        try:
            with ctx.s.begin_nested():
                ctx.s.add(VisitPlan(user_id=ctx.user.id, plan_date=day, customer_id=c.id,
                                    created_by=ctx.user.external_id, source="chat", created_at=ctx.now))
            added.append(c.name)
        except IntegrityError:       # the same plan line arriving twice at once
            known.append(c.name)
    if added:
        ctx.audit("plan.added", "plan", f"{ctx.user.external_id}:{day.isoformat()}", after={"customers": added})
    parts = []
    if added:
        parts.append(t("plan_added", lang, day=_day(day, today), names="、".join(added),
                       when=_when_sent(ctx, day)))
    if known:
        parts.append(t("plan_known", lang, names="、".join(known)))
    if unresolved:
        parts.append(t("plan_unresolved", lang, names="；".join(unresolved)))
    ctx.reply(Text("\n".join(parts)))


def _when_sent(ctx: Context, day: date) -> str:
    """When the plan reaches the visitor: that morning, unless that morning is over."""
    at = ctx.rules.schedule.plan_morning
    if day == ctx.clock.today() and ctx.clock.local(ctx.now).time() >= at:
        return t("plan_sent_never", ctx.lang, time=at.strftime("%H:%M"))
    return t("plan_sent_at", ctx.lang, time=at.strftime("%H:%M"))


def _lines(ctx: Context, user: User, day: date) -> list[str]:
    rows = ctx.s.execute(select(VisitPlan).where(VisitPlan.user_id == user.id, VisitPlan.plan_date == day)
                         .order_by(VisitPlan.id)).scalars().all()
    out = []
    for p in rows:
        done = ctx.s.execute(select(Visit.id).where(Visit.user_id == user.id, Visit.customer_id == p.customer_id,
                                                    Visit.verified.is_(True),
                                                    Visit.checkin_at >= _start_of(ctx, day))).first()
        mark = "✅ " if done else ""
        addr = f"（{p.customer.address}）" if p.customer.address else ""
        out.append(f"> {mark}{p.customer.name}{addr}")
    return out


def _start_of(ctx: Context, day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ctx.clock.tz)


def show(ctx: Context, day: date | None) -> None:
    today = ctx.clock.today()
    day = day or today
    lines = _lines(ctx, ctx.user, day)
    if not lines:
        ctx.reply(Text(t("plan_none", ctx.lang, day=_day(day, today))))
        return
    ctx.reply(Markdown("\n".join([t("plan_header", ctx.lang, day=_day(day, today), n=len(lines)), *lines])))


def morning_messages(svc: Services, period: str, slot: datetime) -> dict:
    """Each visitor with plans for today gets them, once (keyed by day and user)."""
    day = date.fromisoformat(period)

    def send_plan(ctx: Context, user_id: int) -> str | None:
        user = ctx.s.get(User, user_id)
        lines = _lines(ctx, user, day)
        if not lines:
            return None
        ctx.send(user, Markdown("\n".join([t("plan_morning", "zh", name=user.name, day=_day(day), n=len(lines)),
                                           *lines, t("plan_morning_tail", "zh")])),
                 key=f"plan-morning:{period}:{user.id}")
        return "sent"
    planned = sweeps.read(svc, lambda ctx: list(ctx.s.execute(
        select(VisitPlan.user_id).where(VisitPlan.plan_date == day).distinct()).scalars()))
    return sweeps.each(svc, planned, send_plan, outcomes=("sent",))

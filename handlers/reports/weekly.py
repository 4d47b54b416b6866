"""The weekly picture: each manager gets a chart of the week in their area —
registrations by status, visits by rep (visits in doubt marked) and the
area's deal funnel — because
managers would rather look than read. An area where nothing happened that
week gets no picture: a chart of nothing every Monday teaches people to
ignore the chart.

"In doubt" is a visit with a suspicious flag (rule visits.suspicious_flags:
a speed jump, a point reused elsewhere). A forgotten 签退 or a late visit is
a note, not a reason to paint a rep's whole bar red."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from chat.context import Context, Services
from chat.media import store_blob
from chat.messages import Image, Text
from domain.rules import visit_checks as checks
from handlers.registration.texts import status_word
from handlers.reports import area as areas
from handlers.reports import funnel as funnels
from handlers.reports.charts import weekly_chart
from handlers.reports.pipeline_views import stage_counts, summary_line
from handlers.reports.texts import t
from models import VisitStatus


def last_week(svc: Services, slot: datetime) -> tuple[datetime, datetime]:
    """Monday 00:00 to Monday 00:00 of the calendar week before the slot's."""
    local = svc.clock.local(slot)
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return monday - timedelta(days=7), monday


def weekly_pictures(svc: Services, period: str, slot: datetime) -> dict:
    start, end = last_week(svc, slot)

    def one(ctx: Context, area: areas.Area) -> str:
        drawn = picture(ctx, area, start, end)
        if drawn is None:
            return "quiet"
        png, caption = drawn
        manager_id = area.manager.id
        blob = store_blob(ctx.s, ctx.clock, "chart", png, "image/png", f"weekly-{period}-{manager_id}.png")
        ctx.send(area.manager, Image(blob.id), key=f"weekly:{period}:{manager_id}")
        ctx.send(area.manager, Text(caption), key=f"weekly-caption:{period}:{manager_id}")
        return "sent"
    return areas.for_each_manager(svc, one)


def picture(ctx: Context, area: areas.Area, start: datetime, end: datetime) -> tuple[bytes, str] | None:
    """The PNG and its caption, or None when the area had no activity at all."""
    regs = areas.registrations(ctx, area, start, end)
    attempts = areas.visits(ctx, area, start, end)
    if not regs and not attempts:
        return None
    by_status = Counter(status_word(r.status) for r in regs)
    visits = [v for v in attempts if v.status != VisitStatus.OFFSITE]
    offsite = len(attempts) - len(visits)
    by_rep = Counter(v.user.name for v in visits)
    flags = Counter(v.user.name for v in visits if checks.suspicious(ctx.rules.visits, v.flags))
    period = f"{ctx.fmt(start, '%Y-%m-%d')} 至 {ctx.fmt(end - timedelta(seconds=1), '%m-%d')}"
    deals = funnels.funnel(ctx, area.label, funnels.deals(ctx, area=area))
    png = weekly_chart(t("weekly_title", "zh", area=area.label), period, dict(by_status), dict(by_rep), dict(flags),
                       funnel=stage_counts(ctx, deals))
    caption = t("weekly_caption", "zh", name=area.manager.name, period=period, regs=len(regs),
                visits=sum(by_rep.values()), flagged=sum(flags.values()), offsite=offsite)
    if deals.entered:
        caption += "\n" + t("weekly_caption_funnel", "zh", line=summary_line(ctx, deals))
    return png, caption

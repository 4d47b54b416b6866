"""Open visits on a clock: an evening reminder to check out, and a visit left
open too long is closed and flagged as never checked out."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from chat import sweeps
from chat.context import Context, Services
from chat.messages import Text
from handlers.visits.checkins import close
from handlers.visits.texts import t
from models import User, Visit, VisitStatus


def sweep(svc: Services) -> dict[str, int]:
    def too_long_open(ctx: Context) -> list[int]:
        since = ctx.now - timedelta(hours=ctx.rules.visits.open_visit_hours)
        return list(ctx.s.execute(select(Visit.id).where(Visit.status == VisitStatus.OPEN,
                                                         Visit.checkin_at < since)).scalars())
    return sweeps.each(svc, sweeps.read(svc, too_long_open), _auto_close, outcomes=("auto_closed",))


def _auto_close(ctx: Context, visit_id: int) -> str | None:
    visit = ctx.s.execute(select(Visit).where(Visit.id == visit_id).with_for_update()
                          .execution_options(populate_existing=True)).scalar_one()
    if visit.status != VisitStatus.OPEN:
        return None
    close(ctx, visit, auto=True, closed_by="timeout")
    ctx.send(ctx.s.get(User, visit.user_id),
             Text(t("visit_auto_closed", "zh", customer=visit.customer.name if visit.customer else "-",
                    hours=ctx.rules.visits.open_visit_hours)), key=f"visit-auto-closed:{visit.id}")
    return "auto_closed"


def evening_reminders(svc: Services, period: str, slot: datetime) -> dict:
    def remind(ctx: Context, visit_id: int) -> str | None:
        visit = ctx.s.get(Visit, visit_id)
        if visit.status != VisitStatus.OPEN:
            return None
        ctx.send(ctx.s.get(User, visit.user_id),
                 Text(t("visit_open_reminder", "zh", customer=visit.customer.name if visit.customer else "-",
                        when=ctx.fmt(visit.checkin_at, "%H:%M"))), key=f"visit-evening:{period}:{visit.id}")
        return "reminded"
    still_open = sweeps.read(svc, lambda ctx: list(ctx.s.execute(
        select(Visit.id).where(Visit.status == VisitStatus.OPEN)).scalars()))
    return sweeps.each(svc, still_open, remind, outcomes=("reminded",))

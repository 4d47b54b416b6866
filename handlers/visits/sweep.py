"""Open visits on a clock: an evening reminder to check out, and a visit left
open too long is closed and flagged as never checked out."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from chat.context import Context, Services
from models.db import unit_of_work
from chat.messages import Text
from handlers.visits.texts import t
from handlers.visits.checkins import close
from models import User, Visit, VisitStatus


def sweep(svc: Services) -> dict[str, int]:
    closed = 0
    with svc.factory() as s:
        hours = svc.rules.active(s).visits.open_visit_hours
        ids = s.execute(select(Visit.id).where(Visit.status == VisitStatus.OPEN,
                                               Visit.checkin_at < svc.clock.now() - timedelta(hours=hours))).scalars().all()
    for visit_id in ids:
        with unit_of_work(svc.factory) as s:
            ctx = Context.for_system(s, svc, actor="scheduler")
            visit = s.execute(select(Visit).where(Visit.id == visit_id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()
            if visit.status != VisitStatus.OPEN:
                continue
            close(ctx, visit, auto=True, closed_by="timeout")
            ctx.send(s.get(User, visit.user_id),
                     Text(t("visit_auto_closed", "zh", customer=visit.customer.name if visit.customer else "-",
                            hours=hours)), key=f"visit-auto-closed:{visit.id}")
            closed += 1
    return {"auto_closed": closed}


def evening_reminders(svc: Services, period: str, slot: datetime) -> dict:
    sent = 0
    with svc.factory() as s:
        ids = s.execute(select(Visit.id).where(Visit.status == VisitStatus.OPEN)).scalars().all()
    for visit_id in ids:
        with unit_of_work(svc.factory) as s:
            ctx = Context.for_system(s, svc, actor="scheduler")
            visit = s.get(Visit, visit_id)
            if visit.status != VisitStatus.OPEN:
                continue
            ctx.send(s.get(User, visit.user_id),
                     Text(t("visit_open_reminder", "zh", customer=visit.customer.name if visit.customer else "-",
                            when=ctx.fmt(visit.checkin_at, "%H:%M"))), key=f"visit-evening:{period}:{visit.id}")
            sent += 1
    return {"reminded": sent}

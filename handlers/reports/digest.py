"""The morning digest: each manager's day before in their area — new
registrations, conflicts, what waits for their approval, visits and flags,
confirmed orders. A manager with nothing in any of these gets no digest that
day (weekends included): a daily "nothing happened" teaches people to stop
reading the digest."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from chat.context import Context, Services
from chat.messages import Markdown
from domain.rules import visit_checks as checks
from domain.wording import yuan
from handlers.approvals.kinds import kinds
from handlers.registration.texts import status_word
from handlers.reports import area as areas
from handlers.reports.texts import t
from models import VisitStatus

SHOW = 5


def morning_digests(svc: Services, period: str, slot: datetime) -> dict:
    start, end = slot - timedelta(days=1), slot

    def one(ctx: Context, area: areas.Area) -> str:
        text = digest_text(ctx, area, start, end)
        if text is None:
            return "quiet"
        ctx.send(area.manager, Markdown(text), key=f"digest:{period}:{area.manager.id}")
        return "sent"
    return areas.for_each_manager(svc, one)


def digest_text(ctx: Context, area: areas.Area, start: datetime, end: datetime) -> str | None:
    """The digest, or None when there is nothing to report."""
    m = area.manager
    regs = areas.registrations(ctx, area, start, end)
    pending = areas.pending_for(ctx, m)
    visits = areas.visits(ctx, area, start, end)
    orders = areas.orders(ctx, area, start, end)
    if not (regs or pending or visits or orders):
        return None
    lines = [t("digest_title", "zh", name=m.name, day=ctx.fmt(start, "%m-%d"), area=area.label)]
    by_status = Counter(r.status for r in regs)
    lines.append(t("digest_regs", "zh", n=len(regs),
                   detail="，".join(f"{status_word(k)} {v}" for k, v in by_status.most_common()))
                 if regs else t("digest_no_regs", "zh"))
    for r in regs[:SHOW]:
        lines.append(f"> {r.number} {r.partner.name} · {r.customer_text} {yuan(r.amount_yuan)} · "
                     f"{status_word(r.status)}")
    clashes = areas.conflicts(regs)
    if clashes:
        lines.append(t("digest_conflicts", "zh", n=len(clashes)))
        for r in clashes[:SHOW]:
            holder = next(v["facts"].get("holder_partner") for v in r.verdicts
                          if v["rule_id"] == "registration.conflict")
            lines.append(f"> {r.partner.name} → {r.customer_text}（{t('digest_held_by', 'zh', holder=holder)}）")
    if pending:
        oldest = pending[0][0].created_at
        lines.append(t("digest_pending", "zh", n=len(pending), oldest=ctx.fmt(oldest, "%m-%d %H:%M")))
        for appr, flow in pending[:SHOW]:
            lines.append(f"> {kinds(ctx)[flow.subject_type].noun} {flow.subject_ref} · "
                         f"{ctx.fmt(appr.created_at, '%m-%d %H:%M')}")
    else:
        lines.append(t("digest_no_pending", "zh"))
    if visits:
        lines += _visit_lines(ctx, visits)
    if orders:
        lines.append(t("digest_orders", "zh", n=len(orders), total=yuan(sum(o.total_yuan for o in orders))))
    return "\n".join(lines)


def _visit_lines(ctx: Context, visits: list) -> list[str]:
    """Counts, then the visits a manager should look at: those in doubt first
    (with why), then those with notes (labels only). Off-site attempts are
    counted as such, not listed again."""
    rules = ctx.rules.visits
    doubtful = [v for v in visits if checks.suspicious(rules, v.flags)]
    noted = [v for v in visits if v.flags and v.status != VisitStatus.OFFSITE and v not in doubtful]
    lines = [t("digest_visits", "zh", n=len(visits), verified=sum(1 for v in visits if v.verified),
               offsite=sum(1 for v in visits if v.status == VisitStatus.OFFSITE), doubtful=len(doubtful),
               noted=len(noted))]
    for v in (doubtful + noted)[:SHOW]:
        where = v.customer.name if v.customer else (v.label or t("visit_unknown_place", "zh"))
        doubt = [f for f in v.flags if f["code"] in rules.suspicious_flags]
        why = doubt[0]["message"] if doubt else "、".join(checks.flag_label(f["code"]) for f in v.flags)
        lines.append(f"> ⚠️ {v.user.name} · {where}：{why}")
    return lines

"""漏斗 (the area's funnel, or one partner's: `漏斗 北京康健`) as a picture and a
one-line summary, and 伙伴 <伙伴>: a partner's scorecard — registrations, win
rate, lost reasons, the average gap between follow-ups, visits, appeals, the
figures channel managers are judged on.

Who sees what: the director and admins everything; an area manager their
regions (a partner working there); a dealer their own partner; a rep the
direct team."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from chat.context import Context
from chat.media import store_blob
from chat.messages import Image, Markdown, Text
from domain.language import Parsed
from domain.rules import visit_checks as checks
from domain.wording import yuan
from handlers.registration.ownership import acting_partner_id
from handlers.registration.partners import find_partner
from handlers.registration.texts import status_word
from handlers.reports import area as areas
from handlers.reports import funnel as funnels
from handlers.reports.charts.funnel import StageFigure, funnel_chart
from handlers.reports.texts import t
from models import (
    MANAGING_ROLES,
    Appeal,
    Partner,
    Registration,
    RegistrationFollowUp,
    Role,
    User,
    Visit,
    VisitStatus,
)


@dataclass(frozen=True)
class Scope:
    label: str
    area: areas.Area | None = None
    partner: Partner | None = None


def _scope(ctx: Context, name: str | None) -> Scope | None:
    """What the sender may see for ``name`` (None: their own area or partner);
    None when they may not (they were told why)."""
    user, lang = ctx.user, ctx.lang
    if user.role in MANAGING_ROLES:
        area = areas.Area(user, None if user.role != Role.MANAGER else tuple(user.regions or ()))
        if not name:
            return Scope(area.label, area=area)
        partner = find_partner(ctx.s, name)
        if partner is None:
            ctx.reply(Text(t("partner_not_found", lang, name=name)))
            return None
        if area.regions is not None and not set(partner.regions or []) & set(area.regions) and not partner.direct:
            ctx.reply(Text(t("partner_outside_area", lang, partner=partner.name, area=area.label)))
            return None
        return Scope(partner.name, partner=partner)
    own = acting_partner_id(ctx)
    partner = ctx.s.get(Partner, own) if own else None
    if partner is None:
        ctx.reply(Text(t("funnel_who", lang)))
        return None
    if name and find_partner(ctx.s, name) not in (None, partner):
        ctx.reply(Text(t("funnel_own_only", lang, partner=partner.name)))
        return None
    return Scope(partner.name, partner=partner)


def _deals(ctx: Context, scope: Scope) -> list[Registration]:
    return funnels.deals(ctx, area=scope.area, partner_id=scope.partner.id if scope.partner else None)


# ---- 漏斗 -------------------------------------------------------------------------------

def funnel_command(ctx: Context, parsed: Parsed) -> None:
    scope = _scope(ctx, parsed.target)
    if scope is None:
        return
    data = funnels.funnel(ctx, scope.label, _deals(ctx, scope))
    summary = summary_line(ctx, data)
    png = funnel_chart(t("funnel_title", "zh", label=scope.label), summary, figures(ctx, data))
    blob = store_blob(ctx.s, ctx.clock, "chart", png, "image/png", f"funnel-{ctx.fmt(ctx.now, '%Y%m%d-%H%M')}.png")
    ctx.reply(Image(blob.id))
    ctx.reply(Text("📊 " + summary))


def figures(ctx: Context, data: funnels.Funnel) -> list[StageFigure]:
    """The funnel's rows for the picture: open stages, then won and lost."""
    rules = ctx.rules.pipeline
    conversions = data.conversions()
    rows = [StageFigure(s.stage, s.count, s.value, s.ageing_days, conversions[i]) for i, s in enumerate(data.stages)]
    rows.append(StageFigure(rules.won, data.won, data.won_value, kind="won"))
    rows.append(StageFigure(rules.lost, data.lost, data.lost_value, kind="lost"))
    return rows


def summary_line(ctx: Context, data: funnels.Funnel) -> str:
    """One line a manager reads: what is in the funnel, what came out, how fast."""
    if not data.entered:
        return t("funnel_empty_line", "zh", label=data.label, days=funnels.FUNNEL_DAYS)
    at = "、".join(f"{s.stage} {s.count}" for s in data.stages if s.count) or t("none", "zh")
    rate = t("win_rate", "zh", rate=f"{data.win_rate:.0%}") if data.win_rate is not None else ""
    age = t("open_age", "zh", days=f"{data.open_age_days:g}") if data.open_age_days is not None else ""
    return t("funnel_line", "zh", label=data.label, days=funnels.FUNNEL_DAYS, open=data.open_count,
             open_value=yuan(data.open_value), at=at, won=data.won, won_value=yuan(data.won_value), lost=data.lost,
             rate=rate, age=age)


# ---- 伙伴 --------------------------------------------------------------------------------

def scorecard_command(ctx: Context, parsed: Parsed) -> None:
    if not parsed.target and ctx.user.role in MANAGING_ROLES:
        ctx.reply(Text(t("scorecard_usage", ctx.lang)))
        return
    scope = _scope(ctx, parsed.target)
    if scope is None or scope.partner is None:
        return
    ctx.reply(Markdown(scorecard(ctx, scope.partner)))


def scorecard(ctx: Context, partner: Partner) -> str:
    since = ctx.now - timedelta(days=funnels.FUNNEL_DAYS)
    regs = list(ctx.s.execute(select(Registration).where(Registration.partner_id == partner.id,
                                                         Registration.received_at >= since)).scalars())
    by_status = Counter(status_word(r.status) for r in regs)
    data = funnels.funnel(ctx, partner.name, [r for r in regs if r.decided_at is not None])
    lines = [t("score_title", "zh", partner=partner.name, days=funnels.FUNNEL_DAYS),
             t("score_regs", "zh", n=len(regs), detail=" · ".join(f"{k} {v}" for k, v in by_status.most_common())
               or t("none", "zh"))]
    rate = f"{data.win_rate:.0%}" if data.win_rate is not None else "-"
    lines.append(t("score_win", "zh", rate=rate, won=data.won, lost=data.lost, value=yuan(data.won_value)))
    lines.append(t("score_lost_reasons", "zh", reasons="、".join(f"{k} {v}" for k, v in data.lost_reasons.items())
                   or t("none", "zh")))
    gap, count = follow_up_gap(ctx, regs)
    lines.append(t("score_gap", "zh", gap=f"{gap:.1f}" if gap is not None else "-", n=count))
    visits = _visits(ctx, partner, since)
    real = [v for v in visits if v.status != VisitStatus.OFFSITE]
    doubt = sum(1 for v in real if checks.suspicious(ctx.rules.visits, v.flags))
    lines.append(t("score_visits", "zh", n=len(real), verified=sum(1 for v in real if v.verified), doubt=doubt,
                   offsite=len(visits) - len(real)))
    appeals = list(ctx.s.execute(select(Appeal).where(Appeal.partner_id == partner.id,
                                                      Appeal.created_at >= since)).scalars())
    outcome = Counter(t(f"score_appeal_{a.status}", "zh") for a in appeals)
    lines.append(t("score_appeals", "zh", n=len(appeals),
                   detail=" · ".join(f"{k} {v}" for k, v in outcome.most_common()) or t("none", "zh")))
    return "\n".join(lines)


def follow_up_gap(ctx: Context, regs: list[Registration]) -> tuple[float | None, int]:
    """The average days between consecutive pieces of work on a deal (its
    approval, then each follow-up), over every accepted deal; and how many
    follow-ups there were."""
    accepted = {r.id: r for r in regs if r.decided_at is not None}
    if not accepted:
        return None, 0
    rows = ctx.s.execute(select(RegistrationFollowUp.registration_id, RegistrationFollowUp.at).where(
        RegistrationFollowUp.registration_id.in_(list(accepted))).order_by(RegistrationFollowUp.at)).all()
    times: dict[int, list] = {reg_id: [reg.decided_at] for reg_id, reg in accepted.items()}
    for reg_id, at in rows:
        times[reg_id].append(at)
    gaps = [(b - a).total_seconds() / 86400 for points in times.values()
            for a, b in zip(sorted(points), sorted(points)[1:])]
    return (sum(gaps) / len(gaps) if gaps else None), len(rows)


def _visits(ctx: Context, partner: Partner, since) -> list[Visit]:
    q = select(Visit).where(Visit.checkin_at >= since)
    if partner.direct:
        q = q.join(User, User.id == Visit.user_id).where(User.role == Role.REP)
    else:
        q = q.where(Visit.partner_id == partner.id)
    return list(ctx.s.execute(q).scalars())


def stage_counts(ctx: Context, data: funnels.Funnel) -> dict[str, int] | None:
    """The funnel for the weekly picture: deals at each stage, won, lost (None: no deals)."""
    if not data.entered:
        return None
    rules = ctx.rules.pipeline
    return {**{s.stage: s.count for s in data.stages}, rules.won: data.won, rules.lost: data.lost}


"""Rebates (返利): each program's tiers on confirmed, not cancelled order value
in its period (optionally of some product lines only), against the target
imported for each partner. 我的返利 shows where a partner stands, what is
missing to the next tier and the projected rebate; from the middle of the
period partners close to a tier are told once; after the period the run is
computed and a card asks the program's approver to approve it."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from chat import sweeps
from chat.context import Context, Services
from chat.messages import Button, ButtonStyle, Card, CardStamp, Markdown, Text
from domain.rules.earnings import RebateProgram, projected, rebate_progress
from domain.wording import yuan_exact
from handlers.approvals.routing import approver_for, director
from handlers.earnings.texts import t
from models import (
    Order,
    OrderLine,
    OrderStatus,
    Partner,
    RebateRun,
    RebateRunStatus,
    RebateTarget,
    Role,
    User,
)

COUNTED = (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
_TASK = re.compile(r"^rb-(\d+)-u(\d+)$")


def bounds(ctx: Context, program: RebateProgram) -> tuple[datetime, datetime]:
    """The period as UTC instants: from its first day's midnight to the midnight after its last, company time."""
    tz = ctx.clock.tz
    start = datetime.combine(program.start, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(program.end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def achieved(ctx: Context, program: RebateProgram,
             partner_id: int | None = None) -> dict[int, tuple[Decimal, list[str]]]:
    """partner id → (value counted, the order numbers it came from)."""
    start, end = bounds(ctx, program)
    where = [Order.status.in_(COUNTED), Order.confirmed_at >= start, Order.confirmed_at < end]
    if partner_id is not None:
        where.append(Order.partner_id == partner_id)
    if program.product_lines:
        q = (select(Order.partner_id, Order.number, func.sum(OrderLine.amount_yuan))
             .join(OrderLine, OrderLine.order_id == Order.id)
             .where(*where, OrderLine.product_line.in_(program.product_lines))
             .group_by(Order.partner_id, Order.number))
    else:
        q = select(Order.partner_id, Order.number, Order.total_yuan).where(*where)
    out: dict[int, tuple[Decimal, list[str]]] = {}
    for pid, number, value in ctx.s.execute(q.order_by(Order.number)).tuples():
        total, numbers = out.get(pid, (Decimal(0), []))
        out[pid] = (total + Decimal(value or 0), [*numbers, number])
    return out


def _pct(x: Decimal) -> str:
    return f"{(x * 100).quantize(Decimal('0.1')).normalize():f}%"


def my_rebates(ctx: Context) -> None:
    lang = ctx.lang
    if ctx.user is None or ctx.user.partner_id is None:
        ctx.reply(Text(t("partners_only", lang)))
        return
    today = ctx.clock.today()
    blocks = []
    for program in ctx.rules.rebates.current(today):
        target = ctx.s.execute(select(RebateTarget).where(RebateTarget.program == program.id,
                                                          RebateTarget.partner_id == ctx.user.partner_id)
                               ).scalar_one_or_none()
        if target is None:
            continue
        value, numbers = achieved(ctx, program, ctx.user.partner_id).get(ctx.user.partner_id, (Decimal(0), []))
        blocks.append(progress_text(program, target.target_yuan, value, numbers, today, lang))
    if not blocks:
        ctx.reply(Text(t("rebate_none", lang)))
        return
    ctx.reply(Markdown("\n\n".join(blocks)))


def progress_text(program: RebateProgram, target: Decimal, value: Decimal, numbers: list[str], today: date,
                  lang: str) -> str:
    p = rebate_progress(program, target, value)
    lines = [t("rebate_header", lang, name=program.name, start=program.start, end=program.end),
             t("rebate_progress", lang, target=yuan_exact(p.target), achieved=yuan_exact(p.achieved),
               ratio=_pct(p.ratio))]
    lines.append(t("rebate_tier_now", lang, at=_pct(p.tier.at), rate=_pct(p.tier.rate), rebate=yuan_exact(p.rebate))
                 if p.tier else t("rebate_tier_none", lang, at=_pct(program.tiers[0].at)))
    lines.append(t("rebate_next", lang, at=_pct(p.next_tier.at), rate=_pct(p.next_tier.rate),
                   missing=yuan_exact(p.missing), next_rebate=yuan_exact(p.next_rebate))
                 if p.next_tier else t("rebate_top", lang))
    pace = projected(program, target, value, today)
    lines.append(t("rebate_projected", lang, pace=yuan_exact(pace.achieved), rebate=yuan_exact(pace.rebate)))
    scope = t("rebate_scope", lang, lines="、".join(program.product_lines)) if program.product_lines else ""
    lines.append(t("rebate_orders", lang, n=len(numbers), scope=scope))
    return "\n".join(f"> {x}" if i else x for i, x in enumerate(lines))


# ---- the mid-period nudge -----------------------------------------------------------

def nudges(svc: Services, period: str, slot: datetime) -> dict:
    """From the middle of a program's period: partners within its nudge distance
    below the next tier are told what is missing (once per tier)."""
    def due(ctx: Context) -> list[tuple[str, int]]:
        today = ctx.clock.today()
        out = []
        for program in ctx.rules.rebates.current(today):
            middle = program.start + (program.end - program.start) / 2
            if today < middle:
                continue
            out += [(program.id, pid) for pid in ctx.s.execute(
                select(RebateTarget.partner_id).where(RebateTarget.program == program.id)).scalars()]
        return out

    def one(ctx: Context, item: tuple[str, int]) -> str | None:
        program = ctx.rules.rebates.program(item[0])
        target = ctx.s.execute(select(RebateTarget).where(RebateTarget.program == program.id,
                                                          RebateTarget.partner_id == item[1])).scalar_one()
        value, _ = achieved(ctx, program, item[1]).get(item[1], (Decimal(0), []))
        p = rebate_progress(program, target.target_yuan, value)
        if p.next_tier is None or p.ratio < p.next_tier.at - program.nudge_within:
            return None
        for user in ctx.s.execute(select(User).where(User.partner_id == item[1], User.role == Role.DEALER)).scalars():
            lang = ctx.lang_of(user)
            ctx.send(user, Text(t("nudge", lang, name=program.name, ratio=_pct(p.ratio), missing=yuan_exact(p.missing),
                                  at=_pct(p.next_tier.at), rate=_pct(p.next_tier.rate), rebate=yuan_exact(p.rebate),
                                  next_rebate=yuan_exact(p.next_rebate))),
                     key=f"rebate-nudge:{program.id}:{p.next_tier.at}:{user.id}")
        return "nudged"
    return sweeps.each(svc, sweeps.read(svc, due), one, outcomes=("nudged",))


# ---- the run at period end -------------------------------------------------------------

def period_end(svc: Services, period: str, slot: datetime) -> dict:
    def due(ctx: Context) -> list[str]:
        today = ctx.clock.today()
        done = set(ctx.s.execute(select(RebateRun.program)).scalars())
        return [p.id for p in ctx.rules.rebates.programs if p.end < today and p.id not in done]
    return sweeps.each(svc, sweeps.read(svc, due), compute_run, outcomes=("proposed", "empty"))


def run_lines(ctx: Context, program: RebateProgram) -> list[dict]:
    values = achieved(ctx, program)
    lines = []
    for target in ctx.s.execute(select(RebateTarget).where(RebateTarget.program == program.id)
                                .order_by(RebateTarget.partner_id)).scalars():
        value, numbers = values.get(target.partner_id, (Decimal(0), []))
        p = rebate_progress(program, target.target_yuan, value)
        lines.append({"partner_id": target.partner_id, "partner": ctx.s.get(Partner, target.partner_id).name,
                      "target": str(p.target), "achieved": str(p.achieved), "ratio": str(p.ratio),
                      "rate": str(p.tier.rate) if p.tier else "0", "rebate": str(p.rebate), "orders": numbers})
    return lines


def compute_run(ctx: Context, program_id: str) -> str | None:
    program = ctx.rules.rebates.program(program_id)
    if program is None or ctx.s.execute(select(RebateRun.id).where(RebateRun.program == program_id)).first():
        return None
    lines = run_lines(ctx, program)
    total = sum((Decimal(x["rebate"]) for x in lines), Decimal(0))
    if total == 0:
        # Nobody reached a tier: recorded (and audited) as such, no card asks anyone to approve nothing.
        ctx.s.add(RebateRun(program=program.id, status=RebateRunStatus.EMPTY, lines=lines, total_yuan=total,
                            rules_version=ctx.rules.version, created_at=ctx.now))
        ctx.audit("rebate.run_empty", "rebate_run", program.id, after={"lines": lines, "total": "0"})
        return "empty"
    approver = director(ctx) if program.approver == "director" else approver_for(ctx, program.approver, None)
    run = RebateRun(program=program.id, status=RebateRunStatus.PROPOSED, lines=lines, total_yuan=total,
                    rules_version=ctx.rules.version, approver_id=approver.id, created_at=ctx.now)
    ctx.s.add(run)
    ctx.s.flush()
    ctx.audit("rebate.run_proposed", "rebate_run", program.id, after={"lines": lines, "total": str(total),
                                                                      "rules_version": run.rules_version})
    rows = tuple((x["partner"][:12], f"{_pct(Decimal(x['ratio']))} · {yuan_exact(x['rebate'])}") for x in lines[:5])
    card = Card(task_id=f"rb-{run.id}-u{approver.id}", title=t("run_card_title", "zh", program=program.id),
                desc=t("run_card_desc", "zh", name=program.name, start=program.start, end=program.end,
                       version=run.rules_version),
                rows=(*rows, ("合计", yuan_exact(total))),
                buttons=(Button("approve", "同意", ButtonStyle.PRIMARY), Button("reject", "驳回", ButtonStyle.DANGER)),
                note=t("run_card_note", "zh"))
    ctx.send(approver, card, key=f"card:{card.task_id}")
    return "proposed"


def run_for_task(ctx: Context, task: str) -> RebateRun | None:
    found = _TASK.match(task or "")
    return ctx.s.get(RebateRun, int(found.group(1))) if found else None


def on_run_click(ctx: Context, run: RebateRun) -> None:
    lang = ctx.lang
    if ctx.user is None or ctx.user.id != run.approver_id:
        ctx.reply(Text(t("run_not_yours", lang)))
        return
    run = ctx.s.execute(select(RebateRun).where(RebateRun.id == run.id).with_for_update()
                        .execution_options(populate_existing=True)).scalar_one()
    if run.status != RebateRunStatus.PROPOSED:
        ctx.reply(Text(t("run_done_already", lang, program=run.program, status=run.status)))
        return
    approve = ctx.inbound.card.key == "approve"
    run.status = RebateRunStatus.APPROVED if approve else RebateRunStatus.REJECTED
    run.decided_at, run.decided_by_id = ctx.now, ctx.user.id
    ctx.audit(f"rebate.run_{run.status}", "rebate_run", run.program, after={"total": str(run.total_yuan)})
    tid = f"rb-{run.id}-u{run.approver_id}"
    ctx.send(ctx.user, CardStamp(tid, t(f"run_stamp_{run.status}", "zh", who=ctx.user.name, when=ctx.fmt(ctx.now))),
             key=f"stamp:{tid}")
    if not approve:
        ctx.reply(Text(t("run_rejected", lang, program=run.program)))
        return
    program = ctx.rules.rebates.program(run.program)
    name = program.name if program else run.program
    for x in run.lines:
        for user in ctx.s.execute(select(User).where(User.partner_id == x["partner_id"], User.role == Role.DEALER)
                                  ).scalars():
            ctx.send(user, Text(t("run_partner", ctx.lang_of(user), name=name, ratio=_pct(Decimal(x["ratio"])),
                                  rebate=yuan_exact(x["rebate"]), rate=_pct(Decimal(x["rate"])))),
                     key=f"rebate-approved:{run.id}:{user.id}")
    ctx.reply(Text(t("run_approved", lang, program=run.program, n=len(run.lines), total=yuan_exact(run.total_yuan))))

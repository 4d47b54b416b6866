"""The funnel of an area or a partner: the deals that entered it (accepted in
the last FUNNEL_DAYS), how many stand at each open stage now and for how
much, how many were won (and for how much) or lost, the conversion from
each stage to the next (a deal "reached" a stage if it ever stood there or
further: its stage moves are kept; a won deal passed every stage), and how
long the open deals have stood at their stage."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from chat.context import Context
from handlers.registration.progress import stage_of
from handlers.reports import area as areas
from models import Customer, Registration, RegistrationFollowUp, RegistrationStatus

FUNNEL_DAYS = 365


@dataclass(frozen=True)
class StageRow:
    stage: str
    count: int                  # deals standing at it now
    value: Decimal              # their registered amounts
    reached: int                # deals that ever reached it
    ageing_days: float | None   # how long the deals now at it have stood there, on average


@dataclass
class Funnel:
    label: str
    stages: list[StageRow] = field(default_factory=list)
    won: int = 0
    won_value: Decimal = Decimal(0)
    lost: int = 0
    lost_value: Decimal = Decimal(0)
    lost_reasons: dict[str, int] = field(default_factory=dict)
    ended: int = 0              # recalled, expired, withdrawn, transferred before a decision
    open_age_days: float | None = None

    @property
    def entered(self) -> int:
        return sum(s.count for s in self.stages) + self.won + self.lost + self.ended

    @property
    def open_count(self) -> int:
        return sum(s.count for s in self.stages)

    @property
    def open_value(self) -> Decimal:
        return sum((s.value for s in self.stages), Decimal(0))

    @property
    def win_rate(self) -> float | None:
        decided = self.won + self.lost
        return self.won / decided if decided else None

    def conversions(self) -> list[float | None]:
        """From each stage to the next, and from the last to won."""
        reached = [s.reached for s in self.stages] + [self.won]
        return [reached[i + 1] / reached[i] if reached[i] else None for i in range(len(self.stages))]


def deals(ctx: Context, area: areas.Area | None = None, partner_id: int | None = None) -> list[Registration]:
    """The deals that entered the funnel (accepted at some point) in the window."""
    q = (select(Registration).join(Customer, Customer.id == Registration.customer_id)
         .where(Registration.decided_at.is_not(None),
                Registration.received_at >= ctx.now - timedelta(days=FUNNEL_DAYS)))
    if area is not None and area.regions is not None:
        q = q.where(Customer.region.in_(area.regions))
    if partner_id is not None:
        q = q.where(Registration.partner_id == partner_id)
    return list(ctx.s.execute(q.order_by(Registration.received_at)).scalars())


def funnel(ctx: Context, label: str, regs: list[Registration]) -> Funnel:
    rules = ctx.rules.pipeline
    furthest = _furthest_stages(ctx, regs)
    out = Funnel(label)
    at: dict[str, list[Registration]] = defaultdict(list)
    reasons: dict[str, int] = defaultdict(int)
    for reg in regs:
        if reg.status == RegistrationStatus.WON:
            out.won += 1
            out.won_value += Decimal(str(reg.won_amount_yuan or reg.amount_yuan or 0))
        elif reg.status == RegistrationStatus.LOST:
            out.lost += 1
            out.lost_value += Decimal(str(reg.amount_yuan or 0))
            for reason in reg.lost_reasons or []:
                reasons[reason] += 1
        elif reg.is_open:
            at[stage_of(rules, reg)].append(reg)
        else:
            out.ended += 1
    out.lost_reasons = dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    for i, stage in enumerate(rules.stages):
        here = at.get(stage, [])
        ages = [(ctx.now - (r.stage_at or r.decided_at)).total_seconds() / 86400 for r in here]
        reached = sum(1 for r in regs if r.status == RegistrationStatus.WON or furthest[r.id] >= i)
        out.stages.append(StageRow(stage, len(here), sum((Decimal(str(r.amount_yuan or 0)) for r in here),
                                                          Decimal(0)), reached,
                                   round(sum(ages) / len(ages), 1) if ages else None))
    open_regs = [r for stage_regs in at.values() for r in stage_regs]
    if open_regs:
        out.open_age_days = round(sum((ctx.now - r.received_at).total_seconds() / 86400 for r in open_regs)
                                  / len(open_regs), 1)
    return out


def _furthest_stages(ctx: Context, regs: list[Registration]) -> dict[int, int]:
    """The furthest stage (index) each deal ever stood at: now, or before a step back."""
    rules = ctx.rules.pipeline
    out = {r.id: rules.stage_index(r.stage) for r in regs}
    if not regs:
        return out
    moves = ctx.s.execute(select(RegistrationFollowUp.registration_id, RegistrationFollowUp.stage_to).where(
        RegistrationFollowUp.registration_id.in_(list(out)), RegistrationFollowUp.stage_to.is_not(None))).all()
    for reg_id, stage in moves:
        if stage in rules.stages:
            out[reg_id] = max(out[reg_id], rules.stage_index(stage))
    return out

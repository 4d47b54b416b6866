"""The cool-down (pipeline.cooldown_days): after a partner's claim on a
customer expired, was withdrawn or was recalled, the same partner may not
claim that customer again at once (others may); when it ends, the partner
is told, once, whether the customer is free."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from domain.rules.pipeline_checks import EndedClaim
from handlers.registration import locks
from handlers.registration.texts import t
from models import OPEN_STATUSES, Registration, RegistrationStatus, User

# What a cool-down follows (a transfer after an appeal is a manager's decision, not the partner's doing).
COOLING = (RegistrationStatus.EXPIRED, RegistrationStatus.WITHDRAWN, RegistrationStatus.RECALLED)


def ended_claim(ctx: Context, partner_id: int, customer_id: int, wanted: list[str]) -> EndedClaim | None:
    """The partner's latest ended claim on the customer that overlaps what it claims now."""
    scope = ctx.rules.registration.conflict_scope
    since = ctx.now - timedelta(days=ctx.rules.pipeline.cooldown_days)
    rows = ctx.s.execute(select(Registration).where(
        Registration.partner_id == partner_id, Registration.customer_id == customer_id,
        Registration.status.in_(COOLING), Registration.ended_at > since)
        .order_by(Registration.ended_at.desc())).scalars()
    for reg in rows:
        if locks.overlap(locks.scope_keys(scope, reg.product_lines, reg.department), wanted, scope):
            return EndedClaim(reg.number, reg.ended_at, reg.status)
    return None


def due_notices(ctx: Context) -> list[int]:
    """Ended claims whose cool-down is over and whose partner was not told yet."""
    over = ctx.now - timedelta(days=ctx.rules.pipeline.cooldown_days)
    return list(ctx.s.execute(select(Registration.id).where(
        Registration.status.in_(COOLING), Registration.ended_at.is_not(None), Registration.ended_at <= over,
        Registration.cooldown_told_at.is_(None)).order_by(Registration.ended_at)).scalars())


def tell_over(ctx: Context, reg_id: int) -> str | None:
    """Tell the partner its cool-down on the customer is over: only for its
    latest ended claim there, and not when it claimed the customer again."""
    reg = ctx.s.execute(select(Registration).where(Registration.id == reg_id).with_for_update()).scalar_one()
    if reg.cooldown_told_at is not None:
        return None
    reg.cooldown_told_at = ctx.now
    later = ctx.s.execute(select(Registration.id).where(
        Registration.partner_id == reg.partner_id, Registration.customer_id == reg.customer_id,
        Registration.id != reg.id, Registration.received_at > reg.received_at,
        Registration.status.in_((*OPEN_STATUSES, *COOLING))).limit(1)).first()
    if later is not None or ctx.rules.pipeline.cooldown_days == 0:
        return None
    scope = ctx.rules.registration.conflict_scope
    holder = locks.holder(ctx, reg.customer_id, locks.scope_keys(scope, reg.product_lines, reg.department), scope,
                          reg.partner_id)
    state = t("cooldown_held", "zh", until=ctx.fmt(holder.until, "%Y-%m-%d")) if holder else t("cooldown_free", "zh")
    ctx.send(ctx.s.get(User, reg.submitter_id),
             Text(t("cooldown_over", "zh", customer=reg.customer_text, number=reg.number, state=state)),
             key=f"cooldown-over:{reg.id}")
    return "told"

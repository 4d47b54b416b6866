"""Timed housekeeping of special prices: a free-standing special price (for a
customer, not bound to one order) lapses at the end of its validity."""
from __future__ import annotations

from sqlalchemy import select

from chat import sweeps
from chat.context import Context, Services
from chat.messages import Text
from handlers.special_prices.texts import t
from models import SpecialPrice, SpecialPriceStatus, User


def sweep(svc: Services) -> dict[str, int]:
    lapsed = sweeps.read(svc, lambda ctx: list(ctx.s.execute(select(SpecialPrice.id).where(
        SpecialPrice.status == SpecialPriceStatus.APPROVED, SpecialPrice.valid_until < ctx.now)).scalars()))
    return sweeps.each(svc, lapsed, _expire_grant, outcomes=("grants_expired",))


def _expire_grant(ctx: Context, sp_id: int) -> str | None:
    sp = ctx.s.execute(select(SpecialPrice).where(SpecialPrice.id == sp_id).with_for_update()
                       .execution_options(populate_existing=True)).scalar_one()
    if sp.status != SpecialPriceStatus.APPROVED or sp.valid_until is None or sp.valid_until >= ctx.now:
        return None
    sp.status, sp.updated_at = SpecialPriceStatus.EXPIRED, ctx.now
    ctx.audit("special_price.expired", "special_price", sp.number, before={"status": SpecialPriceStatus.APPROVED},
              after={"status": SpecialPriceStatus.EXPIRED})
    ctx.send(ctx.s.get(User, sp.submitter_id), Text(t("sp_expired", "zh", number=sp.number)),
             key=f"sp-expired:{sp.id}")
    return "grants_expired"

"""Timed housekeeping of special prices: a free-standing special price (for a
customer, not bound to one order) lapses at the end of its validity."""
from __future__ import annotations

from sqlalchemy import select

from chat.context import Context, Services
from chat.messages import Text
from handlers.special_prices.texts import t
from models import SpecialPrice, SpecialPriceStatus, User
from models.db import unit_of_work


def sweep(svc: Services) -> dict[str, int]:
    counts = {"grants_expired": 0}
    with svc.factory() as s:
        now = svc.clock.now()
        grants = s.execute(select(SpecialPrice.id).where(SpecialPrice.status == SpecialPriceStatus.APPROVED,
                                                         SpecialPrice.valid_until < now)).scalars().all()
    for sp_id in grants:
        with unit_of_work(svc.factory) as s:
            counts["grants_expired"] += _expire_grant(Context.for_system(s, svc, actor="scheduler"), sp_id)
    return counts


def _expire_grant(ctx: Context, sp_id: int) -> int:
    sp = ctx.s.execute(select(SpecialPrice).where(SpecialPrice.id == sp_id).with_for_update()
                       .execution_options(populate_existing=True)).scalar_one()
    if sp.status != SpecialPriceStatus.APPROVED or sp.valid_until is None or sp.valid_until >= ctx.now:
        return 0
    sp.status, sp.updated_at = SpecialPriceStatus.EXPIRED, ctx.now
    ctx.audit("special_price.expired", "special_price", sp.number, before={"status": SpecialPriceStatus.APPROVED},
              after={"status": SpecialPriceStatus.EXPIRED})
    ctx.send(ctx.s.get(User, sp.submitter_id), Text(t("sp_expired", "zh", number=sp.number)),
             key=f"sp-expired:{sp.id}")
    return 1

"""A record named by its number in a message, as the sender may touch it: one
of their own company's (a partner's user), found the same way by every
command that changes a record (修改 / 撤销 / 延期 / 取消订单 …)."""
from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import select

from chat.context import Context


class Found(StrEnum):
    OWN = "own"
    MISSING = "missing"         # no record of that number
    FOREIGN = "foreign"         # another company's: say so only where it may be said


def partner_record(ctx: Context, model: Any, ref: str | None, lock: bool = False,
                   partner_id: int | None = None) -> tuple[Any | None, Found]:
    """The record of ``model`` numbered ``ref`` if it belongs to the sender's
    partner (or to ``partner_id``: the party a user acts for, e.g. a rep for the
    direct team), row-locked when ``lock``; otherwise None and why."""
    q = select(model).where(model.number == (ref or "").strip().upper())
    record = ctx.s.execute(q.with_for_update() if lock else q).scalar_one_or_none()
    if record is None:
        return None, Found.MISSING
    owner = partner_id if partner_id is not None else (ctx.user.partner_id if ctx.user else None)
    if owner is None or record.partner_id != owner:
        return None, Found.FOREIGN
    return record, Found.OWN

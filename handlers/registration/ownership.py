"""Whose deals a user works: a dealer's are their partner's; a field rep's are
the direct team's (the manufacturer's own sales, kept as a partner row marked
``direct`` so a direct deal locks, conflicts and ages like any other). The
commands that change a registration find it here, the same way."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from chat.context import Context
from chat.messages import Text
from chat.records import Found, partner_record
from handlers.registration.texts import status_word, t
from models import OPEN_STATUSES, Partner, Registration, Role

DIRECT_TEAM_CODE = "DIRECT"


def direct_team(ctx: Context, create: bool = False) -> Partner | None:
    """The direct team's partner row; made the first time a rep registers a deal."""
    row = ctx.s.execute(select(Partner).where(Partner.direct.is_(True)).order_by(Partner.id)).scalars().first()
    if row is not None or not create:
        return row
    try:
        with ctx.s.begin_nested():
            row = Partner(name=t("direct_team_name", "zh"), code=DIRECT_TEAM_CODE, direct=True, regions=[],
                          product_lines=[], tier="standard", receivables_yuan=0)
            ctx.s.add(row)
            ctx.s.flush()
    except IntegrityError:       # another rep's first deal made it a moment ago
        row = ctx.s.execute(select(Partner).where(Partner.code == DIRECT_TEAM_CODE)).scalar_one()
    return row


def acting_partner_id(ctx: Context, create: bool = False) -> int | None:
    """The party the sender registers deals for (None: they register none)."""
    user = ctx.user
    if user.role == Role.DEALER:
        return user.partner_id
    if user.role == Role.REP:
        team = direct_team(ctx, create=create)
        return team.id if team else None
    return None


def works_deals(ctx: Context) -> bool:
    """Dealers (for their partner) and reps (for the direct team); else told who may."""
    if ctx.user.role == Role.REP or (ctx.user.role == Role.DEALER and ctx.user.partner_id is not None):
        return True
    ctx.reply(Text(t("partners_only", ctx.lang)))
    return False


def own_registration(ctx: Context, ref: str | None, lock: bool = True) -> Registration | None:
    """The sender's party's registration numbered ``ref``, or None (they were told why)."""
    if not works_deals(ctx):
        return None
    if not ref:
        ctx.reply(Text(t("need_ref", ctx.lang)))
        return None
    reg, found = partner_record(ctx, Registration, ref, lock=lock, partner_id=acting_partner_id(ctx) or -1)
    if found == Found.MISSING:
        ctx.reply(Text(t("no_such_registration", ctx.lang, ref=ref)))
        return None
    if found == Found.FOREIGN:
        ctx.reply(Text(t("not_your_registration", ctx.lang, ref=ref.upper())))
        return None
    return reg


def own_open(ctx: Context, ref: str | None, action_word: str,
             statuses: tuple[str, ...] = OPEN_STATUSES) -> Registration | None:
    """As own_registration, and in one of ``statuses`` (default: open)."""
    reg = own_registration(ctx, ref)
    if reg is None:
        return None
    if reg.status not in statuses:
        ctx.reply(Text(t("not_open", ctx.lang, ref=reg.number, status=status_word(reg.status, ctx.lang),
                         action=action_word)))
        return None
    return reg

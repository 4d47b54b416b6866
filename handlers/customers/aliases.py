"""别名 <简称> = <全称>: admins teach the matcher a short name; effective at once
for every worker (lookups read the alias table from the database)."""
from __future__ import annotations

from sqlalchemy import select

from chat.context import Context
from chat.messages import Text
from domain.language import Parsed
from handlers.customers.search import MAX_NAME_CHARS, alias_key, named_elsewhere
from handlers.customers.texts import t
from models import CustomerAlias, Role


def add_alias(ctx: Context, parsed: Parsed) -> None:
    lang = ctx.lang
    if ctx.user.role != Role.ADMIN:
        ctx.reply(Text(t("alias_admin_only", lang)))
        return
    short, full = (parsed.note or "").strip(), (parsed.customer or "").strip()
    if not short or not full or short == full:
        ctx.reply(Text(t("alias_usage", lang)))
        return
    if len(short) > MAX_NAME_CHARS or len(full) > MAX_NAME_CHARS:
        ctx.reply(Text(t("customer_too_long", lang, limit=MAX_NAME_CHARS)))
        return
    other = named_elsewhere(ctx.s, [short], full).get(short)
    if other is not None:
        ctx.reply(Text(t("alias_is_a_customer", lang, short=short)))
        return
    row = ctx.s.execute(
        select(CustomerAlias).where(CustomerAlias.alias == short).with_for_update()).scalar_one_or_none()
    before = {"alias": short, "full_name": row.full_name} if row else None
    if row is None:
        ctx.s.add(CustomerAlias(alias=short, alias_key=alias_key(short), full_name=full,
                                created_by=ctx.user.external_id, created_at=ctx.now))
    else:
        row.full_name, row.created_by, row.created_at = full, ctx.user.external_id, ctx.now
    ctx.audit("alias.set", "alias", short, before=before, after={"alias": short, "full_name": full})
    ctx.reply(Text(t("alias_added" if before is None else "alias_changed", lang, short=short, full=full)))

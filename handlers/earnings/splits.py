"""The commission split of a won deal (分润): computed when registration says
a deal is won ("registration.won"), by the first split rule that matches it,
from the amount of its confirmed orders (or the amount it was won at), one
line per role; kept with the rule, the rule set's version and the orders, so
every figure of a statement can be traced. 我的分润: this month, by deal."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from chat.context import Context
from chat.messages import Markdown, Text
from domain.rules.earnings import Split, split_deal
from domain.wording import yuan_exact
from handlers.earnings.texts import role_word, t
from models import JointStatus, Order, OrderStatus, Partner, Registration, Role, SplitEntry, User

COUNTED_ORDERS = (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED)


def parties(ctx: Context, reg: Registration, orders: list[Order]) -> dict:
    """Who holds each role on the deal (partner ids; "direct" for the direct team)."""
    delivering = next((o.partner_id for o in orders if o.partner_id != reg.partner_id), None)
    introducing = reg.joint_partner_id if reg.joint_status == JointStatus.ACCEPTED else None
    cosold = reg.key_account is not None and reg.partner_share is not None
    return {"registering": reg.partner_id, "delivering": delivering, "introducing": introducing,
            "direct": "direct" if cosold else None}


def linked_orders(ctx: Context, reg: Registration) -> list[Order]:
    return list(ctx.s.execute(select(Order).where(Order.registration_id == reg.id,
                                                  Order.status.in_(COUNTED_ORDERS)).order_by(Order.id)).scalars())


def compute(ctx: Context, reg: Registration) -> tuple[Split, list[Order]]:
    orders = linked_orders(ctx, reg)
    base = sum((Decimal(o.total_yuan) for o in orders), Decimal(0)) if orders else \
        Decimal(reg.won_amount_yuan if reg.won_amount_yuan is not None else reg.amount_yuan or 0)
    partner = ctx.s.get(Partner, reg.partner_id)
    line = reg.product_lines[0] if reg.product_lines else None
    return split_deal(ctx.rules.splits, base, line, partner.tier, parties(ctx, reg, orders)), orders


def preview(ctx: Context, reg: Registration, lang: str = "zh") -> str | None:
    """The split as it would be if the deal were won at its registered amount
    (shown on a co-sell card before anyone agrees)."""
    split, _ = compute(ctx, reg)
    if not split.lines:
        return None
    return t("preview_row", lang, rule=split.rule_id, lines="、".join(
        f"{_party_name(ctx, x.role, x.party, lang)} {yuan_exact(x.amount)}" for x in split.lines))


def _party_name(ctx: Context, role: str, party, lang: str) -> str:
    if party == "direct":
        return role_word("direct", lang)
    partner = ctx.s.get(Partner, party)
    return f"{role_word(role, lang)} {partner.name if partner else '-'}"


def on_registration_won(ctx: Context, facts: dict) -> None:
    reg = ctx.s.get(Registration, facts["registration_id"])
    if reg is None or ctx.s.execute(select(SplitEntry.id).where(SplitEntry.registration_id == reg.id)).first():
        return
    split, orders = compute(ctx, reg)
    if not split.lines:
        return
    now = ctx.now
    won_at = datetime.fromisoformat(facts["at"]) if facts.get("at") else now
    month = ctx.clock.local(won_at).strftime("%Y-%m")
    numbers = [o.number for o in orders]
    entries = []
    for x in split.lines:
        entry = SplitEntry(registration_id=reg.id, partner_id=None if x.party == "direct" else x.party, role=x.role,
                           base_yuan=split.base, pool_yuan=split.pool, share=x.share, amount_yuan=x.amount,
                           rule_id=split.rule_id, rules_version=ctx.rules.version, orders=numbers, month=month,
                           won_at=won_at, created_at=now, updated_at=now)
        ctx.s.add(entry)
        entries.append(entry)
    ctx.s.flush()
    ctx.audit("split.computed", "registration", reg.number,
              after={"rule": split.rule_id, "rules_version": ctx.rules.version, "base": str(split.base),
                     "pool": str(split.pool), "orders": numbers,
                     "lines": [{"role": x.role, "party": str(x.party), "share": str(x.share), "amount": str(x.amount),
                                "capped": x.capped} for x in split.lines]})
    by_partner: dict[int, list[SplitEntry]] = {}
    for e in entries:
        if e.partner_id is not None:
            by_partner.setdefault(e.partner_id, []).append(e)
    for pid, mine in by_partner.items():
        for user in _dealers(ctx, pid):
            lang = ctx.lang_of(user)
            lines = "、".join(t("split_role_line", lang, role=role_word(e.role, lang), amount=yuan_exact(e.amount_yuan))
                             for e in mine)
            ctx.send(user, Text(t("split_won", lang, number=reg.number, customer=reg.customer_text,
                                  base=yuan_exact(split.base), rule=split.rule_id, version=ctx.rules.version,
                                  lines=lines)), key=f"split:{reg.id}:{user.id}")


def _dealers(ctx: Context, partner_id: int) -> list[User]:
    return list(ctx.s.execute(select(User).where(User.partner_id == partner_id, User.role == Role.DEALER)
                              .order_by(User.id)).scalars())


def my_splits(ctx: Context) -> None:
    lang = ctx.lang
    if ctx.user is None or ctx.user.partner_id is None:
        ctx.reply(Text(t("partners_only", lang)))
        return
    month = ctx.clock.local(ctx.now).strftime("%Y-%m")
    rows = ctx.s.execute(select(SplitEntry, Registration)
                         .join(Registration, Registration.id == SplitEntry.registration_id)
                         .where(SplitEntry.partner_id == ctx.user.partner_id, SplitEntry.month == month)
                         .order_by(SplitEntry.won_at, SplitEntry.id)).tuples().all()
    if not rows:
        ctx.reply(Text(t("mine_none", lang, month=month)))
        return
    deals: dict[int, list[tuple[SplitEntry, Registration]]] = {}
    for entry, reg in rows:
        deals.setdefault(reg.id, []).append((entry, reg))
    total = sum((e.amount_yuan for e, _ in rows), Decimal(0))
    lines = [t("mine_header", lang, month=month, n=len(deals), total=yuan_exact(total))]
    for items in deals.values():
        first, reg = items[0]
        roles = "、".join(f"{role_word(e.role, lang)} {yuan_exact(e.amount_yuan)}"
                         + (t("mine_adjusted", lang, before=yuan_exact(e.computed_yuan), by=e.adjusted_by)
                            if e.adjusted_by else "") for e, _ in items)
        orders = t("mine_orders", lang, orders="、".join(first.orders)) if first.orders else ""
        lines.append("- " + t("mine_line", lang, number=reg.number, customer=reg.customer_text,
                              base=yuan_exact(first.base_yuan), roles=roles, rule=first.rule_id,
                              version=first.rules_version, orders=orders))
    ctx.reply(Markdown("\n".join(lines)))

"""What a dealer asks about its account: 我的额度 (the credit left, and why)
and A100多少钱 (its own price for a product: its price list, or the list price
less its tier's discount)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from chat.context import Context
from chat.messages import Markdown, Text
from domain.language import Parsed
from domain.money import money
from domain.wording import unit_yuan, yuan
from handlers.orders.access import is_dealer
from handlers.orders.cards import price_source_word
from handlers.orders.checks import open_orders_total
from handlers.orders.lines import suggestions
from handlers.orders.price_list import policy_prices
from handlers.orders.texts import t
from models import OPEN_ORDER_STATUSES, Order, Partner, Product, StockLevel


def my_credit(ctx: Context, parsed: Parsed) -> None:
    """The limit, what uses it up (unpaid receivables as the ERP last reported
    them, open orders), what is left: the same sum the credit check makes."""
    lang = ctx.lang
    if not is_dealer(ctx):
        return
    partner = ctx.s.get(Partner, ctx.user.partner_id)
    if partner.credit_limit_yuan is None:
        policy = "credit_none_allowed" if ctx.rules.orders.no_credit_limit == "allow" else "credit_none_refused"
        ctx.reply(Text(t("credit_none", lang, partner=partner.name) + t(policy, lang)))
        return
    limit = money(partner.credit_limit_yuan)
    receivables = money(partner.receivables_yuan or 0)
    open_total = open_orders_total(ctx, partner.id, None)
    count = ctx.s.execute(select(func.count()).select_from(Order).where(
        Order.partner_id == partner.id, Order.status.in_(OPEN_ORDER_STATUSES))).scalar()
    left = limit - receivables - open_total
    as_of = ctx.fmt(partner.receivables_as_of, "%Y-%m-%d") if partner.receivables_as_of else t("credit_as_of_none",
                                                                                                   lang)
    lines = [t("credit_header", lang, partner=partner.name),
             t("credit_limit", lang, limit=yuan(limit, lang)),
             t("credit_receivables", lang, amount=yuan(receivables, lang), as_of=as_of),
             t("credit_open_orders", lang, amount=yuan(open_total, lang), n=count),
             t("credit_left", lang, left=yuan(max(left, Decimal(0)), lang))]
    if left <= 0:
        lines.append(t("credit_used_up", lang, over=yuan(-left, lang)))
    if not ctx.rules.orders.credit_check:
        lines.append(t("credit_check_off", lang))
    ctx.reply(Markdown("\n".join(lines)))


def price_of(ctx: Context, parsed: Parsed) -> None:
    """A100多少钱 / 价格 彩超: the dealer's own price for each product named."""
    lang = ctx.lang
    if not is_dealer(ctx):
        return
    products = {p.sku: p for p in ctx.s.execute(select(Product)).scalars()}
    by_word = {w.upper(): p.sku for p in products.values() for w in [p.name, *(p.aliases or [])]}
    wanted = [i.sku for i in parsed.items] + [m.sku or m.word for m in parsed.products]
    if not wanted:
        ctx.reply(Text(t("price_usage", lang)))
        return
    partner = ctx.s.get(Partner, ctx.user.partner_id)
    found: list[Product] = []
    unknown: list[str] = []
    for word in dict.fromkeys(wanted):
        sku = word.upper() if word.upper() in products else by_word.get(word.upper())
        if sku is None:
            unknown.append(word)
        elif products[sku] not in found:
            found.append(products[sku])
    prices = policy_prices(ctx.s, ctx.rules.pricing, partner, found)
    stock = {row.sku: row.qty_available for row in ctx.s.execute(select(StockLevel).where(
        StockLevel.sku.in_([p.sku for p in found]))).scalars()} if found else {}
    lines = []
    for p in found:
        pp = prices[p.sku]
        line = t("price_line", lang, sku=p.sku, name=p.name, price=unit_yuan(pp.price),
                 list=unit_yuan(money(p.list_price)), source=price_source_word(pp.source, lang),
                 moq=p.moq or 1, pack=p.pack_size or 1)
        if not p.active:
            line += t("price_inactive", lang)
        elif p.sku in stock:
            line += t("price_stock", lang, n=stock[p.sku])
        lines.append(line)
    for word in unknown:
        near = "、".join(suggestions(products, word)) or t("order_no_near", lang)
        lines.append(t("price_unknown", lang, word=word, near=near))
    ctx.reply(Markdown("\n".join([t("price_header", lang, partner=partner.name), *lines])))

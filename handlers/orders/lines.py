"""From what the dealer typed to priced order lines: resolve SKUs (with "did you
mean" for unknown ones), merge repeats, price each line from the partner's
policy, apply an approved special price the order may use, attach stock."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.language import Parsed
from domain.matching import analyse
from domain.money import money
from domain.rules.commerce import PricingRules
from domain.rules.order_checks import LineFacts
from handlers.orders.price_list import PolicyPrice, policy_prices
from models import Order, OrderLine, Partner, Product, SpecialPrice, SpecialPriceStatus, StockLevel

MAX_LINES = 30          # one chat order; beyond this a spreadsheet is the better tool
MAX_QTY = 100_000
_ZERO = re.compile(r"0+|零|〇")


@dataclass
class Wanted:
    """The items a message asks for, before pricing."""
    items: list[tuple[Product, int]] = field(default_factory=list)
    unknown: list[tuple[str, list[str]]] = field(default_factory=list)    # (word, suggestions)
    inactive: list[str] = field(default_factory=list)
    no_qty: list[str] = field(default_factory=list)
    too_many: bool = False
    bad_qty: list[str] = field(default_factory=list)      # "A100（1.5）": the count as typed
    zero: list[str] = field(default_factory=list)         # SKUs given a count of 0 (a change: drop the line)
    removed: list[str] = field(default_factory=list)      # SKUs named after 删除/去掉


def suggestions(products: dict[str, Product], word: str, limit: int = 3) -> list[str]:
    """Close SKUs or product names, as "A100 彩超"."""
    keys = {}
    for p in products.values():
        if p.active:
            keys[(p.sku, "sku")], keys[(p.sku, "name")] = p.sku, p.name
    out: list[str] = []
    for _, _, (sku, _) in process.extract(word.upper(), keys, scorer=fuzz.WRatio, score_cutoff=60,
                                          limit=limit * 2):
        label = f"{sku} {products[sku].name}"
        if label not in out:
            out.append(label)
    return out[:limit]


def wanted_from(s: Session, parsed: Parsed, replace: dict[str, str] | None = None) -> Wanted:
    products = {p.sku: p for p in s.execute(select(Product)).scalars()}
    by_word = {}
    for p in products.values():
        for word in [p.name, *(p.aliases or [])]:
            by_word[word.upper()] = p.sku
    out = Wanted()
    merged: dict[str, int] = {}
    order: list[str] = []

    def resolve(word: str) -> str | None:
        word = (replace or {}).get(word.upper(), word).upper()
        return word if word in products else by_word.get(word)

    for item in parsed.items:
        sku = resolve(item.sku)
        if sku is None:
            out.unknown.append((item.sku, suggestions(products, item.sku)))
            continue
        if not 0 < item.qty <= MAX_QTY:
            out.bad_qty.append(f"{sku}（{item.qty}）")
            continue
        if sku not in merged:
            order.append(sku)
        merged[sku] = merged.get(sku, 0) + item.qty
    for mention in parsed.products:
        sku = resolve(mention.sku or mention.word)
        if sku is None:
            out.unknown.append((mention.word, suggestions(products, mention.word)))
        elif mention.qty:
            if sku not in merged:
                order.append(sku)
            merged[sku] = merged.get(sku, 0) + mention.qty
        elif sku not in merged:
            out.no_qty.append(sku)
    for bad in parsed.bad_quantities:
        sku = resolve(bad.sku or bad.word)
        if sku is None:
            out.unknown.append((bad.word, suggestions(products, bad.word)))
        elif _ZERO.fullmatch(bad.text):
            out.zero.append(sku)
        else:
            out.bad_qty.append(f"{sku}（{bad.text}）")
    for word in parsed.removed:
        sku = resolve(word)
        if sku is None:
            out.unknown.append((word, suggestions(products, word)))
        else:
            out.removed.append(sku)
    for sku in order:
        p = products[sku]
        if not p.active:
            out.inactive.append(sku)
        elif merged[sku] > MAX_QTY:
            out.bad_qty.append(f"{sku}（{merged[sku]}）")
        else:
            out.items.append((p, merged[sku]))
    out.too_many = len(out.items) > MAX_LINES
    return out


def usable_grants(s: Session, partner: Partner, customer_id: int | None, cited: str | None,
                  now: datetime, customer_text: str | None = None) -> dict[str, SpecialPrice]:
    """Approved free-standing special prices this order may use, by SKU: for the
    order's customer, or the one the order cites by number. A grant asked for a
    customer not in the customer list (so without a customer id) is matched by
    the name's canonical key: 订货 … 客户 <that name> then finds it."""
    rows = s.execute(select(SpecialPrice).where(
        SpecialPrice.partner_id == partner.id, SpecialPrice.status == SpecialPriceStatus.APPROVED,
        SpecialPrice.order_id.is_(None), SpecialPrice.valid_until > now)).scalars().all()
    key = _name_key(customer_text)
    out: dict[str, SpecialPrice] = {}
    for grant in rows:
        for_customer = (customer_id is not None and grant.customer_id == customer_id) or \
            (grant.customer_id is None and key is not None and _name_key(grant.customer_text) == key)
        if not (grant.number == cited or for_customer):
            continue
        for item in grant.items:
            out.setdefault(item["sku"], grant)
    return out


def _name_key(name: str | None) -> str | None:
    return analyse(name).key if name and name.strip() else None


@dataclass(frozen=True)
class PriceReads:
    """What pricing reads for an order's SKUs: the partner's policy prices and the
    stock (one statement each). Read once, they price other quantities of the
    same SKUs in the same command too (the "change it like this" hint)."""
    policy: dict[str, PolicyPrice]
    stock: dict[str, int]

    def covers(self, products: list[Product]) -> bool:
        return all(p.sku in self.policy for p in products)


def read_prices(s: Session, rules: PricingRules, partner: Partner, products: list[Product]) -> PriceReads:
    stock = {row.sku: row.qty_available for row in s.execute(select(StockLevel).where(
        StockLevel.sku.in_([p.sku for p in products]))).scalars()} if products else {}
    return PriceReads(policy_prices(s, rules, partner, products), stock)


def price_lines(s: Session, rules: PricingRules, partner: Partner, items: list[tuple[Product, int]],
                grants: dict[str, SpecialPrice] | None = None,
                special: dict[str, tuple[Decimal, str]] | None = None,
                reads: PriceReads | None = None) -> list[LineFacts]:
    """``special``: sku → (price, source) already approved for this very order.
    ``reads``: the policy prices and stock this command already read for these SKUs."""
    products = [p for p, _ in items]
    if reads is None or not reads.covers(products):
        reads = read_prices(s, rules, partner, products)
    lines: list[LineFacts] = []
    for product, qty in items:
        pp = reads.policy[product.sku]
        unit, source = pp.price, pp.source
        if special and product.sku in special:
            unit, source = special[product.sku]
        elif grants and product.sku in grants:
            grant = grants[product.sku]
            item = next(i for i in grant.items if i["sku"] == product.sku)
            if item.get("qty") is None or qty <= int(item["qty"]):
                unit, source = money(item["asked_price"]), f"special:{grant.number}"
        lines.append(LineFacts(sku=product.sku, name=product.name, product_line=product.line, qty=qty,
                               moq=product.moq or 1, pack_size=product.pack_size or 1,
                               list_price=money(product.list_price), policy_price=pp.price, unit_price=unit,
                               price_source=source, stock=reads.stock.get(product.sku)))
    return lines


def same_lines(order: Order, lines: list[LineFacts], special_ids: dict[str, int]) -> bool:
    """Whether the order's lines already say exactly this (priced afresh to the
    same figures): then they are kept, not deleted and written again."""
    have = [(ln.sku, ln.name, ln.product_line, ln.qty, money(ln.list_price), money(ln.policy_price),
             money(ln.unit_price), ln.price_source, money(ln.amount_yuan), ln.special_price_id) for ln in order.lines]
    want = [(ln.sku, ln.name, ln.product_line, ln.qty, money(ln.list_price), money(ln.policy_price),
             money(ln.unit_price), ln.price_source, money(ln.amount), special_ids.get(ln.sku)) for ln in lines]
    return have == want


def set_lines(order: Order, lines: list[LineFacts]) -> None:
    """The order's lines and totals, replaced by these."""
    order.lines.clear()
    for i, ln in enumerate(lines):
        order.lines.append(OrderLine(position=i, sku=ln.sku, name=ln.name, product_line=ln.product_line, qty=ln.qty,
                                     list_price=ln.list_price, policy_price=ln.policy_price, unit_price=ln.unit_price,
                                     price_source=ln.price_source, amount_yuan=money(ln.amount),
                                     special_price_id=None))
    order.list_total_yuan = money(sum((ln.list_price * ln.qty for ln in lines), Decimal(0)))
    order.total_yuan = money(sum((ln.amount for ln in lines), Decimal(0)))

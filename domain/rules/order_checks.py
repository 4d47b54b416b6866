"""The order check kinds. Pure functions: facts in, one Verdict out.

Handlers gather the facts (catalog, price list, receivables, open orders,
stock) and call these; wording comes from handlers.common.texts.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.money import json_money
from domain.rules.commerce import OrderRules
from domain.rules.texts import t
from domain.rules.verdict import NEEDS_APPROVAL, PASS, REJECT, WARN, Verdict
from domain.wording import yuan


@dataclass(frozen=True)
class LineFacts:
    sku: str
    name: str
    product_line: str
    qty: int
    moq: int
    pack_size: int
    list_price: Decimal
    policy_price: Decimal
    unit_price: Decimal
    price_source: str
    stock: int | None          # None: no stock loaded for this SKU

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.qty


def qualification(rules: OrderRules, partner_lines: list[str], lines: list[LineFacts], lang="zh") -> Verdict:
    missing = sorted({ln.product_line for ln in lines if ln.product_line not in partner_lines})
    return qualification_of(rules, partner_lines, missing, [ln.sku for ln in lines if ln.product_line in missing],
                            lang)


def qualification_of(rules: OrderRules, partner_lines: list[str], missing: list[str], skus: list[str],
                     lang="zh") -> Verdict:
    """The check on its facts: the lines the partner lacks and the SKUs of them ordered."""
    rid = "order.qualification"
    facts = {"partner_lines": partner_lines, "missing": missing, "skus": skus}
    if not rules.require_qualification or not missing:
        return Verdict(rid, PASS, "QUALIFIED", "", facts)
    return Verdict(rid, REJECT, "NOT_QUALIFIED",
                   t("ov_not_qualified", lang, skus="、".join(facts["skus"]), missing="、".join(missing),
                     held="、".join(partner_lines) or "无"), facts, t("on_not_qualified", lang))


def minimum_quantity(lines: list[LineFacts], lang="zh") -> Verdict:
    rid = "order.moq"
    short = [ln for ln in lines if ln.qty < ln.moq]
    facts = {"below": [{"sku": ln.sku, "qty": ln.qty, "moq": ln.moq} for ln in short]}
    if not short:
        return Verdict(rid, PASS, "MOQ_MET", "", facts)
    what = "；".join(t("ov_moq_line", lang, sku=ln.sku, qty=ln.qty, moq=ln.moq) for ln in short)
    return Verdict(rid, REJECT, "BELOW_MOQ", t("ov_below_moq", lang, lines=what), facts, t("on_below_moq", lang))


def pack_multiple(lines: list[LineFacts], lang="zh") -> Verdict:
    rid = "order.pack"
    odd = [ln for ln in lines if ln.pack_size > 1 and ln.qty % ln.pack_size]
    facts = {"not_multiple": [{"sku": ln.sku, "qty": ln.qty, "pack_size": ln.pack_size,
                               "lower": ln.qty - ln.qty % ln.pack_size,
                               "higher": ln.qty - ln.qty % ln.pack_size + ln.pack_size} for ln in odd]}
    if not odd:
        return Verdict(rid, PASS, "PACK_OK", "", facts)
    what = "；".join(t("ov_pack_line", lang, sku=f["sku"], qty=f["qty"], pack=f["pack_size"],
                       options="、".join(str(q) for q in (f["lower"], f["higher"]) if q > 0))
                     for f in facts["not_multiple"])
    return Verdict(rid, REJECT, "NOT_PACK_MULTIPLE", t("ov_not_pack", lang, lines=what), facts, t("on_not_pack", lang))


def pricing(lines: list[LineFacts], lang="zh") -> Verdict:
    """Never blocks: records which price each line got and why."""
    facts = {"lines": [{"sku": ln.sku, "list_price": json_money(ln.list_price),
                        "policy_price": json_money(ln.policy_price), "unit_price": json_money(ln.unit_price),
                        "source": ln.price_source} for ln in lines]}
    return Verdict("order.price", PASS, "PRICED", "", facts)


@dataclass(frozen=True)
class CreditFacts:
    limit: Decimal | None
    receivables: Decimal
    open_orders: Decimal
    this_order: Decimal

    @property
    def exposure(self) -> Decimal:
        return self.receivables + self.open_orders + self.this_order

    @property
    def available(self) -> Decimal | None:
        return None if self.limit is None else self.limit - self.receivables - self.open_orders


def credit(rules: OrderRules, c: CreditFacts, lang="zh") -> Verdict:
    rid = "order.credit"
    facts = {"limit": json_money(c.limit), "receivables": json_money(c.receivables),
             "open_orders": json_money(c.open_orders), "this_order": json_money(c.this_order),
             "exposure": json_money(c.exposure)}
    if not rules.credit_check:
        return Verdict(rid, PASS, "CREDIT_OFF", "", facts)
    if c.limit is None:
        if rules.no_credit_limit == "allow":
            return Verdict(rid, PASS, "NO_LIMIT_ALLOWED", "", facts)
        return Verdict(rid, REJECT, "NO_CREDIT_LIMIT", t("ov_no_credit_limit", lang), facts, t("on_credit", lang))
    if c.exposure <= c.limit:
        return Verdict(rid, PASS, "WITHIN_CREDIT", "", facts)
    return Verdict(rid, REJECT, "OVER_CREDIT_LIMIT",
                   t("ov_over_credit", lang, exposure=yuan(c.exposure), limit=yuan(c.limit),
                     receivables=yuan(c.receivables), open=yuan(c.open_orders), this=yuan(c.this_order),
                     over=yuan(c.exposure - c.limit),
                     available=yuan(max(c.available, Decimal(0)))),
                   facts, t("on_credit", lang))


def territory(rules: OrderRules, partner_regions: list[str], ship_to: str | None, region: str | None,
              lang="zh") -> Verdict:
    rid = "order.territory"
    facts = {"ship_to": ship_to, "ship_to_region": region, "partner_regions": partner_regions}
    if rules.cross_territory == "allow" or region in partner_regions:
        return Verdict(rid, PASS, "IN_TERRITORY" if region in partner_regions else "CROSS_ALLOWED", "", facts)
    if region is None:
        return Verdict(rid, NEEDS_APPROVAL, "SHIP_TO_REGION_UNKNOWN",
                       t("ov_ship_region_unknown", lang, ship_to=ship_to),
                       facts, approver_role=rules.cross_territory_approver)
    message = t("ov_cross_territory", lang, ship_to=ship_to, region=region, regions="、".join(partner_regions))
    if rules.cross_territory == "reject":
        return Verdict(rid, REJECT, "CROSS_TERRITORY", message, facts, t("on_cross_territory", lang))
    return Verdict(rid, NEEDS_APPROVAL, "CROSS_TERRITORY", message, facts, approver_role=rules.cross_territory_approver)


def stock(rules: OrderRules, lines: list[LineFacts], lang="zh") -> Verdict:
    short = [{"sku": ln.sku, "qty": ln.qty, "available": ln.stock} for ln in lines
             if ln.stock is not None and ln.qty > ln.stock]
    return stock_of(rules, short, [ln.sku for ln in lines if ln.stock is not None], lang)


def stock_of(rules: OrderRules, short: list[dict], checked: list[str], lang="zh") -> Verdict:
    """The check on its facts: the lines short of stock ({sku, qty, available}) and the SKUs checked."""
    rid = "order.stock"
    facts = {"short": short, "checked": checked}
    if rules.stock_check == "off" or not short:
        return Verdict(rid, PASS, "IN_STOCK" if facts["checked"] else "STOCK_UNKNOWN", "", facts)
    what = "；".join(t("ov_stock_line", lang, sku=ln["sku"], qty=ln["qty"], available=ln["available"])
                    for ln in short)
    if rules.stock_check == "reject":
        return Verdict(rid, REJECT, "OUT_OF_STOCK", t("ov_out_of_stock", lang, lines=what), facts, t("on_stock", lang))
    return Verdict(rid, WARN, "LOW_STOCK", t("ov_low_stock", lang, lines=what), facts)

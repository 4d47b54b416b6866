"""Each order check kind of bot/rules/order_checks.py, table-driven: facts and
rules in, one verdict out (outcome, reason code, the facts it names, the
message and the next step)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from domain.rules import order_checks as checks
from domain.rules.commerce import OrderRules
from domain.rules.order_checks import CreditFacts, LineFacts
from domain.rules.verdict import NEEDS_APPROVAL, PASS, REJECT, WARN

ON = OrderRules()


def line(sku="A100", qty=10, product_line="超声", moq=1, pack=1, stock=None, price="83300") -> LineFacts:
    return LineFacts(sku=sku, name=sku, product_line=product_line, qty=qty, moq=moq, pack_size=pack,
                     list_price=Decimal("98000"), policy_price=Decimal(price), unit_price=Decimal(price),
                     price_source="tier:gold", stock=stock)


@pytest.mark.parametrize("rules, held, lines, outcome, code, in_message", [
    (ON, ["超声", "监护"], [line()], PASS, "QUALIFIED", ""),
    (ON, ["监护"], [line()], REJECT, "NOT_QUALIFIED", "A100 属于 超声 产品线，贵司未获授权（已授权：监护）"),
    (ON, [], [line(), line("C300", product_line="呼吸")], REJECT, "NOT_QUALIFIED", "（已授权：无）"),
    (ON, ["超声"], [line(), line("C300", product_line="呼吸")], REJECT, "NOT_QUALIFIED", "C300 属于 呼吸"),
    (OrderRules(require_qualification=False), [], [line()], PASS, "QUALIFIED", ""),
])
def test_qualification(rules, held, lines, outcome, code, in_message):
    v = checks.qualification(rules, held, lines)
    assert (v.rule_id, v.outcome, v.reason_code) == ("order.qualification", outcome, code)
    assert in_message in v.message
    assert v.facts["missing"] == sorted({ln.product_line for ln in lines if ln.product_line not in held})
    assert bool(v.next_step) == (outcome == REJECT)


@pytest.mark.parametrize("lines, outcome, code, below", [
    ([line(qty=1, moq=1)], PASS, "MOQ_MET", []),
    ([line(qty=5, moq=5)], PASS, "MOQ_MET", []),
    ([line(qty=4, moq=5)], REJECT, "BELOW_MOQ", [("A100", 4, 5)]),
    ([line(qty=9, moq=1), line("B200", qty=2, moq=5)], REJECT, "BELOW_MOQ", [("B200", 2, 5)]),
])
def test_minimum_quantity(lines, outcome, code, below):
    v = checks.minimum_quantity(lines)
    assert (v.rule_id, v.outcome, v.reason_code) == ("order.moq", outcome, code)
    assert [(b["sku"], b["qty"], b["moq"]) for b in v.facts["below"]] == below
    for sku, qty, moq in below:
        assert f"{sku} 订 {qty}，起订量 {moq}" in v.message


@pytest.mark.parametrize("lines, outcome, code, odd, options", [
    ([line(qty=7, pack=1)], PASS, "PACK_OK", [], ""),
    ([line(qty=10, pack=5)], PASS, "PACK_OK", [], ""),
    ([line(qty=7, pack=5)], REJECT, "NOT_PACK_MULTIPLE", [(5, 5, 10)], "可订 5、10"),
    ([line(qty=3, pack=5)], REJECT, "NOT_PACK_MULTIPLE", [(0, 5, 5)], "可订 5）"),   # 0 is no option
])
def test_pack_multiple(lines, outcome, code, odd, options):
    v = checks.pack_multiple(lines)
    assert (v.rule_id, v.outcome, v.reason_code) == ("order.pack", outcome, code)
    assert [(f["lower"], f["pack_size"], f["higher"]) for f in v.facts["not_multiple"]] == odd
    assert options in v.message


def credit(limit, receivables=0, open_orders=0, this=0) -> CreditFacts:
    return CreditFacts(limit=Decimal(limit) if limit is not None else None, receivables=Decimal(receivables),
                       open_orders=Decimal(open_orders), this_order=Decimal(this))


@pytest.mark.parametrize("rules, facts, outcome, code, in_message", [
    (ON, credit(3_000_000, 500_000, 0, 2_500_000), PASS, "WITHIN_CREDIT", ""),                 # exactly at the limit
    (ON, credit(3_000_000, 500_000, 1_666_000, 999_600), REJECT, "OVER_CREDIT_LIMIT",
     "应收 ¥50万 + 未发货订单 ¥166.6万 + 本单 ¥99.96万 = ¥316.56万，超出额度（¥300万）¥16.56万；本单最多可订 ¥83.4万"),
    (ON, credit(1_000_000, 1_200_000, 0, 1), REJECT, "OVER_CREDIT_LIMIT", "本单最多可订 ¥0"),     # never negative
    (ON, credit(None, 0, 0, 10), REJECT, "NO_CREDIT_LIMIT", "尚未设置信用额度"),
    (OrderRules(no_credit_limit="allow"), credit(None, 0, 0, 10), PASS, "NO_LIMIT_ALLOWED", ""),
    (OrderRules(credit_check=False), credit(1, 0, 0, 10), PASS, "CREDIT_OFF", ""),
])
def test_credit(rules, facts, outcome, code, in_message):
    v = checks.credit(rules, facts)
    assert (v.rule_id, v.outcome, v.reason_code) == ("order.credit", outcome, code)
    assert in_message in v.message
    assert v.facts["exposure"] == float(facts.receivables + facts.open_orders + facts.this_order)
    assert bool(v.next_step) == (outcome == REJECT)


@pytest.mark.parametrize("rules, region, outcome, code, role", [
    (ON, "北京市", PASS, "IN_TERRITORY", None),
    (ON, "上海市", NEEDS_APPROVAL, "CROSS_TERRITORY", "area_manager"),                    # 窜货
    (OrderRules(cross_territory_approver="director"), "上海市", NEEDS_APPROVAL, "CROSS_TERRITORY", "director"),
    (OrderRules(cross_territory="reject"), "上海市", REJECT, "CROSS_TERRITORY", None),
    (OrderRules(cross_territory="allow"), "上海市", PASS, "CROSS_ALLOWED", None),
    (ON, None, NEEDS_APPROVAL, "SHIP_TO_REGION_UNKNOWN", "area_manager"),
])
def test_territory(rules, region, outcome, code, role):
    v = checks.territory(rules, ["北京市"], "某地某路1号", region)
    assert (v.rule_id, v.outcome, v.reason_code, v.approver_role) == ("order.territory", outcome, code, role)
    assert v.facts == {"ship_to": "某地某路1号", "ship_to_region": region, "partner_regions": ["北京市"]}
    if code == "CROSS_TERRITORY":
        assert "位于 上海市，不在贵司授权区域（北京市）内（窜货）" in v.message


@pytest.mark.parametrize("rules, lines, outcome, code, short, message", [
    (ON, [line(qty=5, stock=None)], PASS, "STOCK_UNKNOWN", [], ""),          # no stock loaded: not checked
    (ON, [line(qty=5, stock=5)], PASS, "IN_STOCK", [], ""),
    (ON, [line(qty=6, stock=5)], WARN, "LOW_STOCK", [("A100", 6, 5)], "库存不足，可能延迟发货：A100 订 6，现有库存 5"),
    (OrderRules(stock_check="reject"), [line(qty=6, stock=5)], REJECT, "OUT_OF_STOCK", [("A100", 6, 5)],
     "库存不足：A100 订 6，现有库存 5"),
    (OrderRules(stock_check="off"), [line(qty=6, stock=5)], PASS, "IN_STOCK", [("A100", 6, 5)], ""),
])
def test_stock(rules, lines, outcome, code, short, message):
    v = checks.stock(rules, lines)
    assert (v.rule_id, v.outcome, v.reason_code) == ("order.stock", outcome, code)
    assert [(f["sku"], f["qty"], f["available"]) for f in v.facts["short"]] == short
    assert (message in v.message) and (v.message == "") == (message == "")


def test_pricing_never_blocks_and_records_each_lines_source():
    v = checks.pricing([line(), line("B200", price="10200")])
    assert (v.rule_id, v.outcome, v.reason_code) == ("order.price", PASS, "PRICED")
    assert [(f["sku"], f["unit_price"], f["source"]) for f in v.facts["lines"]] == \
        [("A100", 83300.0, "tier:gold"), ("B200", 10200.0, "tier:gold")]

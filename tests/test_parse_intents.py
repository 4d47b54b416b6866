"""Tests for bot.nlp, the free-text message parser: orders, special prices,
the other intents (visits, queries, help, amend/withdraw/extend, aliases) and
product catalogs.

Cases are tables of (message, expected fields); see parse_helpers.check.
"""
from __future__ import annotations

from typing import Any

import pytest

from bot.nlp import Catalog, DefaultCatalog, parse_message
from tests.parse_helpers import TODAY, check


# --- orders ----------------------------------------------------------------
ORDER_CASES: list[tuple[str, dict[str, Any]]] = [
    ("订货 A100*20 B200*5", {"items": [["A100", 20], ["B200", 5]], "products": []}),
    ("下单 A100 x 20, B200 x 5", {"items": [["A100", 20], ["B200", 5]]}),
    ("订货：A100 20台；B200 5台", {"items": [["A100", 20], ["B200", 5]]}),
    ("补货 B200 十台", {"items": [["B200", 10]]}),
    ("订货 A100×3", {"items": [["A100", 3]]}),
    ("订货 A100x3", {"items": [["A100", 3]]}),
    ("订货\na100 20\nb200 5", {"items": [["A100", 20], ["B200", 5]]}),
    ("订购 a100*2", {"items": [["A100", 2]]}),
    ("order A100*3, B200*4", {"items": [["A100", 3], ["B200", 4]]}),
    ("下单 A100 20套 B200 三箱", {"items": [["A100", 20], ["B200", 3]]}),
    ("订货 两台A100", {"items": [["A100", 2]]}),
    ("订货 A100*20\n收货地址：北京市朝阳区建国路88号",
     {"items": [["A100", 20]], "note": "北京市朝阳区建国路88号"}),
    ("订货\nA100 20\nB200 5\n送到 北京市海淀区中关村大街1号",
     {"items": [["A100", 20], ["B200", 5]], "note": "北京市海淀区中关村大街1号"}),
    ("订货 A100*20 地址：上海市浦东新区张江路100号 备注 加急",
     {"items": [["A100", 20]], "note": "上海市浦东新区张江路100号；加急"}),
    ("订货 A100*20 B200*5 备注：加急", {"items": [["A100", 20], ["B200", 5]], "note": "加急"}),
    ("订货 A100", {"items": [], "products": [("A100", None, None)]}),
    ("我的订单", {"action": "my_orders", "items": []}),
    ("my orders", {"action": "my_orders"}),
]


@pytest.mark.parametrize("text,expect", ORDER_CASES)
def test_order(text: str, expect: dict[str, Any]) -> None:
    check(parse_message(text, today=TODAY), {"intent": "order", **expect})


# --- special price ------------------------------------------------------------
SPECIAL_CASES: list[tuple[str, dict[str, Any]]] = [
    ("特价 D400 单价 8500 客户 青岛大学附属医院 原因 竞品",
     {"products": [("D400", None, None)], "items": [], "unit_price": 8500,
      "customer": "青岛大学附属医院", "note": "竞品", "discount": None}),
    ("特价申请 订单 SO20261123-0001 A100 单价 9800 理由：竞品报价低",
     {"ref": "SO20261123-0001", "products": [("A100", None, None)], "unit_price": 9800,
      "note": "竞品报价低"}),
    ("申请特价 A100 8折 客户北京协和医院 原因 招标限价",
     {"discount": 0.8, "customer": "北京协和医院", "note": "招标限价", "products": [("A100", None, None)]}),
    ("特价 A100*10 单价 9800", {"items": [["A100", 10]], "products": [("A100", None, 10)], "unit_price": 9800}),
    ("特价 A100 九五折 北京协和医院", {"discount": 0.95, "customer": "北京协和医院"}),
    ("特价 A100 85折", {"discount": 0.85}),
    ("特价 A100 七折", {"discount": 0.7}),
    ("特价申请 A100 折扣 0.85 客户:北京协和医院", {"discount": 0.85, "customer": "北京协和医院"}),
    ("special price A100 20% off customer: Peking Union Hospital reason: tender",
     {"discount": 0.8, "customer": "Peking Union Hospital", "note": "tender"}),
    ("特价 A100 9800 竞品压价", {"unit_price": 9800, "note": "竞品压价", "customer": None}),
    ("特价 A100 单价9800元 北京协和医院", {"unit_price": 9800, "customer": "北京协和医院"}),
]


@pytest.mark.parametrize("text,expect", SPECIAL_CASES)
def test_special_price(text: str, expect: dict[str, Any]) -> None:
    check(parse_message(text, today=TODAY), {"intent": "special_price", **expect})


# --- other intents -------------------------------------------------------------
INTENT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("签到", {"intent": "checkin", "customer": None}),
    ("签到 北京协和医院 设备科", {"intent": "checkin", "customer": "北京协和医院", "department": "设备科"}),
    ("签退 北京协和医院", {"intent": "checkout", "customer": "北京协和医院"}),
    ("check in Peking Union Hospital", {"intent": "checkin", "customer": "Peking Union Hospital"}),
    ("check-in Peking Union Hospital", {"intent": "checkin", "customer": "Peking Union Hospital"}),
    ("checkin", {"intent": "checkin"}),
    ("checkout", {"intent": "checkout"}),
    ("check out", {"intent": "checkout"}),
    ("拜访小结 见了设备科李科长，预算已批", {"intent": "visit_note", "note": "见了设备科李科长,预算已批"}),
    ("小结：北京协和医院 设备科王主任同意下月招标",
     {"intent": "visit_note", "customer": "北京协和医院", "note": "北京协和医院 设备科王主任同意下月招标"}),
    ("拜访记录 今天见了院长", {"intent": "visit_note", "note": "今天见了院长", "close_date": None}),
    ("visit note met Dr Wang", {"intent": "visit_note", "note": "met Dr Wang"}),
    ("查询 RG20261123-0001", {"intent": "query", "ref": "RG20261123-0001", "customer": None}),
    ("查 北京协和医院", {"intent": "query", "customer": "北京协和医院"}),
    ("查一下 北京协和医院", {"intent": "query", "customer": "北京协和医院"}),
    ("query Peking Union Medical College Hospital",
     {"intent": "query", "customer": "Peking Union Medical College Hospital"}),
    ("我的报备", {"intent": "query", "action": "mine"}),
    ("查询 我的报备", {"intent": "query", "action": "mine"}),
    ("我的商机", {"intent": "query", "action": "mine"}),
    ("my deals", {"intent": "query", "action": "mine"}),
    ("My Registrations", {"intent": "query", "action": "mine"}),
    ("帮助", {"intent": "help"}),
    ("help", {"intent": "help"}),
    ("HELP", {"intent": "help"}),
    ("?", {"intent": "help"}),
    ("？", {"intent": "help"}),
    ("菜单", {"intent": "help"}),
    ("怎么用", {"intent": "help"}),
    ("你好", {"intent": "help"}),
    ("您好！", {"intent": "help"}),
    ("hi", {"intent": "help"}),
    ("@渠道助手", {"intent": "unknown"}),
    ("", {"intent": "unknown"}),
    ("   \n  ", {"intent": "unknown"}),
    ("今天天气不错", {"intent": "unknown"}),
    ("北京协和医院 彩超 80万", {"intent": "unknown", "customer": None}),
    ("客户：北京协和医院", {"intent": "unknown"}),
    ("regular check", {"intent": "unknown"}),
    ("修改 RG20261123-0001 金额 90万 明年1月",
     {"intent": "register", "action": "amend", "ref": "RG20261123-0001", "amount_yuan": 900000,
      "close_date": "2027-01-31", "missing": []}),
    ("修改报备 RG20261123-0001 产品 监护仪 3台",
     {"intent": "register", "action": "amend", "products": [("监护仪", None, 3)]}),
    ("amend RG20261123-0001 1.5m", {"intent": "register", "action": "amend", "amount_yuan": 1500000}),
    ("撤销 RG20261123-0001 客户取消采购",
     {"intent": "register", "action": "withdraw", "ref": "RG20261123-0001", "note": "客户取消采购"}),
    ("撤回 RG20261123-0001", {"intent": "register", "action": "withdraw", "ref": "RG20261123-0001", "note": None}),
    ("撤销报备 rg20261123-0002", {"intent": "register", "action": "withdraw", "ref": "RG20261123-0002"}),
    ("延期 RG20261123-0001 理由：招标推迟",
     {"intent": "register", "action": "extend", "ref": "RG20261123-0001", "note": "招标推迟"}),
    ("延期 RG20261123-0001 客户招标推迟到明年3月",
     {"intent": "register", "action": "extend", "close_date": "2027-03-31", "note": "客户招标推迟到明年3月"}),
    ("申请延期 RG20261123-0001", {"intent": "register", "action": "extend", "ref": "RG20261123-0001"}),
    ("别名 协和 = 北京协和医院", {"intent": "unknown", "action": "alias", "customer": "北京协和医院", "note": "协和"}),
    ("别名：协和->北京协和医院", {"intent": "unknown", "action": "alias", "customer": "北京协和医院", "note": "协和"}),
    ("别名 协和＝北京协和医院", {"intent": "unknown", "action": "alias", "customer": "北京协和医院", "note": "协和"}),
    ("别名 北京协和医院 协和", {"intent": "unknown", "action": "alias", "customer": "北京协和医院", "note": "协和"}),
    ("alias PUMCH = Peking Union Medical College Hospital",
     {"intent": "unknown", "action": "alias", "customer": "Peking Union Medical College Hospital", "note": "PUMCH"}),
]


@pytest.mark.parametrize("text,expect", INTENT_CASES)
def test_intents(text: str, expect: dict[str, Any]) -> None:
    check(parse_message(text, today=TODAY), expect)


# --- catalogs -------------------------------------------------------------------
class ShopCatalog:
    """A caller's catalog with real SKUs."""

    _map = {"彩超": "A100", "a100": "A100", "监护仪": "B200", "b200": "B200", "d400": "D400"}

    def sku_for_word(self, word: str) -> str | None:
        return self._map.get(word.lower())

    def product_words(self) -> list[str]:
        return ["彩超", "监护仪", "A100", "B200", "D400"]


class BrokenCatalog:
    def sku_for_word(self, word: str) -> str | None:
        raise RuntimeError("db down")

    def product_words(self) -> list[str]:
        raise RuntimeError("db down")


CATALOG_CASES: list[tuple[str, dict[str, Any]]] = [
    ("报备 北京协和医院 彩超2台 80万", {"products": [("彩超", "A100", 2)]}),
    ("报备 北京协和医院 a100 2台 80万", {"products": [("A100", "A100", 2)]}),
    ("订货 彩超*2 B200 5", {"items": [["A100", 2], ["B200", 5]]}),
    ("特价 D400 单价 8500", {"products": [("D400", "D400", None)], "unit_price": 8500}),
    ("报备 北京协和医院 X999 1台 10万", {"products": [("X999", None, 1)]}),
]


@pytest.mark.parametrize("text,expect", CATALOG_CASES)
def test_caller_catalog(text: str, expect: dict[str, Any]) -> None:
    check(parse_message(text, today=TODAY, catalog=ShopCatalog()), expect)


def test_default_catalog() -> None:
    cat = DefaultCatalog()
    assert isinstance(cat, Catalog)
    assert cat.sku_for_word("彩超") is None
    assert cat.sku_for_word("未知设备") is None
    words = set(cat.product_words())
    assert {"彩超", "超声", "B超", "监护仪", "呼吸机", "CT", "MRI", "核磁", "DR", "内镜", "麻醉机",
            "输液泵", "除颤仪"} <= words
    extra = DefaultCatalog({"彩超": "a100", "X光": None})
    assert extra.sku_for_word("彩超") == "A100"
    assert extra.sku_for_word(" 彩超 ") == "A100"
    assert "X光" in set(extra.product_words())


def test_broken_catalog_does_not_break_parsing() -> None:
    parsed = parse_message("报备 北京协和医院 A100 2台 80万", today=TODAY, catalog=BrokenCatalog())
    check(parsed, {"intent": "register", "customer": "北京协和医院", "products": [("A100", None, 2)],
                   "amount_yuan": 800000})

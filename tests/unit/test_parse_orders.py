"""The parser on orders and special prices, and with the caller's product catalog.

Cases are tables of (message, expected fields); see parse_helpers.check.
"""
from __future__ import annotations

from typing import Any

import pytest

from bot.language import parse_message
from domain.language import Catalog, DefaultCatalog
from tests.support.parsing import TODAY, check

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
    # the end customer, labelled or recognised by its name; addresses stay in note
    ("订货 A100*2 客户：北京协和医院", {"action": None, "items": [["A100", 2]], "customer": "北京协和医院"}),
    ("订货 A100*2 北京协和医院", {"items": [["A100", 2]], "customer": "北京协和医院", "note": None}),
    ("订货 A100*2 北京协和医院 送到 北京市海淀区中关村大街1号",
     {"items": [["A100", 2]], "customer": "北京协和医院", "note": "北京市海淀区中关村大街1号"}),
    ("订货\nA100 20\n送到 北京市海淀区中关村大街1号", {"customer": None, "note": "北京市海淀区中关村大街1号"}),
    # a special-price number cited by the order; 特价 inside the body keeps it an order
    ("订货 A100*10 特价 SP20261202-0003", {"action": None, "items": [["A100", 10]], "ref": "SP20261202-0003"}),
    ("订货 A100*10 特价SP20261202-0003 客户 北京协和医院",
     {"items": [["A100", 10]], "ref": "SP20261202-0003", "customer": "北京协和医院"}),
    ("下单 特价 SP20261202-0003 A100*10", {"items": [["A100", 10]], "ref": "SP20261202-0003"}),
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
    ("申请特价 A100*10 单价9000 客户 北京协和医院 理由 招标",
     {"items": [["A100", 10]], "unit_price": 9000, "customer": "北京协和医院", "note": "招标", "discount": None}),
    ("特价 SO20261202-0001 A100 9500 竞品压价",
     {"ref": "SO20261202-0001", "products": [("A100", None, None)], "unit_price": 9500, "note": "竞品压价",
      "customer": None}),
    ("特价申请 订单 SO20261202-0001 A100 单价 9800 理由：竞品报价低",
     {"action": None, "ref": "SO20261202-0001", "unit_price": 9800, "note": "竞品报价低"}),
    ("我的特价", {"action": "mine", "ref": None}),
    ("我的特价申请", {"action": "mine"}),
    ("my special prices", {"action": "mine"}),
]


@pytest.mark.parametrize("text,expect", SPECIAL_CASES)
def test_special_price(text: str, expect: dict[str, Any]) -> None:
    check(parse_message(text, today=TODAY), {"intent": "special_price", **expect})



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


@pytest.mark.parametrize("text, address, remark", [
    ("订货 A100*20 地址：上海市浦东新区张江路100号 备注 加急", "上海市浦东新区张江路100号", "加急"),
    ("订货 A100*20\n收货地址：北京市朝阳区建国路88号", "北京市朝阳区建国路88号", None),
    ("订货 A100*20 B200*5 备注：加急", None, "加急"),
    ("订货 A100*20", None, None),
])
def test_orders_keep_the_ship_to_apart_from_the_remark(text, address, remark):
    parsed = parse_message(text, today=TODAY)
    assert (parsed.address, parsed.remark) == (address, remark)

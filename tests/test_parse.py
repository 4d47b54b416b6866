"""Tests for bot.nlp: the free-text message parser.

Cases are tables of (message, expected fields). Only the fields named in an
expectation are compared, so each row states exactly what it is about.
"""
from __future__ import annotations

import json
import random
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.nlp import (
    Catalog,
    DefaultCatalog,
    OrderItem,
    Parsed,
    ProductMention,
    parse_amount,
    parse_close_date,
    parse_message,
)
from bot.nlp.schema import ACTIONS, INTENTS

TODAY = date(2026, 11, 23)  # a Monday
DEV_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "parse_dev.jsonl"


def check(parsed: Parsed, expect: dict[str, Any]) -> None:
    """Compare the named fields of ``parsed`` with ``expect``.

    items: [[sku, qty], ...]; products: [(word, sku, qty), ...];
    close_date: ISO string or None; intent may be a list of allowed values;
    missing_contains: items that must be in ``missing``.
    """
    for key, want in expect.items():
        if key == "intent" and isinstance(want, list):
            assert parsed.intent in want
        elif key == "items":
            assert [[i.sku, i.qty] for i in parsed.items] == [list(w) for w in want]
        elif key == "products":
            assert [(p.word, p.sku, p.qty) for p in parsed.products] == [tuple(w) for w in want]
        elif key == "close_date":
            assert parsed.close_date == (date.fromisoformat(want) if want else None)
        elif key in ("amount_yuan", "unit_price", "discount"):
            got = getattr(parsed, key)
            if want is None:
                assert got is None
            else:
                assert got == pytest.approx(want)
        elif key == "missing_contains":
            for item in want:
                assert item in parsed.missing
        else:
            assert getattr(parsed, key) == want, key


# --- the shared dev sample, copied so the suite does not depend on the file ---
DEV_CASES: list[tuple[str, dict[str, Any]]] = [
    ("报备 客户:青岛大学附属医院 产品:监护仪 金额:60万",
     {"intent": "register", "customer": "青岛大学附属医院", "amount_yuan": 600000}),
    ("报备 西安交通大学第一附属医院 超声科 彩超 1台 150万 明年2月",
     {"intent": "register", "customer": "西安交通大学第一附属医院", "amount_yuan": 1500000}),
    ("登记商机：海南省人民医院，呼吸机，预算二十万",
     {"intent": "register", "customer": "海南省人民医院", "amount_yuan": 200000}),
    ("报备 中兴通讯股份有限公司 金额 1.5亿",
     {"intent": "register", "customer": "中兴通讯股份有限公司", "amount_yuan": 150000000}),
    ("报备\n客户：苏州市立医院\n金额：88万元",
     {"intent": "register", "customer": "苏州市立医院", "amount_yuan": 880000}),
    ("订货 D400*10 E500*2", {"intent": "order", "items": [["D400", 10], ["E500", 2]]}),
    ("下单：D400 10台，E500 2台", {"intent": "order", "items": [["D400", 10], ["E500", 2]]}),
    ("订货 D400 x 5", {"intent": "order", "items": [["D400", 5]]}),
    ("特价 D400 单价 8500 客户 青岛大学附属医院 原因 竞品", {"intent": "special_price"}),
    ("签到 青岛大学附属医院", {"intent": "checkin", "customer": "青岛大学附属医院"}),
    ("签退", {"intent": "checkout"}),
    ("拜访小结 见了设备科李科长，预算已批", {"intent": "visit_note"}),
    ("查询 海南省人民医院", {"intent": "query", "customer": "海南省人民医院"}),
    ("?", {"intent": ["help", "unknown"]}),
]


@pytest.mark.parametrize("text,expect", DEV_CASES)
def test_dev_cases_copied(text: str, expect: dict[str, Any]) -> None:
    check(parse_message(text, today=TODAY), expect)


def _dev_file_cases() -> list[tuple[str, dict[str, Any]]]:
    if not DEV_FILE.exists():
        return []
    rows = []
    for line in DEV_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append((row["text"], row["expect"]))
    return rows


def test_dev_file() -> None:
    if not DEV_FILE.exists():
        pytest.skip(f"shared dev sample not present at {DEV_FILE}")
    cases = _dev_file_cases()
    assert cases, "dev sample file is empty"
    for text, expect in cases:
        check(parse_message(text, today=TODAY), expect)


# --- registrations -------------------------------------------------------
REGISTER_CASES: list[tuple[str, dict[str, Any]]] = [
    ("报备 北京协和医院 心内科 彩超2台 80万 12月底签",
     {"intent": "register", "action": None, "customer": "北京协和医院", "department": "心内科",
      "products": [("彩超", None, 2)], "amount_yuan": 800000, "close_date": "2026-12-31", "missing": []}),
    ("报个单：天津医科大学总医院，监护仪10台，预算120万左右",
     {"intent": "register", "customer": "天津医科大学总医院", "products": [("监护仪", None, 10)],
      "amount_yuan": 1200000, "missing": []}),
    ("报备 客户:青岛大学附属医院 产品:监护仪 金额:60万",
     {"customer": "青岛大学附属医院", "products": [("监护仪", None, None)], "amount_yuan": 600000}),
    ("报备 西安交通大学第一附属医院 超声科 彩超 1台 150万 明年2月",
     {"department": "超声科", "products": [("彩超", None, 1)], "close_date": "2027-02-28"}),
    ("登记商机：海南省人民医院，呼吸机，预算二十万",
     {"customer": "海南省人民医院", "products": [("呼吸机", None, None)], "amount_yuan": 200000}),
    ("报备 中兴通讯股份有限公司 金额 1.5亿",
     {"customer": "中兴通讯股份有限公司", "amount_yuan": 150000000, "missing": ["product"]}),
    ("register Peking Union Medical College Hospital ultrasound 800k end of Dec",
     {"intent": "register", "customer": "Peking Union Medical College Hospital",
      "products": [("ultrasound", None, None)], "amount_yuan": 800000, "close_date": "2026-12-31"}),
    ("报备 福建医科大学附属协和医院（福建省协和医院） 彩超 100万",
     {"customer": "福建医科大学附属协和医院(福建省协和医院)", "amount_yuan": 1000000}),
    ("报备 联想（北京）有限公司 DR 2台 50W",
     {"customer": "联想(北京)有限公司", "products": [("DR", None, 2)], "amount_yuan": 500000}),
    ("报备 协和医院 (东单院区) 彩超 80万", {"customer": "协和医院(东单院区)", "amount_yuan": 800000}),
    ("报备 80万 北京协和医院 彩超",
     {"customer": "北京协和医院", "products": [("彩超", None, None)], "amount_yuan": 800000}),
    ("報備 北京協和醫院 彩超 80萬",
     {"intent": "register", "customer": "北京协和医院", "amount_yuan": 800000}),
    ("報備 臺北榮民總醫院 監護儀 3台 50萬",
     {"customer": "台北荣民总医院", "products": [("监护仪", None, 3)], "amount_yuan": 500000}),
    ("报备 北京协和医院 彩超 ８０万", {"amount_yuan": 800000}),
    ("ＲＥＧＩＳＴＥＲ 北京协和医院 彩超 ８０万", {"intent": "register", "amount_yuan": 800000}),
    ("@渠道助手 报备 北京协和医院 彩超 80万", {"intent": "register", "customer": "北京协和医院"}),
    ("@渠道助手报备 北京协和医院 彩超 80万", {"intent": "register", "customer": "北京协和医院"}),
    ("@张三 @渠道助手\u2005报备 北京协和医院 彩超 80万", {"intent": "register", "customer": "北京协和医院"}),
    ("报备 北京协和医院 彩超", {"customer": "北京协和医院", "missing": ["amount"]}),
    ("报备 彩超 80万", {"customer": None, "missing": ["customer"]}),
    ("报备", {"intent": "register", "missing": ["customer", "product", "amount"]}),
    ("报备 北京协和医院 80万", {"missing": ["product"]}),
    ("报备北京协和医院彩超80万",
     {"customer": "北京协和医院", "products": [("彩超", None, None)], "amount_yuan": 800000}),
    ("报备 北京协和医院心内科 彩超x2 约80万 下月底",
     {"customer": "北京协和医院", "department": "心内科", "products": [("彩超", None, 2)],
      "amount_yuan": 800000, "close_date": "2026-12-31"}),
    ("报备\n客户名称：上海市第六人民医院\n科室：放射科\n设备：DR\n数量：2\n预算：300万\n预计签约：2027年3月\n备注：竞品是GE",
     {"customer": "上海市第六人民医院", "department": "放射科", "products": [("DR", None, 2)],
      "amount_yuan": 3000000, "close_date": "2027-03-31", "note": "竞品是GE", "missing": []}),
    ("报备 客户 青岛大学附属医院 预算 100 万",
     {"customer": "青岛大学附属医院", "amount_yuan": 1000000, "missing": ["product"]}),
    ("报备 协和 彩超 80万", {"customer": "协和", "amount_yuan": 800000}),
    ("报备 北京协和医院 2台彩超 1,200,000元", {"products": [("彩超", None, 2)], "amount_yuan": 1200000}),
    ("报备 北京协和医院 彩超 ¥1,200,000", {"amount_yuan": 1200000}),
    ("报备 北京协和医院 彩超 一百二十万 Q1", {"amount_yuan": 1200000, "close_date": "2027-03-31"}),
    ("报备 北京协和医院 彩超 0.8亿 年底", {"amount_yuan": 80000000, "close_date": "2026-12-31"}),
    ("报备 北京协和医院 彩超 1200000", {"amount_yuan": 1200000}),
    ("报备 北京协和医院 A100 2台 120万", {"products": [("A100", None, 2)], "amount_yuan": 1200000}),
    ("登记 上海市第六人民医院 呼吸科 呼吸机 3台 预算 90万 2027年3月",
     {"customer": "上海市第六人民医院", "department": "呼吸科", "products": [("呼吸机", None, 3)],
      "amount_yuan": 900000, "close_date": "2027-03-31"}),
    ("报备 北京协和医院 彩超 80万 12月15号", {"close_date": "2026-12-15"}),
    ("报备 北京协和医院 超声诊断仪 1台 三十万",
     {"products": [("超声诊断仪", None, 1)], "amount_yuan": 300000}),
    ("报备 北京协和医院 彩超 2027-01-15 80万", {"amount_yuan": 800000, "close_date": "2027-01-15"}),
    ("报备 北京协和医院 彩超 2 台 80 万", {"products": [("彩超", None, 2)], "amount_yuan": 800000}),
    ("报备 北京协和医院 彩超、监护仪各1台 100万",
     {"products": [("彩超", None, 1), ("监护仪", None, 1)], "amount_yuan": 1000000}),
    ("报备 北京协和医院 彩超 监护仪 3台 100万", {"products": [("彩超", None, None), ("监护仪", None, 3)]}),
    ("商机报备：北京大学人民医院；超声科；彩超；50w；明年3月底",
     {"customer": "北京大学人民医院", "department": "超声科", "amount_yuan": 500000,
      "close_date": "2027-03-31"}),
    ("新商机 南京鼓楼医院 呼吸机 5台 二十五万",
     {"customer": "南京鼓楼医院", "products": [("呼吸机", None, 5)], "amount_yuan": 250000}),
    ("reg Foo Hospital monitor 2 units 1.2m Q1",
     {"customer": "Foo Hospital", "products": [("monitor", None, 2)], "amount_yuan": 1200000,
      "close_date": "2027-03-31"}),
    ("register customer: Peking Union Hospital product: ultrasound budget 1.2m close date: 2027-01-15",
     {"customer": "Peking Union Hospital", "products": [("ultrasound", None, None)],
      "amount_yuan": 1200000, "close_date": "2027-01-15"}),
    ("我要报备 北京协和医院 彩超 80万", {"intent": "register", "customer": "北京协和医院"}),
    ("【报备】北京协和医院 彩超 80万", {"intent": "register", "customer": "北京协和医院"}),
    ("你好，报备 北京协和医院 彩超 80万", {"intent": "register", "amount_yuan": 800000}),
    ("王经理：报备 北京协和医院 彩超 80万", {"intent": "register", "customer": "北京协和医院"}),
    ("报备 北京301医院 CT 1台 500万",
     {"customer": "北京301医院", "products": [("CT", None, 1)], "amount_yuan": 5000000}),
    ("报单 浙江大学医学院附属第一医院 核磁 1套 1500万 下半年",
     {"customer": "浙江大学医学院附属第一医院", "products": [("核磁", None, 1)],
      "amount_yuan": 15000000, "close_date": "2026-12-31"}),
    ("报备 北京协和医院 彩超 100多万", {"amount_yuan": 1000000}),
    ("报备 青岛大学附属医院 设备科 彩超 100万 下个月",
     {"department": "设备科", "close_date": "2026-12-31"}),
    ("报备 北京协和医院 彩超 80万 备注 客户很急，要求12月前装机",
     {"note": "客户很急,要求12月前装机", "close_date": None, "amount_yuan": 800000}),
    ("报备 华西医院 彩超 80万 2027年",
     {"customer": "华西医院", "close_date": "2027-12-31"}),
    ("报备 北京协和医院 彩超 80万 十二月", {"close_date": "2026-12-31"}),
]


@pytest.mark.parametrize("text,expect", REGISTER_CASES)
def test_register(text: str, expect: dict[str, Any]) -> None:
    expect = {"intent": "register", **expect}
    check(parse_message(text, today=TODAY), expect)


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


# --- amounts on their own ---------------------------------------------------------
AMOUNT_CASES: list[tuple[str, float | None]] = [
    ("80万", 800000), ("80万元", 800000), ("80 万", 800000), ("三十万", 300000), ("二十万", 200000),
    ("一百二十万", 1200000), ("50W", 500000), ("50w", 500000), ("0.8亿", 80000000), ("1.5亿", 150000000),
    ("1,200,000", 1200000), ("1200000元", 1200000), ("¥1,200,000", 1200000), ("￥5000", 5000),
    ("120万左右", 1200000), ("约120万", 1200000), ("预算120万", 1200000), ("800k", 800000), ("1.2m", 1200000),
    ("1.5 million", 1500000), ("100多万", 1000000), ("1亿2000万", 120000000), ("一点五亿", 150000000),
    ("５０万", 500000), ("80萬", 800000), ("5000", 5000), ("八十八万元", 880000),
    ("2台", None), ("10套", None), ("12月", None), ("2027-01-15", None), ("A100", None), ("500", None),
    ("2027", None), ("13800138000", None), ("1000mm", None), ("8折", None), ("", None), ("没有金额", None),
]


@pytest.mark.parametrize("text,expect", AMOUNT_CASES)
def test_parse_amount(text: str, expect: float | None) -> None:
    got = parse_amount(text)
    if expect is None:
        assert got is None
    else:
        assert got == pytest.approx(expect)


# --- closing dates on their own ---------------------------------------------------
DATE_CASES: list[tuple[str, date, str | None]] = [
    ("12月底", TODAY, "2026-12-31"), ("12月", TODAY, "2026-12-31"), ("12月15日", TODAY, "2026-12-15"),
    ("12月15号", TODAY, "2026-12-15"), ("１２月底", TODAY, "2026-12-31"), ("2027-01-15", TODAY, "2027-01-15"), ("2027/1/15", TODAY, "2027-01-15"),
    ("2027年1月", TODAY, "2027-01-31"), ("2027年1月5日", TODAY, "2027-01-05"), ("明年2月", TODAY, "2027-02-28"),
    ("明年3月底", TODAY, "2027-03-31"), ("年底", TODAY, "2026-12-31"), ("下个月", TODAY, "2026-12-31"),
    ("下月底", TODAY, "2026-12-31"), ("月底", TODAY, "2026-11-30"), ("下周", TODAY, "2026-12-06"),
    ("下周三", TODAY, "2026-12-02"), ("end of Dec", TODAY, "2026-12-31"), ("Dec 15", TODAY, "2026-12-15"),
    ("Q1", TODAY, "2027-03-31"), ("Q4", TODAY, "2026-12-31"), ("一季度", TODAY, "2027-03-31"),
    ("2027Q2", TODAY, "2027-06-30"), ("11月15日", TODAY, "2027-11-15"), ("11月", TODAY, "2026-11-30"),
    ("十二月", TODAY, "2026-12-31"), ("3月初", TODAY, "2027-03-10"), ("三个月内", TODAY, "2027-02-23"),
    ("next month", TODAY, "2026-12-31"), ("end of month", TODAY, "2026-11-30"), ("12/31", TODAY, "2026-12-31"),
    ("上半年", TODAY, "2027-06-30"), ("明年年底", TODAY, "2027-12-31"), ("明天", TODAY, "2026-11-24"),
    ("2月", date(2026, 3, 10), "2027-02-28"), ("12月", date(2026, 3, 10), "2026-12-31"),
    ("Q1", date(2026, 2, 1), "2026-03-31"), ("年底", date(2026, 12, 31), "2026-12-31"),
    ("下个月", date(2026, 12, 5), "2027-01-31"), ("明年2月", date(2027, 6, 1), "2028-02-29"),
    ("2月30日", TODAY, None), ("没有日期", TODAY, None), ("A100*20", TODAY, None), ("80万", TODAY, None),
    ("may I ask", TODAY, None), ("", TODAY, None),
]


@pytest.mark.parametrize("text,today,expect", DATE_CASES)
def test_parse_close_date(text: str, today: date, expect: str | None) -> None:
    assert parse_close_date(text, today) == (date.fromisoformat(expect) if expect else None)


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


# --- contract and robustness ---------------------------------------------------------
def test_result_types() -> None:
    parsed = parse_message("特价 A100*10 单价 9800", today=TODAY)
    assert isinstance(parsed, Parsed)
    assert parsed.items == [OrderItem("A100", 10)]
    assert parsed.products == [ProductMention("A100", None, 10)]
    assert parsed.intent in INTENTS
    assert parse_message("我的订单").action in ACTIONS


def test_today_defaults_to_current_date() -> None:
    parsed = parse_message("报备 北京协和医院 彩超 80万 年底")
    assert parsed.close_date == date(date.today().year, 12, 31)


@pytest.mark.parametrize("value", [None, 123, b"\xe6\x8a\xa5\xe5\xa4\x87", ["报备"], 4.5])
def test_non_text_input(value: Any) -> None:
    assert parse_message(value, today=TODAY).intent == "unknown"  # type: ignore[arg-type]


def test_fuzz_random_text_never_raises() -> None:
    rng = random.Random(20261123)
    alphabet = ("报备订货下单特价签到签退拜访小结查询别名延期撤销修改 北京协和医院心内科彩超监护仪台套个万亿元"
                "0123456789,.;:：，、（）()@#*xX×年月日号底周季Q客户金额单价原因地址\n\t¥$%折")
    for i in range(400):
        if i % 2:
            text = "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.choice([1, 5, 50, 500])))
        else:
            text = "".join(rng.choice(alphabet) for _ in range(rng.choice([1, 5, 50, 500])))
        parsed = parse_message(text, today=TODAY)
        assert isinstance(parsed, Parsed)
        assert parsed.intent in INTENTS
        assert parsed.action is None or parsed.action in ACTIONS


LONG_INPUTS = [
    "报备 " + "1" * 10000,
    "报备 " + "1," * 5000,
    "报备 " + "一" * 10000,
    "报備 " + "醫" * 10000,
    "订货 " + "A100 " * 2000,
    "订货 A" + "1" * 10000,
    "报备 " + "北京协和医院 " * 1400,
    "报备 " + "12月" * 3000,
    "报备 " + "客户:" * 3000,
    "报备 " + "end of " * 1500,
    "报备 " + "((" * 5000,
    "报备 " + "a " * 5000,
    "拜访小结 " + "见了设备科李科长，" * 1000,
    "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(10000)),
]


@pytest.mark.parametrize("text", LONG_INPUTS, ids=[f"long{i}" for i in range(len(LONG_INPUTS))])
def test_long_input_does_not_hang(text: str) -> None:
    parse_message("报备 北京協和医院 彩超 八十万", today=TODAY)  # warm up lazy converters
    best = min(_timed(text) for _ in range(3))
    # A hang guard, not a speed claim: a super-linear regex takes many seconds on
    # 10k characters, a linear parse milliseconds. Speed figures belong in bench/.
    assert best < 1.0


def _timed(text: str) -> float:
    start = time.perf_counter()
    parsed = parse_message(text, today=TODAY)
    elapsed = time.perf_counter() - start
    assert isinstance(parsed, Parsed)
    return elapsed


def test_long_visit_note_is_kept_whole() -> None:
    body = "见了设备科李科长" * 1500
    parsed = parse_message("拜访小结 " + body, today=TODAY)
    assert parsed.intent == "visit_note"
    assert parsed.note == body

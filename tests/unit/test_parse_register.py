"""Tests for domain.language, the free-text message parser: the dev sample and
registration messages.

Cases are tables of (message, expected fields). Only the fields named in an
expectation are compared, so each row states exactly what it is about.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.language import parse_message
from tests.support.parsing import TODAY, check

DEV_FILE = Path(__file__).resolve().parents[3] / "shared" / "data" / "parse_dev.jsonl"


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
    ("报备 北京协和医院 彩超 80万 12.31", {"close_date": "2026-12-31", "amount_yuan": 800000}),
    ("报备 北京协和医院 彩超 12.5万 元旦前签", {"close_date": "2026-12-31", "amount_yuan": 125000}),
    ("报备 北京协和医院 彩超 80万 昨天聊过", {"close_date": None, "amount_yuan": 800000}),
]


@pytest.mark.parametrize("text,expect", REGISTER_CASES)
def test_register(text: str, expect: dict[str, Any]) -> None:
    expect = {"intent": "register", **expect}
    check(parse_message(text, today=TODAY), expect)


def test_a_word_added_after_a_message_was_read_is_known_at_once():
    """The vocabulary keeps its words sorted between messages; a word added later
    (a capability registering) is in the next message's reading."""
    from domain.language import parse_message
    from domain.language.vocabulary import Vocabulary
    vocabulary = Vocabulary()
    vocabulary.add_keywords(("demo", "one"), ("试试",))
    assert parse_message("试试 一下", vocabulary).intent == "demo"
    assert vocabulary.sorted_words() is vocabulary.sorted_words()     # kept between messages
    assert parse_message("另一个 一下", vocabulary).intent != "demo2"
    vocabulary.add_keywords(("demo2", "two"), ("另一个",))
    assert parse_message("另一个 一下", vocabulary).intent == "demo2"
    vocabulary.add_ref_verb("看看", None, ("demo3", "three"))
    assert parse_message("看看 一下", vocabulary).intent == "demo3"

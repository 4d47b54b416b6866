"""Tests for domain.language, the free-text message parser: amounts and closing dates on
their own, the result contract, and robustness (odd, random and long input).
"""
from __future__ import annotations

import io
import json
import random
import time
from datetime import date
from typing import Any

import pytest

from bot.language import ACTIONS, INTENTS, parse_message
from domain.language import OrderItem, Parsed, ProductMention, parse_amount, parse_close_date
from tests.support.parsing import TODAY

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
    ("12月15号", TODAY, "2026-12-15"), ("１２月底", TODAY, "2026-12-31"), ("2027-01-15", TODAY, "2027-01-15"),
    ("2027/1/15", TODAY, "2027-01-15"),
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
    ("12.31", TODAY, "2026-12-31"), ("12.31签", TODAY, "2026-12-31"), ("12.05", TODAY, "2026-12-05"),
    ("12.5", TODAY, None), ("元旦前", TODAY, "2026-12-31"),
    ("元旦之前", TODAY, "2026-12-31"), ("元旦", TODAY, "2027-01-01"), ("12.31万", TODAY, None),
    ("1.5亿", TODAY, None), ("8.5折", TODAY, None), ("12.5 万", TODAY, None), ("V1.10", TODAY, None),
    ("昨天", TODAY, None),  # a closing date lies ahead: "昨天" says when something happened
    ("2月30日", TODAY, None), ("没有日期", TODAY, None), ("A100*20", TODAY, None), ("80万", TODAY, None),
    ("may I ask", TODAY, None), ("", TODAY, None),
]


@pytest.mark.parametrize("text,today,expect", DATE_CASES)
def test_parse_close_date(text: str, today: date, expect: str | None) -> None:
    assert parse_close_date(text, today) == (date.fromisoformat(expect) if expect else None)


# --- date spans (delegation) --------------------------------------------------------
SPAN_CASES: list[tuple[str, date, str | None, str | None]] = [
    ("12月5日至12月12日", TODAY, "2026-12-05", "2026-12-12"),
    ("12/5-12/12", TODAY, "2026-12-05", "2026-12-12"),
    ("2026-12-05 to 2026-12-12", TODAY, "2026-12-05", "2026-12-12"),
    ("12月28日至1月3日", TODAY, "2026-12-28", "2027-01-03"),
    # said on Jan 2: the nearest Dec 28 is five days ago, a span under way until tomorrow
    ("12月28日至1月3日", date(2026, 1, 2), "2025-12-28", "2026-01-03"),
    ("12/28-1/3", date(2026, 1, 2), "2025-12-28", "2026-01-03"),
    ("12月28日至3日", TODAY, "2026-12-28", "2027-01-03"),
    ("11月20日至11月30日", TODAY, "2026-11-20", "2026-11-30"),  # already under way: this year
    ("11月1日至11月10日", TODAY, "2026-11-01", "2026-11-10"),  # already over: stays past, the handler refuses it
    ("11月20日至11月22日", TODAY, "2026-11-20", "2026-11-22"),
    ("明天", TODAY, "2026-11-24", "2026-11-24"),
    ("下周", TODAY, "2026-11-30", "2026-12-06"),
    ("12月", TODAY, "2026-12-01", "2026-12-31"),
    ("2月5日至30日", TODAY, "2027-02-05", "2027-02-05"),  # no Feb 30: the start alone
    ("没有日期", TODAY, None, None),
]


@pytest.mark.parametrize("text,today,first,last", SPAN_CASES)
def test_delegation_span(text: str, today: date, first: str | None, last: str | None) -> None:
    parsed = parse_message("委托 张伟 " + text, today=today)
    assert parsed.date_from == (date.fromisoformat(first) if first else None)
    assert parsed.date_to == (date.fromisoformat(last) if last else None)


# --- order counts that are no count, and lines to drop -------------------------------
BAD_COUNT_CASES: list[tuple[str, list[tuple[str, str]], list[OrderItem]]] = [
    ("订货 A100*1.5", [("A100", "1.5")], []),
    ("订货 A100*0", [("A100", "0")], []),
    ("订货 A100*-5", [("A100", "-5")], []),
    ("订货 A100 x -2.5台", [("A100", "-2.5")], []),
    ("订货 A100 1.5台 B200*5", [("A100", "1.5")], [OrderItem("B200", 5)]),
    ("订货 A100 1.5", [("A100", "1.5")], []),                   # an order line's bare count
    ("订货 A100*零", [("A100", "零")], []),
    ("订货 A100*20 B200*5", [], [OrderItem("A100", 20), OrderItem("B200", 5)]),
    ("订货 A100*05", [], [OrderItem("A100", 5)]),
]


@pytest.mark.parametrize("text,bad,items", BAD_COUNT_CASES)
def test_a_count_that_is_no_whole_number_is_kept_as_typed_never_rounded(text, bad, items) -> None:
    parsed = parse_message(text, today=TODAY)
    assert [(b.word, b.text) for b in parsed.bad_quantities] == bad
    assert parsed.items == items and parsed.products == []


@pytest.mark.parametrize("text,removed,items", [
    ("修改订单 SO20261123-0001 删除 B200", ["B200"], []),
    ("修改订单 SO20261123-0001 去掉b200、C300 A100*3", ["B200", "C300"], [OrderItem("A100", 3)]),
    ("修改订单 SO20261123-0001 删除B200 A100*3", ["B200"], [OrderItem("A100", 3)]),
    ("修改订单 SO20261123-0001 A100*3", [], [OrderItem("A100", 3)]),
])
def test_lines_named_after_a_removal_word_are_dropped(text, removed, items) -> None:
    parsed = parse_message(text, today=TODAY)
    assert (parsed.action, parsed.removed, parsed.items) == ("amend", removed, items)


# --- contract and robustness ---------------------------------------------------------
def test_result_types() -> None:
    parsed = parse_message("特价 A100*10 单价 9800", today=TODAY)
    assert isinstance(parsed, Parsed)
    assert parsed.items == [OrderItem("A100", 10)]
    assert parsed.products == [ProductMention("A100", None, 10)]
    assert parsed.intent in INTENTS
    assert parse_message("我的订单").action in ACTIONS


def test_new_fields_default_empty() -> None:
    parsed = parse_message("报备 北京协和医院 彩超 80万", today=TODAY)
    assert (parsed.plan_date, parsed.customers, parsed.target, parsed.date_from, parsed.date_to) == \
        (None, [], None, None, None)
    assert {"plan", "approval"} <= set(INTENTS)
    assert {"cancel", "confirm", "show", "amend", "my_visits", "transfer", "delegate", "undelegate"} <= set(ACTIONS)
    assert Parsed(intent="plan").customers is not Parsed(intent="plan").customers


def test_parse_command_prints_new_fields_after_the_old_ones() -> None:
    from bot.cli.text import run_parse

    out = io.StringIO()
    lines = [json.dumps({"text": t, "now": "2026-11-23"}, ensure_ascii=False)
             for t in ("计划 明天 拜访 北京协和医院、天坛医院", "委托 张伟 12月5日至12月12日")]
    run_parse(io.StringIO("\n".join(lines) + "\n"), out)
    plan, delegate = (json.loads(line) for line in out.getvalue().splitlines())
    assert list(plan) == ["intent", "action", "customer", "department", "amount_yuan", "items", "products",
                          "close_date", "ref", "note", "unit_price", "discount", "missing",
                          "plan_date", "customers", "target", "date_from", "date_to", "amount_doubt",
                          "bad_date", "removed", "bad_quantities"]
    assert plan["plan_date"] == "2026-11-24" and plan["customers"] == ["北京协和医院", "天坛医院"]
    assert (delegate["target"], delegate["date_from"], delegate["date_to"]) == ("张伟", "2026-12-05", "2026-12-12")
    assert delegate["plan_date"] is None and delegate["customers"] == []


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


def test_fuzz_command_words_never_raise() -> None:
    rng = random.Random(20261202)
    alphabet = ("计划拜访委托转交请假取消确认订单修改撤销查询我的代批由给和及以及 明天后天今天周三下周一星期礼拜"
                "SO SP RG 0123456789-/~至到月日号,.;:、，：\n北京协和医院张伟director plan visit to and")
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.choice([1, 5, 20, 80, 400])))
        parsed = parse_message(text, today=TODAY)
        assert parsed.intent in INTENTS
        assert parsed.action is None or parsed.action in ACTIONS
        assert len(parsed.customers) <= 50


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
    "计划 " + "北京协和医院 " * 1400,
    "计划 明天 " + "和" * 10000,
    "计划 " + "北京协和医院和" * 1400,
    "计划 " + "院和" * 5000,
    "计划 " + "、" * 10000,
    "plan " + "a, " * 5000,
    "委托 " + "12月5日至" * 2000,
    "请假 " + "由张伟代批 " * 1500,
    "转交 " + "SP20261202-0001 " * 700,
    "转交 " + "给" * 10000,
    "撤销 SO20261202-0001 " + "理由" * 5000,
    "明天" * 5000,
    "12月5日-" * 2000,
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

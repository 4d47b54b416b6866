"""The parser and the customer matcher on hostile text: time that grows
linearly with the input (long punctuation runs, repeated words, 60 KB texts),
and a fuzz run (hypothesis) that finds no exception and no insane output.

Scaling is measured as a ratio, never as an absolute time: the time for 8n
characters over the time for n (the smaller one floored at a few ms so timer
noise on fast inputs can't make a ratio). Linear work gives about 8; the
quadratic ``[\\s,，。]*word…$`` search this replaced gave ~100 on the first case.
"""
from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from datetime import date, timedelta
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.language import ACTIONS, INTENTS, parse_message
from domain.matching import compare

pytestmark = pytest.mark.fault

TODAY = date(2026, 11, 23)
RATIO_LIMIT = 20          # for 8x the input; quadratic work gives ~64
FLOOR_S = 0.003


def _fill(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


# Mixed text for the 60 KB cases: command words, names, fields and punctuation.
_MIX = ("报备 北京协和医院 彩超 80万 12月底，订货 A100*2 B200*5 收货地址：上海市浦东新区张江路100号；"
        "客户：协和\n金额：80万\nRG20261123-0001 报价了。。。!!  ??  （北京）(分院) 明天拜访计划：协和 "
        "check out 12月5日-12月12日 请张伟代我审批、、、————~~~ @渠道助手 ")

CASES: dict[str, Callable[[int], str]] = {
    "commas after a name (the reported case)": lambda n: "北京协和医院 " + "，" * n,
    "full stops then a word": lambda n: "北京协和医院 " + "。" * n + "x",
    "ascii commas, command word last": lambda n: "北京协和医院 " + "," * n + " 报备",
    "commas after a command word": lambda n: "报备 北京协和医院 " + "，" * n,
    "commas after a verb with no number": lambda n: "confirm " + "，" * n,
    "exclamation marks": lambda n: "北京协和医院 彩超 " + "!" * n,
    "spaces and commas": lambda n: "北京协和医院" + " ," * (n // 2) + "x",
    "colons": lambda n: "客户" + "：" * n,
    "dashes between numbers": lambda n: "报备 协和 " + "1-" * (n // 2),
    "brackets": lambda n: "报备 " + "(a)" * (n // 3) + "x",
    "repeated registration": lambda n: "报备 " + _fill("北京协和医院 彩超 80万 ", n),
    "repeated order lines": lambda n: "订货 " + _fill("A100*2 ", n),
    "repeated command word": lambda n: _fill("报备", n),
    "repeated dates": lambda n: "报备 协和 " + _fill("12月底 ", n),
    "mixed text (8n = 60 KB)": lambda n: _fill(_MIX, n),
    "mixed text after a command word": lambda n: "订货 " + _fill(_MIX, n),
    # The shapes of no-date days (stop 30): long digit runs before 月, minus signs, decimals.
    "a digit run before 月": lambda n: "计划 " + "9" * n + "月5日 拜访 协和",
    "minus months": lambda n: "修改 RG20261123-0001 " + _fill(" -1月", n),
    "decimal months": lambda n: "委托 张伟 " + _fill("1.5月", n),
    "spaces after a number before 月": lambda n: "委托 张伟 1" + " " * n + "x",
    "exponent months": lambda n: "计划 " + _fill("1e4", n) + "月",
    "dotted digit runs before 月": lambda n: "计划 " + _fill("2026.1", n) + "月5日",
}


def _best(fn: Callable[[], object], times: int) -> float:
    best = math.inf
    for _ in range(times):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _ratio(run: Callable[[str], object], make: Callable[[int], str], n: int) -> tuple[float, float, float]:
    small, big = make(n), make(8 * n)
    t_small = _best(lambda: run(small), 3)
    t_big = _best(lambda: run(big), 2)
    return t_big / max(t_small, FLOOR_S), t_small, t_big


@pytest.fixture(scope="module", autouse=True)
def warm():
    parse_message("报备 北京協和醫院 彩超 80万", today=TODAY)     # builds the vocabulary and OpenCC tables
    compare("北京协和医院", "北京協和醫院")


# n, then 8n: 1,000 → 8,000 characters (a quadratic pattern fails in about a second), and
# 7,500 → 60,000 for the long texts.
SIZES = {"mixed text (8n = 60 KB)": 7_500, "mixed text after a command word": 7_500,
         "repeated registration": 7_500}


@pytest.mark.parametrize("name", list(CASES))
def test_parsing_time_grows_linearly(name):
    ratio, t_small, t_big = _ratio(lambda s: parse_message(s, today=TODAY), CASES[name], SIZES.get(name, 1_000))
    assert ratio < RATIO_LIMIT, f"{name}: {t_small * 1000:.1f} ms → {t_big * 1000:.1f} ms for 8x the text"


_unique = count()

MATCH_CASES: dict[str, Callable[[int], str]] = {
    "commas": lambda n: "北京协和医院" + "，" * n,
    "repeated name": lambda n: _fill("北京协和医院", n),
    "repeated words": lambda n: _fill("彩超 ", n),
    "brackets": lambda n: _fill("（北京）", n),
    "latin words": lambda n: _fill("Peking Union ", n),
    "mixed text": lambda n: _fill(_MIX, n),
}


@pytest.mark.parametrize("name", list(MATCH_CASES))
def test_matching_time_grows_linearly(name):
    make = MATCH_CASES[name]

    def run(text: str):
        # compare() caches per name: every run gets a name of its own
        return compare(f"{text}{next(_unique)}", f"北京协和医院{next(_unique)}")

    ratio, t_small, t_big = _ratio(run, make, 1_000)
    assert ratio < RATIO_LIMIT, f"{name}: {t_small * 1000:.1f} ms → {t_big * 1000:.1f} ms for 8x the name"


# ------------------------------------------------------------------ fuzz
_TOKENS = ["报备", "订货", "取消订单", "修改订单", "签到", "拜访计划", "特价申请", "我的报备", "帮助", "延期", "申诉",
           "北京协和医院", "协和", "心内科", "彩超", "A100", "B200", "*", "×", "x", "20", "0", "-3", "1.5", "80万",
           "万", "亿", "元", "12月底", "明天", "下周三", "2026-13-45", "RG20261123-0001", "SO20261123-0001",
           "SP", "收货地址：", "备注：", "客户：", "金额：", "\n", " ", "，", "。", "、", "；", "：", "(", "）",
           "@渠道助手",
           "\u200b", "\u3000", "ｒｅｇ", "報備", "𠮷", "😀", "NaN", "inf", "1e999", "9" * 30, "¥", "%", "折"]

texts = st.one_of(
    st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join),
    st.lists(st.one_of(st.sampled_from(_TOKENS), st.text(max_size=6)), max_size=20).map(" ".join),
    st.text(max_size=200),
)
FUZZ = settings(max_examples=250, deadline=timedelta(seconds=1), derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


class _Failures(logging.Handler):
    """parse_message never raises (it logs and answers "unknown"): a logged failure is a bug found."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@FUZZ
@given(text=texts)
def test_fuzz_parser_never_fails_and_answers_sanely(text):
    failures = _Failures()
    log = logging.getLogger("domain.language.parser")
    log.addHandler(failures)
    try:
        p = parse_message(text, today=TODAY)
    finally:
        log.removeHandler(failures)
    assert not failures.records, failures.records[0].exc_text or failures.records[0].getMessage()
    assert p.intent in INTENTS and (p.action is None or p.action in ACTIONS)
    if p.amount_yuan is not None:
        assert math.isfinite(p.amount_yuan) and abs(p.amount_yuan) < 1e15
    for item in p.items:
        assert isinstance(item.qty, int) and item.qty > 0 and item.sku
    for d in (p.close_date, p.plan_date, p.date_from, p.date_to):
        assert d is None or date(2000, 1, 1) <= d <= date(2200, 1, 1)
    for field in (p.customer, p.department, p.note, p.ref):
        assert field is None or (isinstance(field, str) and len(field) <= len(text) + 40)


names = st.one_of(st.lists(st.sampled_from(_TOKENS + ["医院", "有限公司", "分公司", "（", "Hospital", "Co., Ltd.",
                                                      "第一", "附属", "人民", "上海", "广州市"]),
                           max_size=12).map("".join),
                  st.text(max_size=60))


@FUZZ
@given(a=names, b=names)
def test_fuzz_matcher_never_fails_and_answers_sanely(a, b):
    got = compare(a, b)
    assert got.verdict in ("duplicate", "possible", "distinct")
    assert 0.0 <= got.score <= 1.0 and isinstance(got.reason, str)
    assert compare(b, a).verdict == got.verdict or {got.verdict, compare(b, a).verdict} <= {"duplicate", "possible"}

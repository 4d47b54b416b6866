"""Days that are none, beside the ordinary days written next to them: a month or
day of three digits or more, a decimal before 月, a minus sign glued to a month
are no date (and never today's); dashes between words, ranges, dotted days with
号 and a year written with a dot still read as they always did. (That these shapes
parse in linear time: tests/unit/test_fuzz_language.py.)"""
from __future__ import annotations

from datetime import date

import pytest

from bot.language import parse_message

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize("text, field, want", [
    ("计划 12.10号 拜访 北京协和医院", "plan_date", date(2026, 12, 10)),
    ("计划 12.8日 拜访 北京协和医院", "plan_date", date(2026, 12, 8)),
    ("报备 北京协和医院 彩超 80万 12.31号签", "close_date", date(2026, 12, 31)),
    ("报备 北京协和医院-彩超-80万-12月底签约", "close_date", date(2026, 12, 31)),
    ("修改 RG20261123-0001 签约日期-3月15日", "close_date", date(2027, 3, 15)),
    ("报备 北京协和医院 彩超 80万 2026.12月签约", "close_date", date(2026, 12, 31)),
    ("报备 北京协和医院 彩超 80万 工期1.5月 12月底签", "close_date", date(2026, 12, 31)),
    ("计划 拜访北京协和医院-12月10日", "plan_date", date(2026, 12, 10)),
    ("委托 张伟 12月1日-12月5日", "date_to", date(2026, 12, 5)),
    ("委托 张伟-12月8日至12月12日", "date_to", date(2026, 12, 12)),
    ("报备 北京协和医院 彩超 80万 3-5月签", "close_date", date(2027, 5, 31)),
    # A year written with a dot is kept (2027.1月3日 had dropped it: the nearest 1月3日).
    ("计划 2027.1月3日 拜访 北京协和医院", "plan_date", date(2027, 1, 3)),
    ("计划 2026.12月8日 拜访 北京协和医院", "plan_date", date(2026, 12, 8)),
    ("报备 北京协和医院 彩超 80万 2027.1月签约", "close_date", date(2027, 1, 31)),
    ("报备 北京协和医院 彩超 80万 2027.3月底签约", "close_date", date(2027, 3, 31)),
])
def test_ordinary_days_beside_the_edges_read_as_before(text, field, want):
    parsed = parse_message(text, today=TODAY)
    assert getattr(parsed, field) == want and parsed.bad_date is None


@pytest.mark.parametrize("text, bad", [
    ("计划 100月5日 拜访 北京协和医院", "100月5日"),
    ("计划 12月100日 拜访 北京协和医院", "12月100日"),
    ("委托 张伟 " + "9" * 20 + "月9日至12月12日", "9" * 20 + "月9日"),
])
def test_a_month_or_day_of_three_digits_or_more_is_no_date(text, bad):
    parsed = parse_message(text, today=TODAY)
    assert parsed.bad_date == bad and parsed.plan_date is None


@pytest.mark.parametrize("text", ["修改 RG20261123-0001 -5月-5日", "修改 RG20261123-0001 签约 -5月",
                                  "计划 1.5月3日 拜访 北京协和医院"])
def test_a_minus_sign_or_a_decimal_before_a_month_is_no_may(text):
    parsed = parse_message(text, today=TODAY)
    assert parsed.close_date is None and parsed.plan_date is None


@pytest.mark.parametrize("text, bad", [
    ("计划 1.5月3日 拜访 北京协和医院", "1.5月3日"),
    ("计划 0.5月3日 拜访 北京协和医院", "0.5月3日"),
    ("计划 1e400月 拜访 北京协和医院", "1e400月"),
    ("计划 2.5E3月5日 拜访 北京协和医院", "2.5E3月"),
    ("计划 2026.13月5日 拜访 北京协和医院", "2026.13月5日"),
    ("计划 2026.12月35日 拜访 北京协和医院", "2026.12月35日"),
    ("计划 2026年12月35日 拜访 北京协和医院", "2026年12月35日"),
    ("计划 2026.12月0日 拜访 北京协和医院", "2026.12月0日"),
    ("委托 张伟 1.5月3日至1.8月9日", "1.5月3日"),
])
def test_a_decimal_or_exponent_month_is_reported_as_no_date(text, bad):
    """The scanner says so itself, so every reader of days (计划 as well as 委托)
    refuses it instead of planning for today or no day."""
    parsed = parse_message(text, today=TODAY)
    assert parsed.bad_date == bad and parsed.plan_date is None and parsed.date_from is None


def test_a_day_that_is_none_after_a_year_is_no_closing_date_either():
    """Before, the year and month read alone: 2026年12月35日 closed on Dec 31."""
    parsed = parse_message("报备 北京协和医院 彩超 80万 2026年12月35日签约", today=TODAY)
    assert parsed.close_date is None

"""The visit check kinds as pure functions (facts in, verdict or flag out), and
the visit rules a rule file may set."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.clock import Clock
from domain.rules import visit_checks as checks
from domain.rules.operations import VISIT_FLAGS, VisitRules

RULES = VisitRules.from_dict({}, "Asia/Shanghai")
BJ = Clock("Asia/Shanghai")


@pytest.mark.parametrize("lat, lng, outcome, code", [
    (39.9126, 116.4176, "pass", "PLAUSIBLE_LOCATION"),            # Beijing
    (22.28, 114.16, "pass", "PLAUSIBLE_LOCATION"),                # Hong Kong, inside the box
    (0.0, 0.0, "reject", "NO_POSITION_FIX"),
    (0.00001, -0.00002, "reject", "NO_POSITION_FIX"),
    (90.0, 180.0, "reject", "OUTSIDE_SERVICE_AREA"),
    (40.7128, -74.006, "reject", "OUTSIDE_SERVICE_AREA"),         # New York
    (91.0, 116.0, "reject", "COORDINATES_OUT_OF_RANGE"),
    (39.9, 181.0, "reject", "COORDINATES_OUT_OF_RANGE"),
    (None, 116.0, "reject", "UNREADABLE_LOCATION"),
    (float("nan"), 116.0, "reject", "UNREADABLE_LOCATION"),
    (39.9, float("inf"), "reject", "UNREADABLE_LOCATION"),
])
def test_plausible_location(lat, lng, outcome, code):
    v = checks.plausible_location(RULES, lat, lng)
    assert (v.rule_id, v.outcome, v.reason_code) == ("visit.location", outcome, code)
    assert set(v.facts) == {"lat", "lng"}
    assert bool(v.message) == (outcome == "reject") and bool(v.next_step) == (outcome == "reject")


def test_the_service_area_is_the_rule_stores():
    shanghai_only = VisitRules.from_dict({"service_area": {"south": 30.6, "west": 120.8, "north": 31.9,
                                                           "east": 122.2}}, "Asia/Shanghai")
    assert checks.plausible_location(shanghai_only, 31.23, 121.47).outcome == "pass"
    assert checks.plausible_location(shanghai_only, 39.91, 116.41).reason_code == "OUTSIDE_SERVICE_AREA"


def test_the_same_point_flag_says_when_in_local_time():
    at = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    flag = checks.same_point_elsewhere(RULES, "北京大学第一医院",
                                       [checks.SamePoint(at, "北京协和医院", "张勇", 1.0)], BJ.fmt)
    assert "11-23 10:00" in flag.message and "02:00" not in flag.message
    assert flag.facts["others"][0]["at"] == at.isoformat()


@pytest.mark.parametrize("closed_by, words", [("next_checkin", "在下一次签到时结束，时长未知"),
                                              ("timeout", "12 小时内没有签退，已自动结束，时长未知")])
def test_never_checked_out_says_the_duration_is_unknown(closed_by, words):
    flag = checks.never_checked_out("北京协和医院", closed_by, 0.2, 12)
    assert words in flag.message and "0 小时" not in flag.message
    assert flag.facts == {"closed_by": closed_by, "open_hours": 0.2}


def test_travel_flag_names_its_unit_and_does_not_repeat_itself():
    prev = checks.PreviousCheckin(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), None, 110_000)
    flag = checks.impossible_travel(RULES, prev, datetime(2026, 11, 23, 2, 20, tzinfo=UTC))
    assert flag.message == "距上次签到地点 110.0 公里，仅隔 20 分钟，折合约 330 公里/小时，超过上限 120 公里/小时"


@pytest.mark.parametrize("flags, suspicious", [
    ([], []), ([{"code": "OUTSIDE_HOURS"}, {"code": "NOT_CHECKED_OUT"}], []),
    ([{"code": "IMPOSSIBLE_TRAVEL"}, {"code": "OUTSIDE_HOURS"}], ["IMPOSSIBLE_TRAVEL"]),
    ([{"code": "SAME_POINT_OTHER_CUSTOMER"}], ["SAME_POINT_OTHER_CUSTOMER"]),
])
def test_which_flags_put_a_visit_in_doubt(flags, suspicious):
    assert checks.suspicious(RULES, flags) == suspicious


def test_every_flag_has_a_chinese_label():
    for code in VISIT_FLAGS:
        label = checks.flag_label(code)
        assert label and code not in label and not label.isascii()

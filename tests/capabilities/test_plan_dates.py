"""Days people name in plans and delegations: a day already past is refused
(never moved a year on), a date that does not exist is named as such (never
taken for a customer), and the reply says when the plan will arrive.
The test clock stands at Monday 2026-11-23 10:00 in Beijing."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from models import Delegation, VisitPlan
from tests.support.reading import last_text


def q(app):
    return app.extensions["qudao"]


def plans(app) -> list[tuple[date, str]]:
    with q(app).factory() as s:
        return [(p.plan_date, p.customer.name) for p in s.execute(select(VisitPlan).order_by(VisitPlan.id)).scalars()]


@pytest.mark.parametrize("said, shown", [("11月20日", "11月20日（周五）"), ("昨天", "11月22日（周日）"),
                                         ("前天", "11月21日（周六）"), ("2026-11-01", "11月1日（周日）")])
def test_a_plan_for_a_past_day_is_refused_and_nothing_is_stored(app, driver, chat, said, shown):
    driver.text("rep_zhang", f"计划 {said} 拜访 北京协和医院")
    reply = last_text(chat, "rep_zhang")
    assert f"{shown} 已经过去了" in reply and "未加入计划" in reply
    assert "2027" not in reply.split("已经过去了")[0]          # not silently moved to next year
    assert plans(app) == []


@pytest.mark.parametrize("said", ["2月30日", "13月5日", "2月29日", "2026-02-30", "100月5日", "12月100日",
                                  "99999999999999999999月99999999999999999999日", "1.5月3日", "1e400月",
                                  "2026.13月5日"])
def test_a_date_that_does_not_exist_gets_a_clear_answer_not_a_customer_lookup(app, driver, chat, said):
    driver.text("rep_zhang", f"计划 {said} 拜访 北京协和医院")
    reply = last_text(chat, "rep_zhang")
    assert f"“{said}”不是有效的日期" in reply
    assert "没有找到这些客户" not in reply
    assert plans(app) == []


def test_a_year_less_day_early_next_year_is_next_years_and_says_so(app, driver, chat):
    driver.text("rep_zhang", "计划 1月3日 拜访 北京协和医院")
    assert "2027年1月3日（周日）" in last_text(chat, "rep_zhang")
    assert plans(app) == [(date(2027, 1, 3), "北京协和医院")]


def test_the_reply_promises_the_morning_message_only_when_it_is_still_to_come(app, driver, chat, clock):
    driver.text("rep_zhang", "计划 明天 拜访 北京协和医院")
    assert "当天 08:00 会把计划发给您" in last_text(chat, "rep_zhang")
    driver.text("rep_zhang", "计划 今天 拜访 天津医科大学总医院")            # 10:00: this morning's message went out
    today = last_text(chat, "rep_zhang")
    assert "已安排 11月23日（周一） 拜访：天津医科大学总医院" in today
    assert "会把计划发给您" not in today and "我的计划" in today
    clock.set(clock.now().replace(hour=23))                               # 07:00 next morning in Beijing
    driver.text("rep_zhang", "计划 今天 拜访 天津医科大学总医院")
    assert "当天 08:00 会把计划发给您" in last_text(chat, "rep_zhang")
    assert plans(app) == [(date(2026, 11, 24), "北京协和医院"), (date(2026, 11, 23), "天津医科大学总医院"),
                          (date(2026, 11, 24), "天津医科大学总医院")]


def test_a_delegation_entirely_in_the_past_is_refused(app, driver, chat):
    driver.text("mgr_north", "委托 张伟 11月20日至11月22日")
    reply = last_text(chat, "mgr_north")
    assert "已经过去" in reply and "2026-11-22" in reply and "2027" not in reply
    with q(app).factory() as s:
        assert s.execute(select(Delegation)).first() is None
    driver.text("mgr_north", "委托 张伟 11月20日至11月25日")                # under way: from today
    with q(app).factory() as s:
        [row] = s.execute(select(Delegation)).scalars().all()
        assert (row.starts_on, row.ends_on) == (date(2026, 11, 23), date(2026, 11, 25))


@pytest.mark.parametrize("said, bad", [("2月30日至3月2日", "2月30日"), ("100月5日至100月9日", "100月5日"),
                                       ("9" * 20 + "月" + "9" * 20 + "日至12月5日", "9" * 20 + "月"),
                                       ("1.5月3日至1.5月9日", "1.5月3日"), ("1e400月1e400日", "1e400月"),
                                       ("13月", "13月"), ("13月 出差", "13月")])
def test_a_delegation_with_a_date_that_does_not_exist_is_refused(app, driver, chat, said, bad):
    # (A month of three digits or more was no date at all: the delegation was set for today.)
    driver.text("mgr_north", f"委托 张伟 {said}")
    assert "不是有效的日期" in last_text(chat, "mgr_north") and bad in last_text(chat, "mgr_north")
    with q(app).factory() as s:
        assert s.execute(select(Delegation)).first() is None


@pytest.mark.parametrize("reason", ["出差", "病假3日", "去5号楼开会", "出差3个月"])
def test_a_delegation_with_a_reason_and_no_days_is_for_today(app, driver, chat, reason):
    driver.text("mgr_north", f"委托 张伟 {reason}")
    with q(app).factory() as s:
        [row] = s.execute(select(Delegation)).scalars().all()
        assert (row.starts_on, row.ends_on) == (date(2026, 11, 23), date(2026, 11, 23))

"""Plans, the morning messages, the managers' digest and the weekly picture,
with the scheduler's clock driven by the test."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from chat.scheduling import build_scheduler
from models import JobRun, MediaBlob, VisitPlan
from tests.support.reading import last_text, texts_to

PUMCH = (39.912581, 116.417570)


def q(app):
    return app.extensions["qudao"]


def at_beijing(clock, day_offset: int, hh: int, mm: int = 0):
    base = clock.now().astimezone(clock.tz).replace(hour=hh, minute=mm, second=0, microsecond=0)
    clock.set(base + timedelta(days=day_offset))


def test_plan_in_chat_then_the_morning_message(app, driver, chat, clock):
    driver.text("rep_zhang", "计划 明天 拜访 北京协和医院 天津医科大学总医院 不存在医院")
    reply = last_text(chat, "rep_zhang")
    assert "11月24日" in reply and "北京协和医院、天津医科大学总医院" in reply and "没有找到" in reply
    driver.text("rep_zhang", "计划 明天 拜访 北京协和医院")
    assert "已在计划中" in last_text(chat, "rep_zhang")
    with q(app).factory() as s:
        assert len(s.execute(select(VisitPlan)).scalars().all()) == 2
    sched = build_scheduler(q(app))
    at_beijing(clock, 1, 7, 59)
    sched.tick()
    assert not any("拜访计划" in m for m in texts_to(chat, "rep_zhang")[2:])
    at_beijing(clock, 0, 8, 0)
    sched.tick()
    morning = last_text(chat, "rep_zhang")
    assert "早上好" in morning and "北京协和医院" in morning and "天津医科大学总医院" in morning
    sched.tick()                                        # once per day, however often it ticks
    assert len([m for m in texts_to(chat, "rep_zhang") if "早上好" in m]) == 1
    driver.location("rep_zhang", *PUMCH)
    assert "计划内" in last_text(chat, "rep_zhang")
    driver.text("rep_zhang", "我的计划")
    assert "✅ 北京协和医院" in last_text(chat, "rep_zhang")


def test_a_missed_morning_is_caught_up_within_the_window_and_skipped_after(app, driver, chat, clock):
    driver.text("rep_zhang", "计划 明天 拜访 北京协和医院")
    sched = build_scheduler(q(app))
    at_beijing(clock, 1, 11, 30)              # scheduler down until 11:30: 3.5 h late, still sent
    sched.tick()
    assert "早上好" in last_text(chat, "rep_zhang")
    driver.text("rep_zhang", "计划 明天 拜访 北京协和医院")
    at_beijing(clock, 1, 12, 30)              # next day 12:30: 4.5 h late — yesterday's habit, skipped
    sched.tick()
    assert len([m for m in texts_to(chat, "rep_zhang") if "早上好" in m]) == 1
    with q(app).factory() as s:
        assert [r.period for r in s.execute(select(JobRun).where(JobRun.job == "plan_morning")).scalars()] == \
               ["2026-11-24"]


def test_morning_digest_for_each_manager(app, driver, chat, clock):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")          # conflict
    driver.text("dealer_bj_li", "报备 北京大学第一医院 彩超 150万")      # waits for the director
    driver.location("rep_zhang", *PUMCH)
    driver.location("rep_zhang", PUMCH[0] + 0.03, PUMCH[1])             # off-site attempt
    at_beijing(clock, 1, 8, 30)
    build_scheduler(q(app)).tick()
    north = last_text(chat, "mgr_north")
    assert "渠道日报" in north and "新报备 3 个" in north and "撞单 1 次" in north
    assert "北京华信医疗科技有限公司 → 北京协和医院" in north and "拜访 2 次：已核实 1，范围外 1" in north
    director = last_text(chat, "director")
    assert "待您审批 1 个" in director and "RG" in director
    assert texts_to(chat, "mgr_east") == []                 # nothing happened in 上海: no digest


def test_no_digest_on_a_day_with_nothing_to_report(app, driver, chat, clock):
    sched = build_scheduler(q(app))
    at_beijing(clock, 5, 8, 30)                              # Saturday: nothing at all
    sched.tick()
    for manager in ("mgr_north", "mgr_east", "director"):
        assert texts_to(chat, manager) == []
    driver.text("dealer_bj_li", "报备 北京大学第一医院 彩超 150万")   # waits for the director
    at_beijing(clock, 1, 8, 30)                              # Sunday: yesterday's registration
    sched.tick()
    at_beijing(clock, 1, 8, 30)                              # Monday: only the approval still waits
    sched.tick()
    director = [m for m in texts_to(chat, "director") if "渠道日报" in m]
    assert len(director) == 2 and "新报备：无" in director[1] and "待您审批 1 个" in director[1]
    assert len([m for m in texts_to(chat, "mgr_north") if "渠道日报" in m]) == 1
    assert texts_to(chat, "mgr_east") == []


def test_the_digest_lists_visits_in_doubt_before_notes(app, driver, chat, clock):
    driver.location("rep_zhang", 39.116170, 117.175430)     # 天津医科大学总医院
    clock.advance(minutes=20)
    driver.location("rep_zhang", *PUMCH)                    # impossible travel; closes Tianjin unchecked-out
    at_beijing(clock, 1, 8, 30)
    build_scheduler(q(app)).tick()
    north = last_text(chat, "mgr_north")
    assert "拜访 2 次：已核实 2，范围外 0，存疑 1，其他标记 1" in north
    doubt, note = [line for line in north.split("\n") if line.startswith("> ⚠️")]
    assert doubt.startswith("> ⚠️ 张勇 · 北京协和医院：距上次在 天津医科大学总医院 的签到")
    assert note == "> ⚠️ 张勇 · 天津医科大学总医院：未签退"


def test_weekly_picture_is_a_png_kept_and_sent(app, driver, chat, clock):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.location("rep_zhang", *PUMCH)
    at_beijing(clock, 7, 9, 0)                           # next Monday 09:00
    build_scheduler(q(app)).tick()
    [image] = chat.images_to("mgr_north")
    with q(app).factory() as s:
        assert s.get(MediaBlob, image.blob_id).data.startswith(b"\x89PNG")
    assert "上周" in last_text(chat, "mgr_north") and "拜访 1 次（其中 0 次存疑" in last_text(chat, "mgr_north")
    assert len(chat.images_to("director")) == 1
    assert chat.messages_to("mgr_east") == []         # no activity in 上海: no picture of nothing
    with q(app).factory() as s:
        assert s.execute(select(MediaBlob.kind)).scalars().all() == ["chart"] * 2


def test_a_quiet_week_sends_no_picture_and_notes_are_not_red(app, driver, chat, clock):
    sched = build_scheduler(q(app))
    at_beijing(clock, 7, 9, 0)                               # Monday after a week with nothing
    sched.tick()
    for manager in ("mgr_north", "mgr_east", "director"):
        assert chat.messages_to(manager) == []
    clock.set(clock.now().replace(hour=13))                  # 21:00: outside working hours
    driver.location("rep_zhang", *PUMCH)                     # …and never checked out
    at_beijing(clock, 7, 9, 0)
    sched.tick()
    caption = last_text(chat, "mgr_north")
    assert "拜访 1 次（其中 0 次存疑，图中红色）" in caption

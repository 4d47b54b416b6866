"""Approval SLAs on a driven clock: a reminder after 4 working hours, escalation
after a working day (always after the reminder), stand-ins for approvers on
leave, transfer by hand, and separation of duties: nobody decides two steps."""
from __future__ import annotations

from sqlalchemy import select

from chat.scheduling import build_scheduler
from models import Approval, SpecialPrice
from tests.support.reading import cards_to, last_text, texts_to


def q(app):
    return app.extensions["qudao"]


def approvals(app):
    from sqlalchemy.orm import selectinload
    with q(app).factory() as s:
        return s.execute(select(Approval).options(selectinload(Approval.approver))
                         .order_by(Approval.id)).scalars().all()


def sp_request(app, driver, chat, price=73300):
    driver.text("dealer_bj_li", "订货 A100*20")
    from models import Order
    with q(app).factory() as s:
        number = s.execute(select(Order.number).order_by(Order.id.desc())).scalars().first()
    driver.text("dealer_bj_li", f"特价申请 订单 {number} A100 单价 {price} 理由：竞品报价低")


def test_reminder_after_four_working_hours_then_escalation_after_a_day(app, driver, chat, clock):
    sched = build_scheduler(q(app))
    sp_request(app, driver, chat)              # Monday 10:00 Beijing, step 1 → mgr_north
    clock.advance(hours=3, minutes=59)
    sched.tick()
    assert not any("提醒" in m for m in texts_to(chat, "mgr_north"))
    clock.advance(minutes=2)                    # 14:01: four working hours
    sched.tick()
    reminders = [m for m in texts_to(chat, "mgr_north") if "提醒" in m]
    assert len(reminders) == 1 and "SP" in reminders[0] and "李明" in reminders[0]
    sched.tick()                                # never twice
    assert len([m for m in texts_to(chat, "mgr_north") if "提醒" in m]) == 1
    clock.advance(hours=19, minutes=58)         # Tuesday 09:59: 8 working hours and 58 minutes
    sched.tick()
    assert approvals(app)[0].status == "pending"
    clock.advance(minutes=2)                    # Tuesday 10:01: a working day
    sched.tick()
    first, second = approvals(app)[:2]
    assert first.status == "escalated" and second.approver.external_id == "director" and second.role == "director"
    assert cards_to(chat, "mgr_north")[0].stamp.startswith("超时升级 · 张伟")
    assert any("升级给 张伟" in m and "9 个工作小时" in m for m in texts_to(chat, "mgr_north"))
    assert "升级给 张伟" in last_text(chat, "dealer_bj_li")
    # The director decides the second step anyway: the escalation moves the flow
    # on to it (its card says so) instead of giving the director both steps.
    [card] = cards_to(chat, "director")
    assert "第 2/2 步" in card.note and "超时未审批，已升级到本步" in card.note
    driver.click("director", card.task_id, "approve")
    with q(app).factory() as s:
        assert s.execute(select(SpecialPrice.status)).scalar() == "approved"
    assert [(a.status, a.step) for a in approvals(app)] == [("escalated", 0), ("approved", 1)]
    assert any("已批准（张伟）" in m for m in texts_to(chat, "dealer_bj_li"))


def test_working_hours_skip_the_weekend_and_the_reminder_comes_first(app, driver, chat, clock):
    """Changed: this test used to expect a Friday 17:00 request escalated on Saturday
    17:00 (24 wall hours, one working hour) without any reminder. Waits now count
    working hours, and the reminder always comes before the escalation."""
    sched = build_scheduler(q(app))
    clock.advance(days=4, hours=7)              # Friday 17:00
    sp_request(app, driver, chat, price=80000)   # one step, area manager
    clock.advance(hours=24)                     # Saturday 17:00: 1 working hour
    sched.tick()
    assert approvals(app)[0].status == "pending" and cards_to(chat, "director") == []
    assert not any("提醒" in m for m in texts_to(chat, "mgr_north"))
    clock.advance(hours=43, minutes=1)          # Monday 12:01: 4 working hours
    sched.tick()
    assert [m for m in texts_to(chat, "mgr_north") if "提醒" in m] and approvals(app)[0].status == "pending"
    clock.advance(hours=4, minutes=58)          # Monday 16:59
    sched.tick()
    assert approvals(app)[0].status == "pending"
    clock.advance(minutes=2)                    # Monday 17:01: a working day
    sched.tick()
    assert approvals(app)[0].status == "escalated" and len(cards_to(chat, "director")) == 1


def test_after_downtime_the_reminder_still_comes_before_the_escalation(app, driver, chat, clock):
    sched = build_scheduler(q(app))
    sp_request(app, driver, chat, price=80000)   # Monday 10:00
    clock.advance(days=2)                         # Wednesday 10:00: overdue for both, nothing ran meanwhile
    sched.tick()
    assert approvals(app)[0].status == "pending" and cards_to(chat, "director") == []
    assert len([m for m in texts_to(chat, "mgr_north") if "提醒" in m]) == 1
    clock.advance(hours=4, minutes=59)            # the reminder is 4:59 working hours old
    sched.tick()
    assert approvals(app)[0].status == "pending"
    clock.advance(minutes=2)                      # 5 working hours after the reminder: escalated
    sched.tick()
    assert approvals(app)[0].status == "escalated" and len(cards_to(chat, "director")) == 1


def test_holidays_may_be_written_as_plain_yaml_dates(app, tmp_path):
    from domain.rules.model import RuleSetData
    path = tmp_path / "rules.yaml"
    path.write_text("approvals:\n  working_hours: {holidays: [2026-10-01, 2026-10-02], workdays: [2026-09-27]}\n",
                    encoding="utf-8")
    with q(app).factory() as s, s.begin():
        row = q(app).services.rules.load_file(s, path)
    rules = RuleSetData.from_dict(row.version, row.content)
    from datetime import date
    assert not rules.approvals.calendar.is_working_day(date(2026, 10, 1))
    assert rules.approvals.calendar.is_working_day(date(2026, 9, 27))


def test_delegation_hands_the_queue_to_the_stand_in_and_routes_new_steps(app, driver, chat):
    sp_request(app, driver, chat, price=80000)
    driver.text("mgr_north", "委托 张伟 11月23日至11月30日")
    assert "张伟 代批" in last_text(chat, "mgr_north") and "1 个待审批" in last_text(chat, "mgr_north")
    old, new = approvals(app)
    assert old.status == "transferred" and new.approver.external_id == "director"
    assert new.on_behalf_of_id == old.approver_id
    [card] = cards_to(chat, "director")
    assert "代 王建国 审批" in card.note
    assert "委托您" in texts_to(chat, "director")[0]
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")    # auto-approved: no card
    # A new one-step request (≤5%) reaches the stand-in on behalf of 王建国.
    driver.text("dealer_bj_li", "订货 A100*2")
    driver.text("dealer_bj_li", f"特价申请 订单 {order_number(app)} A100 单价 80000 理由：竞品报价低")
    assert len([c for c in cards_to(chat, "director") if c.task_id.startswith("sp-")]) == 2
    driver.text("mgr_north", "取消委托")
    assert "已取消 1 个委托" in last_text(chat, "mgr_north")


def order_number(app) -> str:
    from models import Order
    with q(app).factory() as s:
        return s.execute(select(Order.number).order_by(Order.id.desc())).scalars().first()


def test_a_stand_in_never_decides_two_steps_of_one_flow(app, driver, chat):
    """The director is away and names 王建国, who is also the area manager of the
    12% request's first step: step 2 goes back to the director themself, visibly;
    one tap of 王建国 no longer approves both steps."""
    driver.text("director", "委托 王建国 11月23日至11月30日")
    sp_request(app, driver, chat)                             # 12%: area manager → director
    [card1] = cards_to(chat, "mgr_north")
    driver.click("mgr_north", card1.task_id, "approve")
    assert len(cards_to(chat, "mgr_north")) == 1              # no second card for 王建国
    with q(app).factory() as s:
        assert s.execute(select(SpecialPrice.status)).scalar() == "pending"
    [card2] = cards_to(chat, "director")
    sub = card2.note
    assert "第 2/2 步" in sub and "代批人 王建国 已审批本流程第 1 步" in sub and "张伟 本人审批" in sub
    assert any("职责分离" in m for m in texts_to(chat, "dealer_bj_li"))
    assert any("没有交给您代批" in m for m in texts_to(chat, "mgr_north"))
    driver.click("director", card2.task_id, "approve")
    assert any("已批准（王建国、张伟）" in m for m in texts_to(chat, "dealer_bj_li"))
    assert [(a.approver.external_id, a.status) for a in approvals(app)] == [("mgr_north", "approved"),
                                                                            ("director", "approved")]


def test_an_area_manager_away_in_favour_of_the_director_keeps_step_one(app, driver, chat):
    """王建国 names the director, who decides step 2 anyway: step 1 stays with
    王建国 (the card and the dealer say why) instead of one person taking both."""
    driver.text("mgr_north", "委托 张伟 11月23日至11月30日")
    sp_request(app, driver, chat)                             # 12%: area manager → director
    [card1] = cards_to(chat, "mgr_north")
    assert "代批人 张伟 负责本流程第 2 步" in card1.note
    assert [c for c in cards_to(chat, "director") if c.task_id.startswith("sp-")] == []
    assert any("职责分离" in m for m in texts_to(chat, "dealer_bj_li"))
    driver.click("mgr_north", card1.task_id, "approve")
    [card2] = [c for c in cards_to(chat, "director") if c.task_id.startswith("sp-")]
    driver.click("director", card2.task_id, "approve")
    assert [a.approver.external_id for a in approvals(app)] == ["mgr_north", "director"]


def test_a_step_cannot_be_transferred_to_the_approver_of_another_step(app, driver, chat):
    sp_request(app, driver, chat)                             # 12%: area manager → director
    with q(app).factory() as s:
        number = s.execute(select(SpecialPrice.number)).scalar()
    driver.text("mgr_north", f"转交 {number} 张伟")
    assert "不能转交给 张伟" in last_text(chat, "mgr_north") and "第 2 步" in last_text(chat, "mgr_north")
    assert [a.status for a in approvals(app)] == ["pending"]
    assert [c for c in cards_to(chat, "director") if c.task_id.startswith("sp-")] == []


def test_delegation_keeps_a_step_whose_flow_the_stand_in_decides_later(app, driver, chat):
    sp_request(app, driver, chat)                             # 12%: step 1 waits for 王建国
    driver.text("mgr_north", "委托 张伟 11月23日至11月30日")
    assert "1 个待审批因职责分离仍由您本人审批" in last_text(chat, "mgr_north")
    assert [a.status for a in approvals(app)] == ["pending"]


def test_transfer_moves_a_step_and_bad_targets_are_refused(app, driver, chat):
    sp_request(app, driver, chat, price=80000)
    [_appr] = approvals(app)
    with q(app).factory() as s:
        number = s.execute(select(SpecialPrice.number)).scalar()
    driver.text("mgr_east", f"转交 {number} 张伟")
    assert "没有等待您审批" in last_text(chat, "mgr_east")
    driver.text("mgr_north", f"转交 {number} 不存在的人")
    assert "没有找到审批人" in last_text(chat, "mgr_north")
    driver.text("mgr_north", f"转交 {number} 刘洋")
    assert "已把" in last_text(chat, "mgr_north") and "刘洋" in last_text(chat, "mgr_north")
    assert "转交 刘洋" in last_text(chat, "dealer_bj_li")
    old_card = cards_to(chat, "mgr_north")[0]
    assert old_card.stamp.startswith("转交 · 刘洋")
    driver.click("mgr_north", old_card.task_id, "approve")      # can't click a greyed card; typed instead
    driver.text("mgr_north", f"同意 {number}")
    assert "转交给 刘洋" in last_text(chat, "mgr_north")
    [card] = cards_to(chat, "mgr_east")
    assert "由 王建国 转来" in card.note
    driver.click("mgr_east", card.task_id, "approve")
    with q(app).factory() as s:
        assert s.execute(select(SpecialPrice.status)).scalar() == "approved"


def test_draft_orders_lapse_after_two_days(app, driver, chat, clock):
    sched = build_scheduler(q(app))
    driver.text("dealer_bj_li", "订货 A100*2")
    clock.advance(hours=47)
    sched.tick()
    from models import Order
    with q(app).factory() as s:
        assert s.execute(select(Order.status)).scalar() == "draft"
    clock.advance(hours=2)
    sched.tick()
    with q(app).factory() as s:
        assert s.execute(select(Order.status)).scalar() == "cancelled"
    assert "已失效" in last_text(chat, "dealer_bj_li")
    card = [c for c in cards_to(chat, "dealer_bj_li") if c.task_id.startswith("so-")][0]
    assert card.stamp.startswith("已失效")


def test_a_ladder_naming_one_person_for_two_steps_is_one_decision_said_on_the_card(app, driver, chat):
    """No area manager covers 广东省, so the director is the approver of both steps:
    one card, which says it covers step 1 too (it used to be step 1's card, and
    step 2 was approved behind the director's back)."""
    from handlers.imports import DictRows, kind_named, run_import
    run_import(q(app).factory, kind_named("customers"),
               DictRows([{"name": "广州市第一人民医院", "address": "广东省广州市越秀区德政北路602号"}]),
               clock=q(app).clock)
    driver.text("dealer_bj_li", "申请特价 A100 8折 客户 广州市第一人民医院 原因 招标限价")   # 5.9%: two steps
    [card] = cards_to(chat, "director")
    sub = card.note
    assert "第 2/2 步" in sub and "第 1 步（区域经理）也由您审批，本次审批同时完成该步" in sub
    assert cards_to(chat, "mgr_north") == [] and cards_to(chat, "mgr_east") == []
    driver.click("director", card.task_id, "approve")
    with q(app).factory() as s:
        assert s.execute(select(SpecialPrice.status)).scalar() == "approved"
    assert [(a.approver.external_id, a.status, a.step) for a in approvals(app)] == [("director", "approved", 1)]

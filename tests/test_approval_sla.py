"""Approval SLAs on a driven clock: a reminder after 4 working hours, escalation
after 24 hours, stand-ins for approvers on leave, transfer by hand."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.scheduler import build_scheduler
from models import Approval, SpecialPrice
from tests.conftest import cards_to, last_text, texts_to


def q(app):
    return app.extensions["qudao"]


def approvals(app):
    from sqlalchemy.orm import selectinload
    with q(app).factory() as s:
        return s.execute(select(Approval).options(selectinload(Approval.approver))
                         .order_by(Approval.id)).scalars().all()


def sp_request(app, driver, wecom, price=73300):
    driver.text("dealer_bj_li", "订货 A100*20")
    from models import Order
    with q(app).factory() as s:
        number = s.execute(select(Order.number).order_by(Order.id.desc())).scalars().first()
    driver.text("dealer_bj_li", f"特价申请 订单 {number} A100 单价 {price} 理由：竞品报价低")


def test_reminder_after_four_working_hours_then_escalation_after_a_day(app, driver, wecom, clock):
    sched = build_scheduler(q(app))
    sp_request(app, driver, wecom)              # Monday 10:00 Beijing, step 1 → mgr_north
    clock.advance(hours=3, minutes=59)
    sched.tick()
    assert not any("提醒" in m for m in texts_to(wecom, "mgr_north"))
    clock.advance(minutes=2)                    # 14:01: four working hours
    sched.tick()
    reminders = [m for m in texts_to(wecom, "mgr_north") if "提醒" in m]
    assert len(reminders) == 1 and "SP" in reminders[0] and "李明" in reminders[0]
    sched.tick()                                # never twice
    assert len([m for m in texts_to(wecom, "mgr_north") if "提醒" in m]) == 1
    clock.advance(hours=20)                     # Tuesday 10:01: 24 hours
    sched.tick()
    first, second = approvals(app)[:2]
    assert first.status == "escalated" and second.approver.external_id == "director" and second.role == "director"
    assert cards_to(wecom, "mgr_north")[0].replace_name.startswith("超时升级 · 张伟")
    assert any("升级给 张伟" in m for m in texts_to(wecom, "mgr_north"))
    assert "升级给 张伟" in last_text(wecom, "dealer_bj_li")
    # The ladder's second step is the director too: one approval covers both.
    driver.click("director", cards_to(wecom, "director")[0].task_id, "approve")
    with q(app).factory() as s:
        assert s.execute(select(SpecialPrice.status)).scalar() == "approved"
    assert [a.status for a in approvals(app)] == ["escalated", "approved", "approved"]


def test_working_hours_skip_the_weekend(app, driver, wecom, clock):
    sched = build_scheduler(q(app))
    clock.advance(days=4, hours=6)              # Friday 16:00
    sp_request(app, driver, wecom, price=80000)   # one step, area manager
    clock.advance(hours=20)                     # Saturday 12:00: 2 working hours so far
    sched.tick()
    assert not any("提醒" in m for m in texts_to(wecom, "mgr_north"))
    clock.advance(days=1, hours=22, minutes=1)  # Monday 10:01: 3 working hours… but 66 wall hours: escalated
    sched.tick()
    assert approvals(app)[0].status == "escalated"
    assert not any("提醒" in m for m in texts_to(wecom, "mgr_north"))   # escalation, not a reminder burst


def test_delegation_hands_the_queue_to_the_stand_in_and_routes_new_steps(app, driver, wecom):
    sp_request(app, driver, wecom, price=80000)
    driver.text("mgr_north", "委托 张伟 11月23日至11月30日")
    assert "张伟 代批" in last_text(wecom, "mgr_north") and "1 个待审批" in last_text(wecom, "mgr_north")
    old, new = approvals(app)
    assert old.status == "transferred" and new.approver.external_id == "director"
    assert new.on_behalf_of_id == old.approver_id
    [card] = cards_to(wecom, "director")
    assert "代 王建国 审批" in card.card["sub_title_text"]
    assert "委托您" in texts_to(wecom, "director")[0]
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")    # auto-approved: no card
    driver.text("dealer_bj_li", "申请特价 A100 8折 客户北京协和医院 原因 招标限价")
    assert len([c for c in cards_to(wecom, "director") if c.task_id.startswith("sp-")]) == 2
    assert len(cards_to(wecom, "mgr_north")) == 1
    driver.text("mgr_north", "取消委托")
    assert "已取消 1 个委托" in last_text(wecom, "mgr_north")


def test_transfer_moves_a_step_and_bad_targets_are_refused(app, driver, wecom):
    sp_request(app, driver, wecom, price=80000)
    [appr] = approvals(app)
    with q(app).factory() as s:
        number = s.execute(select(SpecialPrice.number)).scalar()
    driver.text("mgr_east", f"转交 {number} 张伟")
    assert "没有等待您审批" in last_text(wecom, "mgr_east")
    driver.text("mgr_north", f"转交 {number} 不存在的人")
    assert "没有找到审批人" in last_text(wecom, "mgr_north")
    driver.text("mgr_north", f"转交 {number} 刘洋")
    assert "已把" in last_text(wecom, "mgr_north") and "刘洋" in last_text(wecom, "mgr_north")
    assert "转交 刘洋" in last_text(wecom, "dealer_bj_li")
    old_card = cards_to(wecom, "mgr_north")[0]
    assert old_card.replace_name.startswith("转交 · 刘洋")
    driver.click("mgr_north", old_card.task_id, "approve")      # can't click a greyed card; typed instead
    driver.text("mgr_north", f"同意 {number}")
    assert "转交给 刘洋" in last_text(wecom, "mgr_north")
    [card] = cards_to(wecom, "mgr_east")
    assert "由 王建国 转来" in card.card["sub_title_text"]
    driver.click("mgr_east", card.task_id, "approve")
    with q(app).factory() as s:
        assert s.execute(select(SpecialPrice.status)).scalar() == "approved"


def test_draft_orders_lapse_after_two_days(app, driver, wecom, clock):
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
    assert "已失效" in last_text(wecom, "dealer_bj_li")
    card = [c for c in cards_to(wecom, "dealer_bj_li") if c.task_id.startswith("so-")][0]
    assert card.replace_name.startswith("已失效")

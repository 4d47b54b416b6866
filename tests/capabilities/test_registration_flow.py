"""Deal registration end to end: signed callbacks in, replies and cards out (to the
local mock of the WeCom API), state in the database."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from chat.audit import verify
from models import Approval, AuditEvent, InboxMessage, Registration, RegistrationLock
from tests.support.audit import sealed_and_intact
from tests.support.reading import cards_to, last_text, texts_to


def q(app):
    return app.extensions["qudao"]


def regs(app):
    with q(app).factory() as s:
        return s.execute(select(Registration).order_by(Registration.id)).scalars().all()


def test_first_registration_is_accepted_and_locks_the_customer(app, driver, chat):
    r = driver.text("dealer_bj_li", "报备 北京协和医院 心内科 彩超2台 80万 12月底签")
    assert r is not None                                   # accepted into the inbox
    [reg] = regs(app)
    assert reg.status == "approved" and reg.customer_text == "北京协和医院"
    assert reg.product_lines == ["超声"] and float(reg.amount_yuan) == 800000
    assert reg.department == "心内科" and reg.close_date.isoformat() == "2026-12-31"
    reply = last_text(chat, "dealer_bj_li")
    assert "报备成功" in reply and reg.number in reply and "2027-02-21" in reply   # 90 days protection
    assert [v["rule_id"] for v in reg.verdicts][:4] == ["registration.qualification", "registration.territory",
                                                        "registration.quota", "registration.conflict"]
    with q(app).factory() as s:
        assert s.execute(select(RegistrationLock.scope_key)).scalars().all() == ["line:超声"]


def test_second_partner_is_refused_with_the_holder_named(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_hx_sun", "报备 北京协和医院（东院） 彩超 1台 60万")   # written differently
    driver.text("dealer_hx_sun", "报备 北京市协和医院 彩超 60万")
    reply = last_text(chat, "dealer_hx_sun")
    assert "报备未通过" in reply and "北京康健医疗器械有限公司" in reply and "保护至" in reply
    assert "registration.conflict" in reply and "申诉" in reply
    statuses = [r.status for r in regs(app)]
    assert statuses[0] == "approved" and statuses[-1] == "rejected"
    rejected = regs(app)[-1]
    conflict = next(v for v in rejected.verdicts if v["rule_id"] == "registration.conflict")
    assert conflict["outcome"] == "reject" and conflict["facts"]["holder_partner"] == "北京康健医疗器械有限公司"


def test_same_customer_other_product_line_is_free_by_default(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 监护仪10台 30万")
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")
    assert [r.status for r in regs(app)] == ["approved", "approved"]


def test_outside_territory_and_unqualified_line_are_refused_with_reasons(app, driver, chat):
    driver.text("dealer_tj_zhao", "报备 北京协和医院 彩超 50万")
    reply = last_text(chat, "dealer_tj_zhao")
    assert "北京市" in reply and "天津市" in reply and "registration.territory" in reply
    driver.text("dealer_hx_sun", "报备 北京协和医院 呼吸机 2台 50万")
    reply = last_text(chat, "dealer_hx_sun")
    assert "呼吸" in reply and "授权" in reply
    assert all(r.status == "rejected" for r in regs(app))
    with q(app).factory() as s:
        assert s.execute(select(func.count()).select_from(RegistrationLock)).scalar() == 0


def test_big_deal_goes_to_director_card_and_approval_stamps_and_notifies(app, driver, chat, clock):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 120万 明年3月")
    [reg] = regs(app)
    assert reg.status == "pending"
    assert "等待销售总监审批" in last_text(chat, "dealer_bj_li")
    assert "（张伟）" in last_text(chat, "dealer_bj_li")                    # who has the card, by name
    [card] = cards_to(chat, "director")
    assert card.title.endswith(reg.number)
    assert card.buttons == ["同意", "驳回"]
    rows = card.rows
    assert rows["金额"] == "¥120万" and "北京协和医院" in rows["客户"]
    assert cards_to(chat, "mgr_north") == []     # 1:1 to the right approver only

    clock.advance(hours=2)
    driver.click("director", card.task_id, "approve")
    [reg] = regs(app)
    assert reg.status == "approved"
    assert reg.lock_until == clock.now() + timedelta(days=90)
    [card] = cards_to(chat, "director")
    assert not card.active and card.stamp.startswith("已同意 · 张伟 · ")
    assert "已由张伟审批通过" in last_text(chat, "dealer_bj_li")
    # a second click on the decided card says who decided it, and changes nothing
    driver.click("director", card.task_id, "approve")
    assert "已由 张伟" in last_text(chat, "director")
    assert len(chat.stamps_to("director")) == 1


def test_reject_asks_for_a_reason_then_releases_the_customer(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    [card] = cards_to(chat, "director")
    driver.click("director", card.task_id, "reject")
    assert "理由" in last_text(chat, "director")
    assert regs(app)[0].status == "pending"
    driver.text("director", "价格不合理，请重新评估")
    [reg] = regs(app)
    assert reg.status == "rejected" and reg.decision_reason == "价格不合理，请重新评估"
    assert "价格不合理" in last_text(chat, "dealer_bj_li")
    assert cards_to(chat, "director")[0].stamp.startswith("已驳回 · 张伟")
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")    # customer is free again
    assert regs(app)[-1].status == "approved"


def test_click_by_someone_else_is_refused_and_recorded(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    [card] = cards_to(chat, "director")
    driver.click("mgr_north", card.task_id, "approve")
    assert "不是报备" in last_text(chat, "mgr_north")
    assert regs(app)[0].status == "pending"
    with q(app).factory() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "approval.refused")).scalar_one()
        assert ev.actor == "mgr_north"


def test_changing_the_registration_voids_the_approval(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    [reg] = regs(app)
    [old_card] = cards_to(chat, "director")
    driver.text("dealer_bj_li", f"修改 {reg.number} 金额 180万")
    assert "已修改" in last_text(chat, "dealer_bj_li")
    with q(app).factory() as s:
        approvals = s.execute(select(Approval).order_by(Approval.id)).scalars().all()
    assert [a.status for a in approvals] == ["void", "pending"]
    assert approvals[1].payload["amount_yuan"] == 1800000
    driver.click("director", old_card.task_id, "approve")          # the stale card
    assert "已失效" in last_text(chat, "director")
    assert regs(app)[0].status == "pending"
    new_card = [c for c in cards_to(chat, "director") if c.task_id != old_card.task_id][0]
    driver.click("director", new_card.task_id, "approve")
    assert regs(app)[0].status == "approved"


def test_missing_fields_are_asked_for_and_the_conversation_continues(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院")
    assert "产品" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_bj_li", "彩超")
    assert "金额" in last_text(chat, "dealer_bj_li")
    assert regs(app) == []
    driver.text("dealer_bj_li", "八十万")
    [reg] = regs(app)
    assert reg.status == "approved" and float(reg.amount_yuan) == 800000 and reg.product_lines == ["超声"]


def test_conversation_can_be_cancelled(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超")
    driver.text("dealer_bj_li", "取消")
    assert "取消" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_bj_li", "80万")
    assert regs(app) == []


def test_queries_show_own_details_and_only_a_hold_for_others(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_bj_wang", "我的报备")
    mine = last_text(chat, "dealer_bj_wang")
    assert "北京协和医院" in mine and "已生效" in mine
    driver.text("dealer_hx_sun", "查询 北京协和医院")
    other = last_text(chat, "dealer_hx_sun")
    assert "已被其他伙伴报备" in other and "北京康健" not in other and "80万" not in other
    driver.text("mgr_north", "查询 协和医院")
    assert "北京康健" in last_text(chat, "mgr_north")


def test_withdraw_releases_the_customer(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    number = regs(app)[0].number
    driver.text("dealer_hx_sun", f"撤销 {number}")
    assert "不属于" in last_text(chat, "dealer_hx_sun")
    driver.text("dealer_bj_li", f"撤销 {number}")
    assert "已撤销" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")
    assert regs(app)[-1].status == "approved"


def test_help_unknown_users_and_english(app, driver, chat):
    driver.text("dealer_bj_li", "帮助")
    assert "报备 客户" in last_text(chat, "dealer_bj_li")
    driver.text("stranger", "报备 北京协和医院 彩超 80万")
    assert "没有开通" in last_text(chat, "stranger")
    driver.text("dealer_bj_li", "help")
    assert "register" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_bj_li", "blah blah")
    assert "help" in last_text(chat, "dealer_bj_li")
    assert regs(app) == []


def test_every_state_change_is_in_a_verifiable_audit_chain(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    [card] = cards_to(chat, "director")
    driver.click("director", card.task_id, "approve")
    sealed_and_intact(q(app).factory)
    with q(app).factory() as s:
        actions = s.execute(select(AuditEvent.action).order_by(AuditEvent.seq)).scalars().all()
        assert actions == ["registration.submitted", "approval.requested", "approval.approved",
                           "registration.approved"]
    with q(app).factory() as s, s.begin():
        ev = s.execute(select(AuditEvent).where(AuditEvent.seq == 2)).scalar_one()
        ev.after = {**ev.after, "approver": "someone_else"}
    with q(app).factory() as s:
        report = verify(s)
        assert not report.ok and report.first_bad_seq == 2 and report.first_bad.kind == "content_changed"


def test_each_inbound_message_is_processed_once(app, driver, chat):
    # A platform retries the same message id when it gets no answer in time.
    accepted = [driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万", msg_id="CAIQg/PKxgYY2sC9tpuAgAMg9/zKaw==")
                for _ in range(3)]
    assert accepted[0] is not None and accepted[1:] == [None, None]
    assert len(regs(app)) == 1
    assert len(texts_to(chat, "dealer_bj_li")) == 1
    with q(app).factory() as s:
        assert s.execute(select(InboxMessage.status)).scalars().all() == ["done"]


def test_a_reject_reason_that_looks_like_a_command_is_still_the_reason(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    [card] = cards_to(chat, "director")
    driver.click("director", card.task_id, "reject")
    driver.text("director", "报备信息不全，请补充科室")
    [reg] = regs(app)
    assert reg.status == "rejected" and reg.decision_reason == "报备信息不全，请补充科室"


def test_typed_decisions_must_name_the_revision_once_it_changed(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    number = regs(app)[0].number
    driver.text("dealer_bj_li", f"修改 {number} 金额 1500万")
    driver.text("director", f"同意 {number}")                    # read the ¥150万 card, typed later
    assert f"{number}/2" in last_text(chat, "director")
    assert regs(app)[0].status == "pending"
    new_card = cards_to(chat, "director")[-1]
    assert f"同意 {number}/2" in new_card.note
    driver.text("director", f"同意 {number}/2")
    assert regs(app)[0].status == "approved"


def test_replies_read_naturally(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    [card] = cards_to(chat, "director")
    driver.click("director", card.task_id, "approve")
    assert last_text(chat, "director").startswith("已同意报备 RG")
    driver.text("dealer_tj_zhao", "报备 北京大学第一医院 彩超 50万")
    assert "规则：区域保护 registration.territory" in last_text(chat, "dealer_tj_zhao")

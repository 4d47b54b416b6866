"""Key accounts and co-selling: a partner's claim on a key account of the
direct team becomes a co-sell request (the account's owner, then the area
manager); a rep registers direct deals; a joint registration (报备 … 合作
<伙伴>) waits for the second partner's answer in the chat."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from models import Partner, Registration, RegistrationLock
from tests.support.reading import cards_to, last_text, texts_to

KEY = "河北医科大学第二医院"           # a key account in config/rules/default.yaml, owned by rep_zhang


def q(app):
    return app.extensions["qudao"]


def regs(app) -> list[Registration]:
    with q(app).factory() as s:
        return s.execute(select(Registration).order_by(Registration.id)).scalars().all()


def test_a_partner_claim_on_a_key_account_is_a_co_sell_request_the_owner_and_manager_accept(app, driver, chat):
    driver.text("dealer_hx_sun", f"报备 {KEY} 彩超 50万")
    [reg] = regs(app)
    assert reg.status == "pending" and reg.key_account == KEY
    verdict = next(v for v in reg.verdicts if v["rule_id"] == "registration.key_account")
    assert verdict["reason_code"] == "KEY_ACCOUNT" and verdict["facts"]["owner"] == "rep_zhang"
    reply = last_text(chat, "dealer_hx_sun")
    assert "等待重点客户负责人 张勇和区域经理审批" in reply and "直销团队的重点客户" in reply and "30%" in reply
    [card] = cards_to(chat, "rep_zhang")                    # the owner first
    assert card.rows["重点客户"] == "A级 · 伙伴分成 30%" and "重点客户·合作销售" in card.rows["审批原因"]
    assert "第 1/2 步" in card.note
    assert cards_to(chat, "mgr_north") == []
    driver.click("rep_zhang", card.task_id, "approve")
    [card2] = cards_to(chat, "mgr_north")
    driver.click("mgr_north", card2.task_id, "approve")
    [reg] = regs(app)
    assert reg.status == "approved" and reg.partner_share == Decimal("0.3000")
    told = last_text(chat, "dealer_hx_sun")
    assert "审批通过" in told and "合作销售" in told and "分成 30%" in told
    driver.text("dealer_hx_sun", "我的报备")
    assert "合作销售 分成 30%" in last_text(chat, "dealer_hx_sun")


def test_the_owner_declines_a_co_sell_request_with_a_reason(app, driver, chat):
    driver.text("dealer_hx_sun", f"报备 {KEY} 彩超 50万")
    [card] = cards_to(chat, "rep_zhang")
    driver.click("rep_zhang", card.task_id, "reject")
    driver.text("rep_zhang", "直销团队已在跟进招标")
    [reg] = regs(app)
    assert reg.status == "rejected" and reg.decision_reason == "直销团队已在跟进招标"
    assert "直销团队已在跟进招标" in last_text(chat, "dealer_hx_sun")
    with q(app).factory() as s:
        assert s.execute(select(RegistrationLock)).first() is None


def test_a_rep_registers_a_direct_deal_and_partners_then_collide_with_the_direct_team(app, driver, chat):
    driver.text("rep_zhang", f"报备 {KEY} 彩超 50万")
    [reg] = regs(app)
    assert reg.status == "approved" and reg.key_account is None
    assert next(v for v in reg.verdicts if v["rule_id"] == "registration.key_account")["reason_code"] == "DIRECT_TEAM"
    with q(app).factory() as s:
        team = s.get(Partner, reg.partner_id)
        assert team.direct and team.name == "直销团队"
    driver.text("dealer_hx_sun", f"报备 {KEY} 彩超 50万")
    assert regs(app)[-1].status == "rejected" and "直销团队" in last_text(chat, "dealer_hx_sun")
    driver.text("rep_zhang", "我的报备")
    assert reg.number in last_text(chat, "rep_zhang") and "直销团队" in last_text(chat, "rep_zhang")
    driver.text("rep_zhang", f"{reg.number} 报价了")
    assert regs(app)[0].stage == "方案报价"


def test_a_rep_registers_only_in_the_regions_they_cover(app, driver, chat):
    driver.text("rep_zhang", "报备 上海市第六人民医院 彩超 50万")
    assert regs(app)[0].status == "rejected" and "授权区域" in last_text(chat, "rep_zhang")


def joint_registered(driver, app, chat) -> Registration:
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万 合作 北京华信")
    [reg] = regs(app)
    return reg


def test_a_joint_registration_waits_for_the_second_partner_who_accepts_on_the_card(app, driver, chat):
    reg = joint_registered(driver, app, chat)
    with q(app).factory() as s:
        huaxin = s.execute(select(Partner).where(Partner.code == "P-BJ-HX")).scalar_one()
    assert reg.status == "pending" and reg.joint_partner_id == huaxin.id and reg.joint_status == "invited"
    assert "等待北京华信医疗科技有限公司审批" in last_text(chat, "dealer_bj_li")
    assert cards_to(chat, "mgr_north") == []                 # no manager is asked first
    [card] = cards_to(chat, "dealer_hx_sun")
    assert card.title == f"联合报备邀请 {reg.number}" and card.buttons == ["接受", "拒绝"]
    assert card.rows["发起方"] == "北京康健医疗器械有限公司"
    driver.click("dealer_hx_sun", card.task_id, "accept")
    reg = regs(app)[0]
    assert reg.status == "approved" and reg.joint_status == "accepted" and reg.lock_until is not None
    assert cards_to(chat, "dealer_hx_sun")[0].stamp.startswith("已接受 · 孙强")
    assert "已接受联合报备" in last_text(chat, "dealer_bj_li") and "保护期至" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_hx_sun", "我的报备")
    assert reg.number in last_text(chat, "dealer_hx_sun") and "联合 北京康健" in last_text(chat, "dealer_hx_sun")
    driver.click("dealer_hx_sun", card.task_id, "accept")      # a second tap
    assert "已处理" in last_text(chat, "dealer_hx_sun")


def test_a_joint_registration_declined_by_text_is_refused_and_releases_the_customer(app, driver, chat):
    reg = joint_registered(driver, app, chat)
    driver.text("dealer_hx_sun", f"拒绝合作 {reg.number}")
    assert "理由" in last_text(chat, "dealer_hx_sun")
    driver.text("dealer_hx_sun", "该客户我司不做")
    reg = regs(app)[0]
    assert reg.status == "rejected" and reg.joint_status == "declined" and reg.joint_reason == "该客户我司不做"
    assert "拒绝了联合报备" in last_text(chat, "dealer_bj_li") and "该客户我司不做" in last_text(chat, "dealer_bj_li")
    assert cards_to(chat, "dealer_hx_sun")[0].stamp.startswith("已拒绝")
    with q(app).factory() as s:
        assert s.execute(select(RegistrationLock)).first() is None


def test_a_joint_registration_that_needs_approval_goes_to_the_manager_after_acceptance(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 120万 合作 北京华信")      # over the tier line
    [reg] = regs(app)
    assert cards_to(chat, "director") == []
    driver.text("dealer_hx_sun", f"接受合作 {reg.number}")
    [card] = cards_to(chat, "director")
    assert card.rows["联合报备"] == "北京华信医疗科技有限公司"
    assert "还需经理审批" in last_text(chat, "dealer_bj_li")
    driver.click("director", card.task_id, "approve")
    assert regs(app)[0].status == "approved"


@pytest.mark.parametrize("named, answer", [
    ("北京某某", "没有找到合作伙伴“北京某某”"),
    ("北京康健", "是贵司自己"),
])
def test_a_joint_partner_that_is_no_other_partner_is_asked_again(app, driver, chat, named, answer):
    driver.text("dealer_bj_li", f"报备 北京协和医院 彩超 80万 合作 {named}")
    assert answer in last_text(chat, "dealer_bj_li") and regs(app) == []
    driver.text("dealer_bj_li", "无")                        # registers alone
    [reg] = regs(app)
    assert reg.status == "approved" and reg.joint_partner_id is None


def test_only_the_invited_partner_may_answer(app, driver, chat):
    reg = joint_registered(driver, app, chat)
    driver.text("dealer_tj_zhao", f"接受合作 {reg.number}")
    assert "没有邀请贵司" in last_text(chat, "dealer_tj_zhao") and regs(app)[0].joint_status == "invited"


def test_withdrawing_a_joint_registration_voids_the_invitation(app, driver, chat):
    reg = joint_registered(driver, app, chat)
    driver.text("dealer_bj_li", f"撤销 {reg.number}")
    assert cards_to(chat, "dealer_hx_sun")[0].stamp == "已失效 · 报备已撤销"
    driver.text("dealer_hx_sun", f"接受合作 {reg.number}")
    assert "已处理" in last_text(chat, "dealer_hx_sun") and len(texts_to(chat, "dealer_bj_li")) == 2

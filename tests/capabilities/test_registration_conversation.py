"""Registration as a conversation: answers to the bot's questions, amounts that are
not clearly a total, the approver's half-finished reject, claims on a customer that
resembles a held one, changes to approved deals, and what queries say."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from bot.language import parse_message
from models import AuditEvent, Customer, Registration
from tests.capabilities.test_registration_rules_e2e import use_rules
from tests.support.reading import cards_to, last_text, texts_to


def q(app):
    return app.extensions["qudao"]


def regs(app):
    with q(app).factory() as s:
        return s.execute(select(Registration).order_by(Registration.id)).scalars().all()


def customer_names(app):
    with q(app).factory() as s:
        return set(s.execute(select(Customer.name)).scalars())


# ---- answering the bot's questions ---------------------------------------------------

def test_an_unreadable_answer_is_asked_again_and_never_becomes_the_customer(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超")
    assert "预计金额" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_bj_li", "120")
    reply = last_text(chat, "dealer_bj_li")
    assert reply.startswith("没看懂“120”") and "带上单位" in reply
    assert regs(app) == [] and "120" not in customer_names(app)
    driver.text("dealer_bj_li", "120万")
    [reg] = regs(app)
    assert reg.customer_text == "北京协和医院" and float(reg.amount_yuan) == 1_200_000
    assert "北京协和医院" in last_text(chat, "dealer_bj_li")


def test_an_answer_adds_fields_but_keeps_the_customer_already_named(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院")
    driver.text("dealer_bj_li", "超声设备 80万")
    [reg] = regs(app)
    assert reg.customer_text == "北京协和医院" and reg.product_lines == ["超声"] and float(reg.amount_yuan) == 800_000


@pytest.mark.parametrize("message, asked", [
    ("报备 北京协和医院 彩超 80-100万", "给一个数"),
    ("报备 北京协和医院 彩超 80万/台 2台", "看起来是单价"),
    ("报备 北京协和医院 彩超 -80万", "不能是负数"),
    ("报备 北京协和医院 彩超 金额80", "偏小"),
])
def test_an_amount_that_is_not_clearly_the_total_is_asked_for(app, driver, chat, message, asked):
    driver.text("dealer_bj_li", message)
    assert asked in last_text(chat, "dealer_bj_li")
    assert regs(app) == []
    driver.text("dealer_bj_li", "90万")           # the answer completes the same registration
    [reg] = regs(app)
    assert reg.customer_text == "北京协和医院" and float(reg.amount_yuan) == 900_000


@pytest.mark.parametrize("text, amount", [("1百万", 1_000_000), ("2千万", 20_000_000), ("0.8百万", 800_000)])
def test_hundreds_and_thousands_of_wan_are_read(text, amount):
    assert parse_message(f"报备 北京协和医院 彩超 {text}").amount_yuan == amount


def test_an_absurd_amount_is_said_back_with_the_limit_and_registers_nothing(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 金额 " + "9" * 40 + "元")
    reply = last_text(chat, "dealer_bj_li")
    said = "¥1" + ",000" * 12 + "万"           # the float 1e40 the parser read, in 万
    assert reply.startswith(f"金额 {said} 看起来不对") and "不超过 ¥10,000,000万" in reply
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 金额 " + "9" * 400 + "元")     # past a float
    assert last_text(chat, "dealer_bj_li").startswith("金额 ∞ 看起来不对")
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 金额 -" + "9" * 400 + "元")    # and not clearly a total
    assert last_text(chat, "dealer_bj_li").startswith("金额 ∞ 看起来不对")
    assert regs(app) == []
    driver.text("dealer_bj_li", "80万")
    [reg] = regs(app)
    assert reg.amount_yuan == Decimal("800000.00") and reg.verdicts[6]["facts"]["amount_yuan"] == 800000


def test_a_close_date_with_a_minus_sign_changes_nothing(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    [reg] = regs(app)
    driver.text("dealer_bj_li", f"修改 {reg.number} -5月-5日")       # it was: 预计签约 → 2027-05-31
    assert "没有识别到要修改的内容" in last_text(chat, "dealer_bj_li")
    assert regs(app)[0].close_date is None and regs(app)[0].revision == reg.revision


def test_a_conversation_keeps_its_language_for_short_answers(app, driver, chat):
    driver.text("dealer_bj_li", "register Peking Union Medical College Hospital ultrasound")
    assert last_text(chat, "dealer_bj_li").startswith("What is the expected amount")
    driver.text("dealer_bj_li", "800k")
    [reg] = regs(app)
    assert reg.product_lines == ["超声"] and float(reg.amount_yuan) == 800_000
    assert reg.customer_text == "Peking Union Medical College Hospital"
    assert last_text(chat, "dealer_bj_li").startswith(f"✅ Registered {reg.number}")


# ---- the approver's reject reason ------------------------------------------------------

def test_a_tap_on_another_card_drops_the_unfinished_reject(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    driver.text("dealer_bj_li", "报备 北京大学第一医院 彩超 130万")
    first, second = cards_to(chat, "director")
    driver.click("director", first.task_id, "reject")
    assert "理由" in last_text(chat, "director")
    driver.click("director", second.task_id, "approve")
    told = texts_to(chat, "director")
    assert any(f"已放弃驳回 {regs(app)[0].number}" in m for m in told)
    driver.text("director", "查询 北京协和医院")       # no longer taken as a reason
    a, b = regs(app)
    assert (a.status, b.status) == ("pending", "approved") and a.decision_reason is None
    assert "北京协和医院" in last_text(chat, "director")


def test_approving_the_same_card_after_starting_a_reject_just_approves(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    [card] = cards_to(chat, "director")
    driver.click("director", card.task_id, "reject")
    driver.click("director", card.task_id, "approve")          # changed their mind
    assert regs(app)[0].status == "approved"
    assert not any("已放弃驳回" in m for m in texts_to(chat, "director"))
    driver.text("director", "好的")                             # not a reason any more
    assert regs(app)[0].decision_reason is None


def test_a_lookup_while_a_reason_is_awaited_is_answered_and_the_reject_still_waits(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    [card] = cards_to(chat, "director")
    driver.click("director", card.task_id, "reject")
    driver.text("director", "查询 北京协和医院")
    told = texts_to(chat, "director")
    assert any("北京协和医院" in m and "RG" in m for m in told[-2:])
    assert "还在等您的理由" in told[-1]
    assert regs(app)[0].status == "pending"
    driver.text("director", "报备信息不全，请补充科室")      # looks like a command word, is a reason
    [reg] = regs(app)
    assert reg.status == "rejected" and reg.decision_reason == "报备信息不全，请补充科室"


def test_a_card_tap_by_a_member_not_set_up_is_refused_and_recorded(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    [card] = cards_to(chat, "director")
    driver.click("stranger", card.task_id, "approve")
    assert "没有开通" in last_text(chat, "stranger")
    assert regs(app)[0].status == "pending"
    with q(app).factory() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "card.click_refused")).scalar_one()
        assert ev.actor == "stranger" and ev.entity_id == card.task_id


# ---- who holds what -----------------------------------------------------------------------

def test_a_name_resembling_a_held_customer_shows_the_holder_to_the_approver(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_hx_sun", "报备 协和医院 彩超 60万")
    held, resembling = regs(app)
    assert resembling.status == "pending"
    [card] = cards_to(chat, "mgr_north")
    rows = card.rows
    assert rows["相似客户"].startswith("北京协和医院") and rows["已被报备"].startswith("北京康健医疗器械有限公司 至 ")
    match = next(v for v in resembling.verdicts if v["rule_id"] == "registration.customer_match")
    assert match["facts"]["matched_holder_registration"] == held.number
    assert "。；" not in card.note
    assert "。；" not in last_text(chat, "dealer_hx_sun")


def test_own_company_claiming_again_is_pointed_at_its_registration(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_bj_wang", "报备 北京协和医院 彩超 90万")
    first, again = regs(app)
    reply = last_text(chat, "dealer_bj_wang")
    assert again.status == "rejected" and "贵司已于" in reply and first.number in reply and "无需重复报备" in reply
    assert f"修改 {first.number}" in reply and "申诉" not in reply


def test_a_lock_taken_under_another_scope_still_counts_after_the_rule_changes(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 心内科 彩超 80万")        # locked as line:超声
    use_rules(app, conflict_scope="customer_department")
    driver.text("dealer_hx_sun", "报备 北京协和医院 呼吸科 彩超 60万")
    assert [r.status for r in regs(app)] == ["approved", "rejected"]
    assert "北京康健医疗器械有限公司" in last_text(chat, "dealer_hx_sun")


# ---- changing an approved deal ----------------------------------------------------------------

def test_a_refused_change_keeps_the_approved_deal_and_its_protection(app, driver, chat, clock):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    [reg] = regs(app)
    protected_until = reg.lock_until
    clock.advance(days=3)
    driver.text("dealer_bj_li", f"修改 {reg.number} 金额 150万")
    assert "原条件（金额 ¥80万）继续有效" in last_text(chat, "dealer_bj_li")
    [card] = cards_to(chat, "director")
    driver.click("director", card.task_id, "reject")
    driver.text("director", "金额没有依据")
    [reg] = regs(app)
    assert reg.status == "approved" and float(reg.amount_yuan) == 800_000 and reg.lock_until == protected_until
    assert reg.approved_terms is None
    reply = last_text(chat, "dealer_bj_li")
    assert "修改被张伟驳回" in reply and "金额没有依据" in reply and "¥80万" in reply
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")            # still held
    assert regs(app)[-1].status == "rejected"


def test_an_approved_deal_stays_approved_while_its_change_waits(app, driver, chat, clock):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    [reg] = regs(app)
    driver.text("dealer_bj_li", f"修改 {reg.number} 金额 150万")
    [reg] = regs(app)
    assert reg.status == "approved" and reg.approved_terms["amount_yuan"] == 800_000
    [card] = cards_to(chat, "director")
    rows = card.rows
    assert (rows["金额"], rows["已批准金额"]) == ("¥150万", "¥80万") and "审批原因" in rows
    driver.text("dealer_bj_li", "我的报备")
    assert "已生效" in last_text(chat, "dealer_bj_li")
    assert "修改待审批，已批准金额 ¥80万" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_hx_sun", "查询 北京协和医院")             # protected, not "审批中"
    assert "保护至" in last_text(chat, "dealer_hx_sun") and "审批中" not in last_text(chat, "dealer_hx_sun")
    driver.text("dealer_bj_li", f"撤销 {reg.number}")             # withdrawn as it was approved
    [reg] = regs(app)
    assert reg.status == "withdrawn" and float(reg.amount_yuan) == 800_000 and reg.approved_terms is None
    assert cards_to(chat, "director")[0].stamp.startswith("已失效")


def test_a_refused_change_restores_the_verdicts_the_deal_was_approved_on(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    approved_on = regs(app)[0].verdicts
    driver.text("dealer_bj_li", f"修改 {regs(app)[0].number} 金额 150万")
    assert regs(app)[0].verdicts != approved_on                  # the tiering verdict now asks the director
    driver.click("director", cards_to(chat, "director")[0].task_id, "reject")
    driver.text("director", "金额没有依据")
    assert regs(app)[0].verdicts == approved_on


def test_an_approved_change_keeps_the_protection_it_had(app, driver, chat, clock):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    protected_until = regs(app)[0].lock_until
    clock.advance(days=10)
    driver.text("dealer_bj_li", f"修改 {regs(app)[0].number} 金额 150万")
    [card] = cards_to(chat, "director")
    driver.click("director", card.task_id, "approve")
    [reg] = regs(app)
    assert reg.status == "approved" and float(reg.amount_yuan) == 1_500_000
    assert reg.lock_until == protected_until and reg.lock_until - clock.now() < timedelta(days=90)


# ---- queries -------------------------------------------------------------------------------------

def test_a_question_glued_to_the_name_is_answered_for_the_customer(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_hx_sun", "查一下北京协和医院有没有人报过")
    reply = last_text(chat, "dealer_hx_sun")
    assert "北京协和医院" in reply and "已被其他伙伴报备" in reply


def test_an_unknown_name_is_not_called_free(app, driver, chat):
    driver.text("dealer_hx_sun", "查询 北京市不存在区某某诊所")
    reply = last_text(chat, "dealer_hx_sun")
    assert "没有找到客户" in reply and "可以报备。" not in reply


def test_a_pending_claim_is_shown_as_locked_not_protected(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    driver.text("dealer_hx_sun", "查询 北京协和医院")
    reply = last_text(chat, "dealer_hx_sun")
    assert "审批中，锁定至" in reply and "保护至" not in reply


# ---- the parser's share ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, intent, action, customer", [
    ("北京协和医院 彩超 80万 报备", "register", None, "北京协和医院"),
    ("客户：北京协和医院\n产品：彩超\n金额：80万", "register", None, "北京协和医院"),
    ("取消报备 RG20261203-0001", "register", "withdraw", None),
    ("明天去北京协和医院报备", "unknown", None, None),
    ("怎么报备", "unknown", None, None),
    ("协和 彩超 要不要报备", "unknown", None, None),
])
def test_registrations_without_the_keyword_first(text, intent, action, customer):
    p = parse_message(text)
    assert (p.intent, p.action, p.customer) == (intent, action, customer)

"""The customer lock can't be talked around (issue 12), tried as a dealer would:
北京协和医院 is held by 北京康健 (dealer_bj_li); 北京华信 (dealer_hx_sun) and
天津瑞和 try every other way of writing it."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import Customer, CustomerContest, Order, Registration, RegistrationLock
from tests.support.reading import cards_to, last_text

HOLDER = "北京康健医疗器械有限公司"


def q(app):
    return app.extensions["qudao"]


def regs(app):
    with q(app).factory() as s:
        return s.execute(select(Registration).order_by(Registration.id)).scalars().all()


def count(app, model):
    with q(app).factory() as s:
        return s.execute(select(func.count()).select_from(model)).scalar()


@pytest.fixture
def held(driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万 12月底")
    assert "报备成功" in last_text(chat, "dealer_bj_li")


# ---- one customer, every script ------------------------------------------------------------

@pytest.mark.parametrize("message", [
    "register Peking Union Medical College Hospital ultrasound 800k",      # its English name
    "register PEKING UNION MEDICAL COLLEGE HOSPITAL ultrasound 800k",
    "报备 Beijing Xiehe Hospital 彩超 80万",                                # pinyin
    "报备 Beijing Xie He Yiyuan 彩超 80万",
    "报备 北京協和醫院 彩超 80萬",                                            # traditional
    "报备 北京 协和 医院 彩超 80万",                                          # spaced out
    "报备 北京Xiehe医院 彩超 80万",                                           # mixed scripts
    "报备 Beijing协和医院 彩超 80万",
    "报备 ＰＵＭＣＨ 彩超 80万",                                              # its alias, full width
    "报备 北京市协和医院 彩超 80万",
])
def test_no_spelling_of_a_held_customer_is_accepted_for_another_partner(app, driver, chat, held, message):
    customers_before = count(app, Customer)
    driver.text("dealer_hx_sun", message)
    first, second = regs(app)
    assert second.status == "rejected" and second.customer_id == first.customer_id
    reply = last_text(chat, "dealer_hx_sun")
    assert HOLDER in reply and "registration.conflict" in reply
    assert count(app, Customer) == customers_before                 # no new customer made of the spelling
    with q(app).factory() as s:
        assert s.execute(select(RegistrationLock.registration_id)).scalars().all() == [first.id]


def test_an_english_registration_is_answered_in_english_throughout(app, driver, chat, held):
    driver.text("dealer_hx_sun", "register Beijing Xiehe Hospital ultrasound 800k")
    reply = last_text(chat, "dealer_hx_sun")
    assert reply.startswith("❌ Registration refused") and "line ultrasound" in reply and "超声" not in reply
    driver.text("dealer_hx_sun", "register Foo Clinic Co., Ltd. monitor 300k")   # a new customer, outside lines
    reply = last_text(chat, "dealer_hx_sun")
    assert "Registration refused" in reply and "监护" not in reply.split("authorised")[0]


# ---- short forms and lookalikes: never accepted silently, one card ----------------------------

def test_short_forms_go_to_the_area_manager_on_one_card_and_the_dealer_reads_no_scores(app, driver, chat, held):
    driver.text("dealer_hx_sun", "报备 协和医院 彩超 80万")
    [claim] = regs(app)[1:]
    assert claim.status == "pending" and claim.contest_id is not None
    reply = last_text(chat, "dealer_hx_sun")
    assert "北方区区域经理 王建国" in reply                        # who has the card, by name and title
    assert "北京协和医院" in reply and "相似度" not in reply and "0.7" not in reply
    assert "应驳回" not in reply and HOLDER not in reply             # no approver instruction, no other partner named
    [card] = cards_to(chat, "mgr_north")
    assert card.title == "疑似同一客户：北京协和医院" and card.rows["相似客户"].startswith("北京协和医院")
    assert card.rows["已被报备"].startswith(HOLDER) and "协和医院" in card.rows["报备1"]
    assert "相似度" in card.note                                    # the approver does see why
    # the same partner's second and third spellings: questions, no card, no lock
    driver.text("dealer_hx_sun", "报备 北京协和 彩超 80万")
    assert "就是" in last_text(chat, "dealer_hx_sun") and claim.number in last_text(chat, "dealer_hx_sun")
    driver.text("dealer_hx_sun", "报备 北京协和医院东院 彩超 80万")
    assert claim.number in last_text(chat, "dealer_hx_sun")
    assert len(regs(app)) == 2 and len(cards_to(chat, "mgr_north")) == 1
    # "是": the name is put on the claim and the one card is renewed with it
    driver.text("dealer_hx_sun", "是")
    assert "北京协和医院东院" in last_text(chat, "dealer_hx_sun") and "王建国" in last_text(chat, "dealer_hx_sun")
    with q(app).factory() as s:
        assert s.get(Registration, claim.id).other_names == ["北京协和医院东院"]
    cards = cards_to(chat, "mgr_north")
    assert [c.active for c in cards] == [False, True] and "北京协和医院东院" in cards[-1].rows["报备1"]
    assert cards[0].stamp.startswith("已更新")


def test_claims_of_several_partners_share_one_card_and_one_decision(app, driver, chat):
    driver.text("dealer_hx_sun", "报备 协和医院 彩超 80万")
    driver.text("dealer_bj_li", "报备 北京协和医院东院 监护仪 30万")
    claims = [r for r in regs(app) if r.contest_id]
    assert len(claims) == 2
    active = [c for c in cards_to(chat, "mgr_north") if c.active]
    assert len(active) == 1                                       # one card per contested customer
    with q(app).factory() as s:
        assert s.execute(select(func.count()).select_from(CustomerContest)).scalar() == 1
    driver.click("mgr_north", active[0].task_id, "reject")
    driver.text("mgr_north", "就是北京协和医院")
    assert [(r.status, r.decision_reason) for r in regs(app)] == [("rejected", "就是北京协和医院")] * 2
    for dealer in ("dealer_hx_sun", "dealer_bj_li"):
        assert "同一客户" in last_text(chat, dealer) and "就是北京协和医院" in last_text(chat, dealer)
    with q(app).factory() as s:
        assert s.execute(select(func.count()).select_from(RegistrationLock)).scalar() == 0


def test_two_partners_lookalikes_on_one_card_approved_as_new_customers(app, driver, chat):
    driver.text("dealer_hx_sun", "报备 协和医院 彩超 80万")
    driver.text("dealer_bj_li", "报备 北京协和医院东院 监护仪 30万")     # another partner, another spelling
    claims = [r for r in regs(app) if r.contest_id]
    assert len(claims) == 2 and len({r.contest_id for r in claims}) == 1
    cards = cards_to(chat, "mgr_north")
    active = [c for c in cards if c.active]
    assert len(active) == 1 and {"报备1", "报备2"} <= set(active[0].rows)
    assert all(c.stamp.startswith("已更新") for c in cards if not c.active)
    driver.click("mgr_north", active[0].task_id, "approve")
    assert [r.status for r in regs(app)] == ["approved", "approved"]
    assert "王建国" in last_text(chat, "dealer_hx_sun") and "保护期至" in last_text(chat, "dealer_hx_sun")
    assert "保护期至" in last_text(chat, "dealer_bj_li")


def test_a_big_lookalike_goes_on_to_the_director_once_it_is_another_customer(app, driver, chat):
    driver.text("dealer_hx_sun", "报备 协和医院 彩超 150万")
    reply = last_text(chat, "dealer_hx_sun")
    assert "王建国" in reply and "销售总监" in reply
    [card] = cards_to(chat, "mgr_north")
    driver.click("mgr_north", card.task_id, "approve")
    assert regs(app)[0].status == "pending"
    assert "销售总监 张伟" in last_text(chat, "dealer_hx_sun")
    [director_card] = cards_to(chat, "director")
    driver.click("director", director_card.task_id, "approve")
    assert regs(app)[0].status == "approved"


def test_a_withdrawn_claim_leaves_the_card_and_the_last_one_closes_it(app, driver, chat, held):
    driver.text("dealer_hx_sun", "报备 协和医院 彩超 80万")
    [claim] = regs(app)[1:]
    driver.text("dealer_hx_sun", f"撤销 {claim.number}")
    assert all(not c.active for c in cards_to(chat, "mgr_north"))
    with q(app).factory() as s:
        assert s.execute(select(CustomerContest.status)).scalar_one() == "decided"


def test_a_partner_holding_the_customer_is_asked_not_carded(app, driver, chat, held):
    driver.text("dealer_bj_wang", "报备 北京协和 彩超 90万")
    assert "相似" in last_text(chat, "dealer_bj_wang") and "是同一客户吗" in last_text(chat, "dealer_bj_wang")
    driver.text("dealer_bj_wang", "是")
    assert "无需重复报备" in last_text(chat, "dealer_bj_wang")
    assert len(regs(app)) == 1 and cards_to(chat, "mgr_north") == []


# ---- one message names one customer ------------------------------------------------------------

def test_words_after_the_fields_are_a_note_never_the_customer(app, driver, chat):
    driver.text("dealer_sh_chen", "报备 上海市第六人民医院 彩超 80万 12月底 客户设备科主任说预算已经批了")
    [reg] = regs(app)
    assert reg.customer_text == "上海市第六人民医院" and reg.status == "approved"
    assert reg.note == "客户设备科主任说预算已经批了"
    with q(app).factory() as s:
        assert s.get(Customer, reg.customer_id).name == "上海市第六人民医院"
    assert "备注：客户设备科主任说预算已经批了" in last_text(chat, "dealer_sh_chen")
    assert cards_to(chat, "mgr_east") == []


def test_two_organisation_names_ask_which_one(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 北京大学第一医院 彩超 80万")
    assert regs(app) == []
    asked = last_text(chat, "dealer_bj_li")
    assert "北京协和医院" in asked and "北京大学第一医院" in asked and "哪一个" in asked
    driver.text("dealer_bj_li", "2")
    [reg] = regs(app)
    assert reg.customer_text == "北京大学第一医院" and reg.status == "approved"


# ---- lookups tell the truth -----------------------------------------------------------------------

def test_a_short_query_lists_held_lookalikes_and_never_says_free(app, driver, chat, held):
    driver.text("dealer_hx_sun", "查询 协和")
    reply = last_text(chat, "dealer_hx_sun")
    assert "北京协和医院" in reply and "已被其他伙伴报备" in reply and "2027-02-21" in reply
    assert "可以报备" not in reply and "没有找到" not in reply and HOLDER not in reply
    driver.text("dealer_hx_sun", "查询 Xiehe Hospital")
    assert "北京协和医院" in last_text(chat, "dealer_hx_sun") and "可以报备" not in last_text(chat, "dealer_hx_sun")


def test_managers_see_the_lookalike_claims_waiting_on_a_customer(app, driver, chat, held):
    driver.text("dealer_hx_sun", "报备 协和医院 彩超 80万")
    [_, claim] = regs(app)
    driver.text("mgr_north", "查询 北京协和医院")
    reply = last_text(chat, "mgr_north")
    assert HOLDER in reply and claim.number in reply and "相似名称待确认" in reply and "CC" in reply
    driver.text("dealer_tj_zhao", "查询 北京协和医院")
    other = last_text(chat, "dealer_tj_zhao")
    assert "已被其他伙伴报备" in other and claim.number not in other and "相似名称" in other


# ---- understanding people ---------------------------------------------------------------------------

def test_a_command_word_typed_wrong_is_offered_corrected(app, driver, chat):
    driver.text("dealer_bj_li", "报被 北京协和医院 彩超 80万")
    assert "报备 北京协和医院 彩超 80万" in last_text(chat, "dealer_bj_li") and "是" in last_text(chat, "dealer_bj_li")
    assert regs(app) == []
    driver.text("dealer_bj_li", "好的")
    [reg] = regs(app)
    assert reg.status == "approved" and "报备成功" in last_text(chat, "dealer_bj_li")


def test_help_shows_each_role_its_own_commands_and_a_greeting_names_the_person(app, driver, chat):
    driver.text("dealer_bj_li", "帮助")
    dealer = last_text(chat, "dealer_bj_li")
    assert "报备" in dealer and "订货" in dealer and "我的额度" in dealer
    assert "待审批" not in dealer and "别名" not in dealer and "委托" not in dealer
    driver.text("mgr_north", "帮助")
    manager = last_text(chat, "mgr_north")
    assert "待审批" in manager and "查询" in manager and "订货" not in manager and "报备 客户" not in manager
    driver.text("rep_zhang", "你好")
    rep = last_text(chat, "rep_zhang")
    assert rep.startswith("您好，张勇") and "签到" in rep and "订货" not in rep
    driver.text("admin", "在吗")
    assert "别名" in last_text(chat, "admin")
    driver.text("dealer_bj_li", "hello")
    assert last_text(chat, "dealer_bj_li").startswith("Hello 李明")


def test_approvers_list_what_waits_for_them_oldest_first(app, driver, chat):
    driver.text("mgr_north", "待审批")
    assert "没有等待您审批" in last_text(chat, "mgr_north")
    driver.text("dealer_hx_sun", "报备 协和医院 彩超 80万")
    driver.text("dealer_bj_li", "订货 A100*2 收货地址：上海市浦东新区张江路100号")
    with q(app).factory() as s:
        number = s.execute(select(Order.number)).scalar_one()
    driver.text("dealer_bj_li", f"确认订单 {number}")
    driver.text("mgr_north", "我的审批")
    listing = last_text(chat, "mgr_north")
    lines = [ln for ln in listing.splitlines() if ln.startswith("> ") and ". " in ln]
    assert len(lines) == 2 and "疑似同一客户" in lines[0] and number in listing
    assert "同意 CC" in listing and f"同意 {number}" in listing and "驳回" in listing
    contest = next(w for w in listing.split() if w.startswith("CC"))
    driver.text("mgr_north", f"驳回 {contest} 就是北京协和医院")
    assert regs(app)[0].status == "rejected"


# ---- the reply names who decides ---------------------------------------------------------------

def test_the_reply_names_the_stand_in_who_actually_has_the_card(app, driver, chat):
    driver.text("mgr_north", "委托 刘洋 11月23日至11月30日")
    driver.text("dealer_hx_sun", "报备 协和医院 彩超 80万")
    reply = last_text(chat, "dealer_hx_sun")
    assert "华东区区域经理 刘洋（代 王建国）" in reply
    assert len(cards_to(chat, "mgr_east")) == 1 and cards_to(chat, "mgr_north") == []


def test_one_partner_cannot_hold_a_customer_twice_in_two_scripts(app, driver, chat):
    driver.text("dealer_tj_zhao", "register Tianjin Medical University General Hospital ultrasound 800k")
    [first] = regs(app)
    assert first.status == "approved" and "Registered" in last_text(chat, "dealer_tj_zhao")
    with q(app).factory() as s:
        assert s.get(Customer, first.customer_id).name == "天津医科大学总医院"
    driver.text("dealer_tj_zhao", "报备 天津医科大学总医院 彩超 80万")
    again = regs(app)[-1]
    assert again.status == "rejected" and "贵司已于" in last_text(chat, "dealer_tj_zhao")
    assert first.number in last_text(chat, "dealer_tj_zhao")

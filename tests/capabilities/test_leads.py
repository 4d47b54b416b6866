"""Leads through the chat: typed by a manager, posted by another system or
imported; handed to the best partner of the region and product line; given
up with a reason, timed out after the SLA, recalled with the deal made of it,
each time handed on; accepted, a registration; 我的线索 and 线索 统计."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from chat.scheduling import build_scheduler
from handlers.imports import DictRows, kind_named, run_import
from models import AuditEvent, Lead, LeadOffer, Partner, Registration
from tests.support.apps import add_integration
from tests.support.reading import cards_to, last_text, texts_to

KANGJIAN, HUAXIN, HENGYUAN = "北京康健医疗器械有限公司", "北京华信医疗科技有限公司", "上海恒远医疗设备有限公司"


def q(app):
    return app.extensions["qudao"]


def leads(app) -> list[Lead]:
    with q(app).factory() as s:
        return s.execute(select(Lead).order_by(Lead.id)).scalars().all()


def offers(app) -> list[tuple[str, str, str | None]]:
    with q(app).factory() as s:
        return [(s.get(Partner, o.partner_id).name, o.outcome, o.reason)
                for o in s.execute(select(LeadOffer).order_by(LeadOffer.id)).scalars()]


def audit_actions(app, number: str) -> list[str]:
    with q(app).factory() as s:
        return list(s.execute(select(AuditEvent.action).where(AuditEvent.entity_type == "lead",
                                                              AuditEvent.entity_id == number)
                              .order_by(AuditEvent.seq)).scalars())


def lead_cards(chat, user):
    return [c for c in cards_to(chat, user) if c.task_id.startswith("ld-")]


def typed_lead(driver, chat, text="线索 北京协和医院 彩超 50万 联系人 张主任 来源 展会") -> str:
    driver.text("mgr_north", text)
    return last_text(chat, "mgr_north")


def test_a_lead_typed_by_a_manager_goes_to_the_best_partner_of_its_region_and_line(app, driver, chat):
    reply = typed_lead(driver, chat)
    [lead] = leads(app)
    assert lead.number in reply and f"已分配给 {KANGJIAN}" in reply and "北京市" in reply
    assert (lead.status, lead.region, lead.product_line, lead.amount_yuan) == ("offered", "北京市", "超声",
                                                                               Decimal("500000.00"))
    assert (lead.contact, lead.source, lead.channel) == ("张主任", "展会", "chat")
    # Both of the partner's dealers get the card; nobody else does.
    for user in ("dealer_bj_li", "dealer_bj_wang"):
        [card] = lead_cards(chat, user)
        assert card.title == f"新线索 {lead.number}" and card.rows["客户"] == "北京协和医院"
        assert card.rows["联系人"] == "张主任" and "11-25 16:00" in card.note      # 24 working hours from Mon 10:00
    assert lead_cards(chat, "dealer_hx_sun") == [] and lead_cards(chat, "dealer_sh_chen") == []
    assert audit_actions(app, lead.number) == ["lead.created", "lead.offered"]
    with q(app).factory() as s:
        offered = s.execute(select(AuditEvent).where(AuditEvent.action == "lead.offered")).scalar_one()
        ranking = offered.verdicts[0]["facts"]["ranking"]
        assert [r["partner"] for r in ranking] == [KANGJIAN, HUAXIN]      # 天津/上海 partners never qualify


@pytest.mark.parametrize("text, words", [
    ("线索 北京协和医院 50万", "线索需要客户名称和产品"),
    ("线索 北京协和医院 彩超", "线索需要客户名称和产品"),
    ("线索 北京协和医院 彩超 -5万", "金额 -5万 不合理"),
])
def test_a_lead_missing_what_it_needs_gets_a_polite_answer_and_changes_nothing(app, driver, chat, text, words):
    assert words in typed_lead(driver, chat, text)
    assert leads(app) == []


def test_only_staff_enter_leads_and_a_partners_bare_word_lists_theirs(app, driver, chat):
    driver.text("dealer_bj_li", "线索 北京协和医院 彩超 50万")
    assert "您目前没有线索" in last_text(chat, "dealer_bj_li") and leads(app) == []


def test_a_lead_nobody_qualifies_for_goes_to_the_area_manager(app, driver, chat):
    reply = typed_lead(driver, chat, "线索 天津医科大学总医院 呼吸机 30万")     # 天津 partner has no 呼吸 line
    [lead] = leads(app)
    assert lead.status == "manager" and "没有符合条件的伙伴，已交给 王建国" in reply
    assert "线索 " + lead.number in last_text(chat, "mgr_north") or lead.number in texts_to(chat, "mgr_north")[-2]
    assert audit_actions(app, lead.number) == ["lead.created", "lead.to_manager"]


def test_the_manager_hands_a_lead_nobody_qualified_for_to_a_partner(app, driver, chat):
    typed_lead(driver, chat, "线索 天津医科大学总医院 呼吸机 30万")
    [lead] = leads(app)
    driver.text("dealer_tj_zhao", f"分配线索 {lead.number} 天津瑞和")
    assert "只有区域经理" in last_text(chat, "dealer_tj_zhao")
    driver.text("mgr_north", f"分配线索 {lead.number} 没有这家公司")
    assert "没有找到伙伴" in last_text(chat, "mgr_north") and leads(app)[0].status == "manager"
    driver.text("mgr_north", f"分配线索 {lead.number} 天津瑞和")
    assert "已将线索" in last_text(chat, "mgr_north") and "天津瑞和医疗科技有限公司" in last_text(chat, "mgr_north")
    [card] = lead_cards(chat, "dealer_tj_zhao")
    assert card.title == f"新线索 {lead.number}" and leads(app)[0].status == "offered"
    driver.text("mgr_north", f"分配线索 {lead.number} 北京华信")
    assert "不在待分配状态" in last_text(chat, "mgr_north")
    assert audit_actions(app, lead.number) == ["lead.created", "lead.to_manager", "lead.assigned"]


def test_given_up_with_a_reason_the_lead_goes_to_the_next_partner(app, driver, chat):
    typed_lead(driver, chat)
    [card] = lead_cards(chat, "dealer_bj_li")
    driver.click("dealer_bj_li", card.task_id, "decline")
    assert "请说明放弃线索" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_bj_li", "客户不在我们的服务范围")
    assert "已放弃线索" in last_text(chat, "dealer_bj_li")
    [lead] = leads(app)
    assert lead.status == "offered" and lead.offers == 2
    assert offers(app) == [(KANGJIAN, "declined", "客户不在我们的服务范围"), (HUAXIN, "pending", None)]
    [card2] = lead_cards(chat, "dealer_hx_sun")
    assert card2.title == f"新线索 {lead.number}"
    # The first partner's cards are stamped; a late tap changes nothing.
    assert any("已放弃" in st.text for st in chat.stamps_to("dealer_bj_wang"))
    driver.click("dealer_bj_wang", [c for c in lead_cards(chat, "dealer_bj_wang")][0].task_id, "accept")
    assert "不在您手上" in last_text(chat, "dealer_bj_wang") and offers(app)[0][1] == "declined"
    assert audit_actions(app, lead.number) == ["lead.created", "lead.offered", "lead.declined", "lead.offered"]


def test_typed_give_up_with_the_reason_in_one_message(app, driver, chat):
    typed_lead(driver, chat)
    [lead] = leads(app)
    driver.text("dealer_bj_li", f"放弃线索 {lead.number} 客户无预算")
    assert offers(app)[0] == (KANGJIAN, "declined", "客户无预算")


def test_no_answer_within_the_sla_hands_the_lead_on(app, driver, chat, clock):
    typed_lead(driver, chat)
    sched = build_scheduler(q(app))
    clock.advance(days=2, hours=5)          # Wed 15:00: 23 working hours gone
    sched.tick()
    assert leads(app)[0].offers == 1
    clock.advance(hours=2)                  # Wed 17:00: past the SLA
    sched.tick()
    [lead] = leads(app)
    assert offers(app) == [(KANGJIAN, "timed_out", None), (HUAXIN, "pending", None)]
    assert "24 个工作小时内未处理" in last_text(chat, "dealer_bj_li")
    assert any("已超时" in st.text for st in chat.stamps_to("dealer_bj_li"))
    [card] = lead_cards(chat, "dealer_hx_sun")
    assert card.title == f"新线索 {lead.number}"
    # The second partner times out too: nobody left, the area manager has it.
    clock.advance(days=4)                   # Sun 17:00: 19 working hours of the second offer gone
    sched.tick()
    assert leads(app)[0].status == "offered"
    clock.advance(days=2)                   # Tue 17:00
    sched.tick()
    assert leads(app)[0].status == "manager" and "已试过" in last_text(chat, "mgr_north")
    assert audit_actions(app, lead.number).count("lead.timed_out") == 2


def test_accepted_the_lead_is_a_protected_registration_and_shows_in_my_leads(app, driver, chat):
    typed_lead(driver, chat)
    [card] = lead_cards(chat, "dealer_bj_li")
    driver.click("dealer_bj_li", card.task_id, "accept")
    texts = texts_to(chat, "dealer_bj_li")
    assert any("报备成功" in x for x in texts)
    with q(app).factory() as s:
        reg = s.execute(select(Registration)).scalar_one()
    assert reg.status == "approved" and reg.customer_text == "北京协和医院" and "线索" in (reg.note or "")
    [lead] = leads(app)
    assert (lead.status, lead.registration_id) == ("converted", reg.id)
    assert f"已报备为 {reg.number}" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_bj_wang", "我的线索")
    mine = last_text(chat, "dealer_bj_wang")
    assert lead.number in mine and f"已报备 {reg.number}" in mine
    assert audit_actions(app, lead.number)[-1] == "lead.accepted"


def test_a_stale_deal_made_of_a_lead_is_recalled_and_the_lead_handed_on(app, driver, chat, clock):
    typed_lead(driver, chat)
    [card] = lead_cards(chat, "dealer_bj_li")
    driver.click("dealer_bj_li", card.task_id, "accept")
    sched = build_scheduler(q(app))
    clock.advance(days=31)
    sched.tick()
    with q(app).factory() as s:
        assert s.execute(select(Registration.status)).scalar_one() == "recalled"
    [lead] = leads(app)
    assert lead.status == "offered" and lead.registration_id is None
    assert offers(app) == [(KANGJIAN, "recalled", None), (HUAXIN, "pending", None)]
    assert any("长期未跟进被收回，线索已转给其他伙伴" in x for x in texts_to(chat, "dealer_bj_li"))
    assert len(lead_cards(chat, "dealer_hx_sun")) == 1
    assert "lead.recalled" in audit_actions(app, lead.number)


def test_lead_statistics_for_managers(app, driver, chat):
    typed_lead(driver, chat)
    typed_lead(driver, chat, "线索 北京大学第一医院 彩超 80万")
    first, _ = leads(app)
    driver.text("dealer_bj_li", f"放弃线索 {first.number} 不做这家")
    driver.click("dealer_bj_li", lead_cards(chat, "dealer_bj_li")[-1].task_id, "accept")
    driver.text("mgr_north", "线索 统计")
    stats = last_text(chat, "mgr_north")
    assert "共 2 条" in stats and "已报备 1" in stats and "待接受 1" in stats
    assert f"{KANGJIAN}：分配 2 · 接受 1 · 放弃 1 · 超时 0 · 收回 0 · 转化 1" in stats
    assert f"{HUAXIN}：分配 1 · 接受 0" in stats
    driver.text("dealer_bj_li", "线索 统计")
    assert "只对区域经理" in last_text(chat, "dealer_bj_li")


# ---- from other systems -------------------------------------------------------------

def test_leads_posted_by_another_system_with_a_token(app, chat):
    token = add_integration(app)
    client = app.test_client()
    body = {"leads": [{"ref": "CRM-1", "customer": "上海市第六人民医院", "product_line": "超声", "amount_yuan": 900000,
                       "contact": "周主任", "source": "官网"},
                      {"ref": "CRM-2", "customer": "北京协和医院", "product": "彩超", "amount_yuan": "abc"}]}
    assert client.post("/api/v1/leads", json=body).status_code == 401
    resp = client.post("/api/v1/leads", json=body, headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 207
    ok, bad = resp.json["results"]
    assert ok["created"] and ok["partner"] == HENGYUAN and ok["lead"].startswith("LD")
    assert bad["error"] == "bad_amount" and bad["ref"] == "CRM-2"
    again = client.post("/api/v1/leads", json=body["leads"][0], headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 200 and again.json["results"][0]["created"] is False
    assert len(leads(app)) == 1 and leads(app)[0].channel == "api"
    [card] = lead_cards(chat, "dealer_sh_chen")
    assert card.rows["来源"] == "官网"


@pytest.mark.parametrize("field", ["customer", "contact", "note", "source", "ref", "product_line"])
@pytest.mark.parametrize("value", [["a", "b"], {"a": 1}, True, False, [], {}])
def test_a_posted_lead_whose_text_is_a_list_or_an_object_is_refused_and_not_stored(app, field, value):
    token = add_integration(app)
    lead = {"ref": "CRM-9", "customer": "上海市第六人民医院", "product_line": "超声", "amount_yuan": 900000,
            field: value}
    resp = app.test_client().post("/api/v1/leads", json={"leads": [lead]},
                                  headers={"Authorization": f"Bearer {token}"})
    [result] = resp.json["results"]
    assert result["error"] == "bad_field" and field in result["message"], result
    assert leads(app) == []


def test_imported_leads_are_handed_out_by_the_sweep(app, chat):
    rows = DictRows([{"线索编号": "F-1", "客户名称": "北京协和医院", "产品线": "彩超", "预计金额": "500000"},
                     {"线索编号": "F-2", "客户名称": "上海市第六人民医院", "产品线": "超声", "预计金额": "300000"},
                     {"线索编号": "F-3", "客户名称": "北京协和医院", "产品线": "火箭", "预计金额": "50000"},
                     {"线索编号": "F-4", "客户名称": "北京协和医院", "产品线": "超声", "预计金额": "60"}])
    report = run_import(q(app).factory, kind_named("leads"), rows, clock=q(app).clock)
    assert report.imported == 2 and [e[0] for e in report.errors] == [4, 5]
    assert "产品线不存在" in report.errors[0][1] and "漏写了单位" in report.errors[1][1]
    assert {x.status for x in leads(app)} == {"new"}
    build_scheduler(q(app)).tick()
    got = {x.external_ref: (x.status, x.partner.name if x.partner else None) for x in _with_partner(app)}
    assert got == {"F-1": ("offered", KANGJIAN), "F-2": ("offered", HENGYUAN)}
    assert len(lead_cards(chat, "dealer_bj_li")) == 1 and len(lead_cards(chat, "dealer_sh_chen")) == 1
    number = next(x.number for x in leads(app) if x.external_ref == "F-1")
    assert audit_actions(app, number) == ["lead.created", "lead.offered"]
    again = run_import(q(app).factory, kind_named("leads"), rows, clock=q(app).clock)
    assert again.unchanged == 2 and len(leads(app)) == 2


def _with_partner(app):
    from sqlalchemy.orm import selectinload
    with q(app).factory() as s:
        return s.execute(select(Lead).options(selectinload(Lead.partner)).order_by(Lead.id)).scalars().all()

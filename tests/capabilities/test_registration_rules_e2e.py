"""Rule-store settings seen end to end: conflict scopes, possible duplicates,
unknown regions, quotas, auto-approval off."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.rules import RuleStore
from models import Registration
from tests.support.reading import cards_to, last_text


def use_rules(app, **registration):
    q = app.extensions["qudao"]
    with q.factory() as s, s.begin():
        RuleStore(q.clock).load_content(s, {"registration": registration}, source="test")


def statuses(app):
    with app.extensions["qudao"].factory() as s:
        return [r.status for r in s.execute(select(Registration).order_by(Registration.id)).scalars()]


@pytest.mark.parametrize("scope, second, expected", [
    ("customer_line", "报备 北京协和医院 监护仪 30万", ["approved", "approved"]),
    ("customer", "报备 北京协和医院 监护仪 30万", ["approved", "rejected"]),
    ("customer_department", "报备 北京协和医院 呼吸科 彩超 30万", ["approved", "approved"]),
    ("customer_department", "报备 北京协和医院 心内科 彩超 30万", ["approved", "rejected"]),
    ("customer_department", "报备 北京协和医院 彩超 30万", ["approved", "rejected"]),   # whole hospital vs a department
])
def test_conflict_scope_is_configurable(app, driver, chat, scope, second, expected):
    use_rules(app, conflict_scope=scope)
    driver.text("dealer_bj_li", "报备 北京协和医院 心内科 彩超 80万")
    driver.text("dealer_bj_wang" if "监护" in second else "dealer_hx_sun", second)
    assert statuses(app) == expected


def test_possible_duplicate_goes_to_the_area_manager_of_the_resembled_customer(app, driver, chat):
    driver.text("dealer_hx_sun", "报备 协和医院 彩超 50万")
    assert statuses(app) == ["pending"]
    reply = last_text(chat, "dealer_hx_sun")
    assert "北京协和医院" in reply and "区域经理" in reply
    [card] = cards_to(chat, "mgr_north")
    assert "疑似同一客户" in list(card.rows.values())[-1]
    assert "北京协和医院" in card.note
    assert cards_to(chat, "director") == []


def test_quota_limits_open_registrations(app, driver, chat):
    use_rules(app, open_quota=1)
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_bj_wang", "报备 北京大学第一医院 彩超 80万")
    assert statuses(app) == ["approved", "rejected"]
    assert "上限 1" in last_text(chat, "dealer_bj_wang")


def quota_verdicts(app):
    with app.extensions["qudao"].factory() as s:
        return [next(v for v in r.verdicts if v["rule_id"] == "registration.quota")
                for r in s.execute(select(Registration).order_by(Registration.id)).scalars()]


@pytest.mark.parametrize("last", ["报备 首都医科大学附属北京朝阳医院 彩超 80万",    # a known customer
                                  "报备 北京怡和康泰医疗科技有限公司 彩超 80万"])    # a new one
def test_a_quota_lowered_below_the_open_registrations_states_their_real_number(app, driver, chat, last):
    # The refusal says how many registrations are open, not just that the quota is reached.
    for name in ("北京协和医院", "北京大学第一医院", "北京世纪坛医院"):
        driver.text("dealer_bj_li", f"报备 {name} 彩超 80万")
    use_rules(app, open_quota=2)
    driver.text("dealer_bj_wang", last)
    assert statuses(app) == ["approved", "approved", "approved", "rejected"]
    assert "已有 3 个有效报备，达到上限 2" in last_text(chat, "dealer_bj_wang")
    assert quota_verdicts(app)[-1]["facts"] == {"open_registrations": 3, "quota": 2}


def test_rules_without_a_quota_count_nothing_and_refuse_nothing(app, driver, chat):
    use_rules(app, open_quota=None)
    for name in ("北京协和医院", "北京大学第一医院", "北京世纪坛医院"):
        driver.text("dealer_bj_li", f"报备 {name} 彩超 80万")
    assert statuses(app) == ["approved"] * 3
    assert [(v["outcome"], v["reason_code"], v["facts"]) for v in quota_verdicts(app)] == \
        [("pass", "NO_QUOTA", {"open_registrations": None, "quota": None})] * 3


def test_without_auto_approval_every_deal_goes_to_the_area_manager(app, driver, chat):
    use_rules(app, auto_approve=False)
    driver.text("dealer_sh_chen", "报备 上海市第六人民医院 呼吸机 2台 40万")
    assert statuses(app) == ["pending"]
    [card] = cards_to(chat, "mgr_east")
    driver.click("mgr_east", card.task_id, "approve")
    assert statuses(app) == ["approved"]
    assert "刘洋" in last_text(chat, "dealer_sh_chen")


def test_text_commands_decide_for_approvers_without_the_card(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    with app.extensions["qudao"].factory() as s:
        number = s.execute(select(Registration.number)).scalar_one()
    driver.text("director", f"驳回 {number} 预算未落实")
    assert statuses(app) == ["rejected"]
    assert "预算未落实" in last_text(chat, "dealer_bj_li")
    assert cards_to(chat, "director")[0].stamp.startswith("已驳回")


def test_only_partner_accounts_register(app, driver, chat):
    driver.text("mgr_north", "报备 北京协和医院 彩超 80万")
    assert "只有渠道伙伴" in last_text(chat, "mgr_north")
    assert statuses(app) == []

"""A registration's life as rules: each check kind of domain/rules/pipeline_checks.py
as a table (stage moves, staleness, cool-down, lost reasons, orders that win,
the appeal window, key accounts, joint registrations), and the validation of
the pipeline, appeals and key_accounts sections."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.rules import pipeline_checks as checks
from domain.rules.base import RuleError
from domain.rules.pipeline import AppealRules, KeyAccount, KeyAccountRules, PipelineRules
from domain.rules.verdict import NEEDS_APPROVAL, PASS, REJECT, WARN

P = PipelineRules()
T = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def fmt(when: datetime, pattern: str) -> str:
    return when.strftime(pattern)


@pytest.mark.parametrize("rules, current, wanted, outcome, code", [
    (P, None, "需求确认", PASS, "STAGE_FORWARD"),              # no stage yet: the first one
    (P, "初步接触", "初步接触", PASS, "SAME_STAGE"),
    (P, "初步接触", "商务谈判", PASS, "STAGE_FORWARD"),          # stages may be skipped
    (P, "方案报价", "需求确认", PASS, "STAGE_BACK"),
    (PipelineRules(allow_backward=False), "方案报价", "需求确认", REJECT, "STAGE_BACKWARD"),
    (P, "方案报价", "验收", REJECT, "UNKNOWN_STAGE"),
    (P, "方案报价", "赢单", REJECT, "UNKNOWN_STAGE"),            # won is an end, not a stage to move to
])
def test_stage_move(rules, current, wanted, outcome, code):
    v = checks.stage_move(rules, current, wanted)
    assert (v.rule_id, v.outcome, v.reason_code) == ("pipeline.stage", outcome, code)
    assert v.facts["to"] == wanted
    if outcome == REJECT:
        assert v.message and v.next_step


@pytest.mark.parametrize("idle, outcome, code, warn_days", [
    (timedelta(days=1), PASS, "ACTIVE", None),
    (timedelta(days=22, hours=23), PASS, "ACTIVE", None),       # 7 days + 1 h before the recall
    (timedelta(days=23), WARN, "STALE_SOON", 7),
    (timedelta(days=29, hours=23), WARN, "STALE_SOON", 7),
    (timedelta(days=30), REJECT, "STALE", None),
    (timedelta(days=45), REJECT, "STALE", None),
])
def test_staleness(idle, outcome, code, warn_days):
    v = checks.staleness(P, T - idle, T, fmt)
    assert (v.rule_id, v.outcome, v.reason_code) == ("pipeline.stale", outcome, code)
    assert v.facts["idle_days"] == idle.days and v.facts["stale_days"] == 30
    assert v.facts.get("warn_days") == warn_days
    if code == "STALE":
        assert f"已 {idle.days} 天没有跟进" in v.message and "申诉" in v.next_step


def test_staleness_warns_at_the_nearest_due_warning():
    rules = PipelineRules(stale_warn_days_before=(7, 1))
    assert checks.staleness(rules, T - timedelta(days=29, hours=2), T, fmt).facts["warn_days"] == 1
    assert checks.staleness(rules, T - timedelta(days=25), T, fmt).facts["warn_days"] == 7


@pytest.mark.parametrize("rules, ended_ago, how, outcome, code", [
    (P, None, None, PASS, "NO_COOLDOWN"),
    (P, timedelta(days=1), "expired", REJECT, "COOLING_DOWN"),
    (P, timedelta(days=29, hours=23), "withdrawn", REJECT, "COOLING_DOWN"),
    (P, timedelta(days=12), "recalled", REJECT, "COOLING_DOWN"),
    (P, timedelta(days=30), "expired", PASS, "COOLDOWN_OVER"),
    (PipelineRules(cooldown_days=0), timedelta(minutes=1), "withdrawn", PASS, "NO_COOLDOWN"),
])
def test_cooldown(rules, ended_ago, how, outcome, code):
    ended = checks.EndedClaim("RG20261101-0001", T - ended_ago, how) if ended_ago is not None else None
    v = checks.cooldown(rules, "北京协和医院", ended, T, fmt)
    assert (v.rule_id, v.outcome, v.reason_code) == ("registration.cooldown", outcome, code)
    if outcome == REJECT:
        assert "RG20261101-0001" in v.message and v.facts["ended_how"] == how
        assert v.facts["until"] == (T - ended_ago + timedelta(days=30)).isoformat()
        assert {"expired": "到期", "withdrawn": "撤销", "recalled": "收回"}[how] in v.message


@pytest.mark.parametrize("text, outcome, reasons, note", [
    ("竞品 价格", PASS, ["竞品", "价格"], ""),
    ("竞品 对方报价低10%", PASS, ["竞品"], "对方报价低10%"),
    ("竞品低价", PASS, ["竞品"], "低价"),                        # glued: the listed word, then the note
    ("价格、价格 太贵", PASS, ["价格"], "太贵"),
    ("客户不要了", REJECT, [], "客户不要了"),
    ("", REJECT, [], ""),
    (None, REJECT, [], ""),
])
def test_lost_reason(text, outcome, reasons, note):
    v = checks.lost_reason(P, text)
    assert (v.rule_id, v.outcome) == ("pipeline.lost_reason", outcome)
    assert v.facts["reasons"] == reasons and v.facts["note"] == note
    if outcome == REJECT:
        assert "竞品、价格、预算取消" in v.message


@pytest.mark.parametrize("rules, deal_open, code", [
    (P, True, "MARK_WON"), (P, False, "DEAL_CLOSED"), (PipelineRules(order_marks_won=False), True, "LINK_ONLY"),
])
def test_order_won(rules, deal_open, code):
    v = checks.order_won(rules, "RG20261123-0001", deal_open, "SO20261201-0003")
    assert (v.rule_id, v.outcome, v.reason_code) == ("pipeline.order_won", PASS, code)
    assert v.facts["order"] == "SO20261201-0003"


@pytest.mark.parametrize("refused_ago, how, earlier, outcome, code", [
    (timedelta(hours=1), "conflict", None, PASS, "IN_WINDOW"),
    (timedelta(days=7), "recalled", None, PASS, "IN_WINDOW"),
    (timedelta(days=7, minutes=1), "conflict", None, REJECT, "WINDOW_CLOSED"),
    (timedelta(hours=1), "conflict", "AP20261123-0001", REJECT, "ALREADY_APPEALED"),
    (None, "conflict", None, REJECT, "NOT_APPEALABLE"),
])
def test_appeal_window(refused_ago, how, earlier, outcome, code):
    refused = T - refused_ago if refused_ago is not None else None
    v = checks.appeal_window(AppealRules(), refused, how, earlier, T, fmt)
    assert (v.rule_id, v.outcome, v.reason_code) == ("appeals.window", outcome, code)
    if outcome == REJECT:
        assert v.message and v.next_step


ACCOUNT = KeyAccount("河北医科大学第二医院", "rep_zhang", "A")


@pytest.mark.parametrize("account, direct, outcome, code", [
    (None, False, PASS, "NOT_KEY_ACCOUNT"),
    (ACCOUNT, True, PASS, "DIRECT_TEAM"),
    (ACCOUNT, False, NEEDS_APPROVAL, "KEY_ACCOUNT"),
])
def test_key_account(account, direct, outcome, code):
    v = checks.key_account(KeyAccountRules(accounts=(ACCOUNT,)), "河北医科大学第二医院", account, "张勇", direct)
    assert (v.rule_id, v.outcome, v.reason_code) == ("registration.key_account", outcome, code)
    if outcome == NEEDS_APPROVAL:
        assert v.approver_role == "account_owner" and "张勇" in v.message and "30%" in v.message


@pytest.mark.parametrize("co_partner, outcome, code", [
    (None, PASS, "NOT_JOINT"), ("北京华信医疗科技有限公司", NEEDS_APPROVAL, "JOINT_ACCEPTANCE")])
def test_joint(co_partner, outcome, code):
    v = checks.joint(co_partner)
    assert (v.rule_id, v.outcome, v.reason_code) == ("registration.joint", outcome, code)


# ---- the sections, validated when loaded ----------------------------------------------------------

@pytest.mark.parametrize("section, why", [
    ({"stages": []}, "non-empty"),
    ({"stages": ["初步接触", "初步接触"]}, "twice"),
    ({"won": "初步接触"}, "no open stage"),
    ({"stage_words": {"验收": ["验"]}}, "no stage"),
    ({"stage_words": {"需求确认": ["报价"], "方案报价": ["报价"]}}, "one stage only"),
    ({"stale_days": 0}, "positive"),
    ({"stale_days": 10, "stale_warn_days_before": [10]}, "fewer days"),
    ({"cooldown_days": -1}, "0 or more"),
    ({"lost_reasons": "竞品"}, "non-empty list"),
    ({"order_marks_won": "yes"}, "true or false"),
])
def test_a_bad_pipeline_section_never_goes_live(section, why):
    with pytest.raises(RuleError, match=why):
        PipelineRules.from_dict(section)


def test_the_pipeline_section_reads_short_words():
    rules = PipelineRules.from_dict({"stage_words": {"方案报价": ["报价"], "赢单": ["中标"]}})
    assert rules.stage_for_word("报价") == "方案报价" and rules.stage_for_word("中标") == "赢单"
    assert rules.stage_for_word("商务谈判") == "商务谈判" and rules.stage_for_word("谈判") is None


@pytest.mark.parametrize("section, why", [
    ({"window_days": 0}, "positive"), ({"approver": "admin"}, "area_manager or director"),
    ({"share": 1.5}, "between 0 and 1"), ({"share": "half"}, "fraction"),
])
def test_a_bad_appeals_section_never_goes_live(section, why):
    with pytest.raises(RuleError, match=why):
        AppealRules.from_dict(section)


@pytest.mark.parametrize("section, why", [
    ({"accounts": [{"owner": "rep_zhang"}]}, "needs a customer"),
    ({"accounts": [{"customer": "甲医院"}, {"customer": "甲医院"}]}, "twice"),
    ({"accounts": {"customer": "甲医院"}}, "must be a list"),
    ({"partner_share": 0}, "between 0 and 1"),
])
def test_a_bad_key_accounts_section_never_goes_live(section, why):
    with pytest.raises(RuleError, match=why):
        KeyAccountRules.from_dict(section)


def test_key_accounts_read_with_their_defaults():
    rules = KeyAccountRules.from_dict({"accounts": [{"customer": " 甲医院 "}]})
    assert rules.accounts == (KeyAccount("甲医院", None, "A"),) and rules.partner_share == Decimal("0.3")

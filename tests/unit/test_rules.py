"""Each registration check kind, table-driven; approval timing rules."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.rules import RegistrationRules, checks
from domain.rules.base import RuleError
from domain.rules.operations import ApprovalRules
from domain.rules.verdict import NEEDS_APPROVAL, PASS, REJECT

R = RegistrationRules()


@pytest.mark.parametrize("partner_lines, lines, outcome, code", [
    (["超声", "监护"], ["超声"], PASS, "QUALIFIED"),
    (["超声", "监护"], ["超声", "监护"], PASS, "QUALIFIED"),
    (["超声"], ["呼吸"], REJECT, "NOT_QUALIFIED"),
    (["超声"], ["超声", "呼吸"], REJECT, "NOT_QUALIFIED"),
    ([], ["超声"], REJECT, "NOT_QUALIFIED"),
])
def test_qualification(partner_lines, lines, outcome, code):
    v = checks.qualification(R, partner_lines, lines)
    assert (v.outcome, v.reason_code, v.rule_id) == (outcome, code, "registration.qualification")
    if outcome == REJECT:
        assert "呼吸" in v.message or "超声" in v.message
        assert v.next_step and v.facts["missing"]


@pytest.mark.parametrize("rules, regions, region, outcome, code", [
    (R, ["北京市"], "北京市", PASS, "IN_TERRITORY"),
    (R, ["北京市", "河北省"], "河北省", PASS, "IN_TERRITORY"),
    (R, ["天津市"], "北京市", REJECT, "OUTSIDE_TERRITORY"),
    (R, ["天津市"], None, NEEDS_APPROVAL, "REGION_UNKNOWN"),
    (RegistrationRules(unknown_region="reject"), ["天津市"], None, REJECT, "REGION_UNKNOWN"),
    (RegistrationRules(require_territory=False), ["天津市"], "北京市", PASS, "TERRITORY_OFF"),
])
def test_territory(rules, regions, region, outcome, code):
    v = checks.territory(rules, regions, "某医院", region)
    assert (v.outcome, v.reason_code) == (outcome, code)
    if code == "OUTSIDE_TERRITORY":
        assert "北京市" in v.message and "天津市" in v.message


@pytest.mark.parametrize("open_count, quota, outcome", [(0, 100, PASS), (99, 100, PASS), (100, 100, REJECT),
                                                        (3, 3, REJECT)])
def test_quota(open_count, quota, outcome):
    v = checks.quota(RegistrationRules(open_quota=quota), open_count)
    assert v.outcome == outcome and v.facts == {"open_registrations": open_count, "quota": quota}


def test_no_quota_passes_every_count():
    rules = RegistrationRules.from_dict({"open_quota": None})
    assert rules.open_quota is None
    v = checks.quota(rules, None)
    assert (v.outcome, v.reason_code, v.facts) == (PASS, "NO_QUOTA", {"open_registrations": None, "quota": None})
    assert RegistrationRules.from_dict({}).open_quota == 100


@pytest.mark.parametrize("quota", [0, -1, "不限", "", True, 1.5, [1]])
def test_a_quota_is_a_positive_whole_number_or_none(quota):
    with pytest.raises(RuleError):
        RegistrationRules.from_dict({"open_quota": quota})
    assert RegistrationRules.from_dict({"open_quota": 2.0}).open_quota == 2
    assert RegistrationRules.from_dict({"open_quota": "50"}).open_quota == 50     # quoted, as every number


@pytest.mark.parametrize("amount, threshold, outcome", [
    (999_999, 1_000_000, PASS), (1_000_000, 1_000_000, NEEDS_APPROVAL),
    (1_200_000, 1_000_000, NEEDS_APPROVAL), (600_000, 500_000, NEEDS_APPROVAL)])
def test_tiering(amount, threshold, outcome):
    v = checks.tiering(RegistrationRules(tier_threshold_yuan=threshold), amount)
    assert v.outcome == outcome
    if outcome == NEEDS_APPROVAL:
        assert v.approver_role == "director" and "销售总监" in v.message


def _fmt(when, pattern="%Y-%m-%d"):
    return when.strftime(pattern)


def _holder(same_partner=False, pending=False):
    return checks.Holder("RG20261102-0001", "北京康健医疗器械有限公司", datetime(2026, 11, 2, 10, 31, tzinfo=UTC),
                         datetime(2027, 2, 1, tzinfo=UTC), "line:超声", same_partner, pending)


def test_conflict_names_the_holder_time_and_end():
    v = checks.conflict("北京协和医院", _holder(), _fmt)
    assert (v.outcome, v.reason_code) == (REJECT, "HELD_BY_OTHER")
    assert "北京康健医疗器械有限公司" in v.message and "2026-11-02 10:31" in v.message and "2027-02-01" in v.message
    assert "产品线 超声" in v.message and "保护至" in v.message and "申诉" in v.next_step
    assert checks.conflict("北京协和医院", None, _fmt).outcome == PASS


def test_conflict_with_a_pending_claim_says_locked_not_protected():
    v = checks.conflict("北京协和医院", _holder(pending=True), _fmt)
    assert "审批中，锁定至 2027-02-01" in v.message and "保护至" not in v.message


def test_conflict_with_own_company_points_at_the_record_not_an_appeal():
    v = checks.conflict("北京协和医院", _holder(same_partner=True), _fmt)
    assert (v.outcome, v.reason_code) == (REJECT, "ALREADY_YOURS")
    assert v.message.startswith("贵司已于 2026-11-02 10:31") and "RG20261102-0001" in v.message
    assert "无需重复报备" in v.message and "北京康健" not in v.message
    assert "修改 RG20261102-0001" in v.next_step and "申诉" not in v.next_step


def test_possible_duplicate_of_a_held_customer_names_the_holder():
    v = checks.customer_match("北京协和", "possible", "北京协和医院", 0.81, "一方缺少类型词", "area_manager",
                              matched_holder=_holder(), fmt=_fmt)
    assert v.outcome == NEEDS_APPROVAL and v.reason_code == "POSSIBLE_DUPLICATE"
    assert "北京康健医疗器械有限公司" in v.message and "RG20261102-0001" in v.message and "同一客户应驳回" in v.message
    assert v.facts["matched_holder_registration"] == "RG20261102-0001"


@pytest.mark.parametrize("verdict, outcome", [("duplicate", PASS), ("distinct", PASS), ("possible", NEEDS_APPROVAL)])
def test_customer_match(verdict, outcome):
    v = checks.customer_match("协和医院", verdict, "北京协和医院", 0.8, "缺少城市", "area_manager")
    assert v.outcome == outcome
    if outcome == NEEDS_APPROVAL:
        assert "北京协和医院" in v.message and v.approver_role == "area_manager"


@pytest.mark.parametrize("auto, outcome", [(True, PASS), (False, NEEDS_APPROVAL)])
def test_routine_approval(auto, outcome):
    assert checks.routine(RegistrationRules(auto_approve=auto)).outcome == outcome


CST = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("remind, now, reminded, due", [
    # 4 wall-clock hours, then 9 working hours from the step: Monday 10:00 → Tuesday 10:00
    ({"hours": 4}, datetime(2026, 12, 8, 9, 59), datetime(2026, 12, 7, 14, 0), False),
    ({"hours": 4}, datetime(2026, 12, 8, 10, 1), datetime(2026, 12, 7, 14, 0), True),
    # the same in working hours
    ({"working_hours": 4}, datetime(2026, 12, 8, 10, 1), datetime(2026, 12, 7, 14, 0), True),
    # after downtime the reminder went out Tuesday 12:00: five working hours more (the gap), 17:00
    ({"working_hours": 4}, datetime(2026, 12, 8, 16, 59), datetime(2026, 12, 8, 12, 0), False),
    ({"working_hours": 4}, datetime(2026, 12, 8, 17, 1), datetime(2026, 12, 8, 12, 0), True),
    ({"hours": 4}, datetime(2026, 12, 8, 12, 30), None, False),                   # never before the reminder
])
def test_escalation_comes_on_time_whatever_units_the_waits_use(remind, now, reminded, due):
    rules = ApprovalRules.from_dict({"remind_after": remind, "escalate_after": {"working_hours": 9}}, "Asia/Shanghai")
    created = datetime(2026, 12, 7, 10, 0, tzinfo=CST)                   # a Monday
    reminded_at = reminded.replace(tzinfo=CST) if reminded else None
    assert rules.escalation_due(created, reminded_at, now.replace(tzinfo=CST)) is due

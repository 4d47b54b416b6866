"""What-if replay: the check kinds run again on the facts a verdict recorded,
under candidate rules (table-driven, one row per rule a change can move)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.rules import checks, order_checks, replay
from domain.rules.decision import ACCEPTED, APPROVAL, REFUSED, overall
from domain.rules.model import RuleSetData
from domain.rules.order_checks import CreditFacts

T = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def rules(**sections) -> RuleSetData:
    return RuleSetData.from_dict(0, sections)


BASE = rules()


def recorded_registration(open_count=3, amount=800_000.0, region="北京市", lines=("超声",)) -> list[dict]:
    r = BASE.registration
    vs = [checks.qualification(r, ["超声", "监护"], list(lines)),
          checks.territory(r, ["北京市"], "北京协和医院", region),
          checks.quota(r, open_count),
          checks.conflict("北京协和医院", None, lambda d, p: ""),
          checks.customer_match("北京协和医院", "duplicate", "北京协和医院", 1.0, "same",
                                r.possible_duplicate_approver),
          checks.tiering(r, amount)]
    if all(v.outcome == "pass" for v in vs):
        vs.append(checks.routine(r))
    return [v.to_dict() for v in vs]


@pytest.mark.parametrize("candidate, recorded, before, after", [
    ({"registration": {"open_quota": 3}}, recorded_registration(open_count=3), (ACCEPTED, None), (REFUSED, None)),
    ({"registration": {"open_quota": 4}}, recorded_registration(open_count=3), (ACCEPTED, None), (ACCEPTED, None)),
    ({"registration": {"tiering": {"threshold_yuan": 500000}}}, recorded_registration(amount=800_000),
     (ACCEPTED, None), (APPROVAL, "director")),
    ({"registration": {"tiering": {"threshold_yuan": 2000000}}}, recorded_registration(amount=1_200_000),
     (APPROVAL, "director"), (ACCEPTED, None)),
    ({"registration": {"tiering": {"threshold_yuan": 500000, "approver": "area_manager"}}},
     recorded_registration(amount=800_000), (ACCEPTED, None), (APPROVAL, "area_manager")),
    ({"registration": {"require_territory": False}}, recorded_registration(region="上海市"),
     (REFUSED, None), (ACCEPTED, None)),
    ({"registration": {"require_qualification": False}}, recorded_registration(lines=("呼吸",)),
     (REFUSED, None), (ACCEPTED, None)),
    ({"registration": {"auto_approve": False}}, recorded_registration(), (ACCEPTED, None), (APPROVAL, "area_manager")),
    ({"registration": {"unknown_region": "reject"}}, recorded_registration(region=None),
     (APPROVAL, "area_manager"), (REFUSED, None)),
])
def test_registration_verdicts_replayed(candidate, recorded, before, after):
    assert replay.recorded_decision(recorded).key == before
    assert overall(replay.registration(rules(**candidate), recorded)).key == after


def test_a_refusal_names_the_rule_that_refuses_under_the_candidate():
    verdicts = replay.registration(rules(registration={"open_quota": 1}), recorded_registration(open_count=1))
    decision = overall(verdicts)
    assert decision.rule_id == "registration.quota" and decision.reason_code == "QUOTA_REACHED"
    quota = next(v for v in verdicts if v.rule_id == "registration.quota")
    assert quota.facts == {"open_registrations": 1, "quota": 1}


def test_facts_of_an_older_shape_stand_as_recorded():
    old = [{"rule_id": "registration.quota", "outcome": "pass", "reason_code": "UNDER_QUOTA", "message": "",
            "facts": {}}]
    [v] = [v for v in replay.registration(rules(registration={"open_quota": 1}), old)
           if v.rule_id == "registration.quota"]
    assert v.outcome == "pass"


def order_verdicts(limit=1_000_000, exposure_parts=(300_000, 200_000, 400_000), region="北京市", short=()):
    o = BASE.orders
    credit = CreditFacts(Decimal(limit) if limit is not None else None, *(Decimal(x) for x in exposure_parts))
    return [v.to_dict() for v in (
        order_checks.qualification_of(o, ["超声"], [], []),
        order_checks.credit(o, credit),
        order_checks.territory(o, ["北京市"], "北京市朝阳区", region),
        order_checks.stock_of(o, list(short), ["A100"]))]


@pytest.mark.parametrize("candidate, recorded, before, after", [
    ({"orders": {"credit_check": False}}, order_verdicts(limit=800_000), (REFUSED, None), (ACCEPTED, None)),
    ({"orders": {"no_credit_limit": "allow"}}, order_verdicts(limit=None), (REFUSED, None), (ACCEPTED, None)),
    ({"orders": {"cross_territory": "reject"}}, order_verdicts(region="上海市"),
     (APPROVAL, "area_manager"), (REFUSED, None)),
    ({"orders": {"cross_territory_approver": "director"}}, order_verdicts(region="上海市"),
     (APPROVAL, "area_manager"), (APPROVAL, "director")),
    ({"orders": {"stock_check": "reject"}}, order_verdicts(short=[{"sku": "A100", "qty": 9, "available": 2}]),
     (ACCEPTED, None), (REFUSED, None)),
])
def test_order_verdicts_replayed(candidate, recorded, before, after):
    assert replay.recorded_decision(recorded).key == before
    assert overall(replay.order(rules(**candidate), recorded)).key == after


@pytest.mark.parametrize("depth, ladder, approvers", [
    ("0.04", None, "area_manager"),
    ("0.12", None, "area_manager,director"),
    ("0.12", [{"up_to": 0.2, "steps": ["area_manager"]}, {"steps": ["director"]}], "area_manager"),
    ("0.30", [{"up_to": 0.2, "steps": ["area_manager"]}, {"steps": ["director"]}], "director"),
])
def test_special_price_ladder_replayed(depth, ladder, approvers):
    candidate = rules(**({"special_price": {"ladder": ladder}} if ladder else {}))
    assert replay.special_price(candidate, Decimal(depth)).key == (APPROVAL, approvers)


VISIT = replay.EvidenceVisit(T - timedelta(days=20), ())
DOUBTFUL = replay.EvidenceVisit(T - timedelta(days=5), ("IMPOSSIBLE_TRAVEL",))


@pytest.mark.parametrize("extension, visits, prior, outcome, code", [
    ({}, [VISIT], 0, "needs_approval", "EXTENSION"),
    ({"within_days": 10}, [VISIT], 0, "reject", "NO_EVIDENCE"),
    ({}, [DOUBTFUL], 0, "reject", "NO_EVIDENCE"),
    ({"count_suspicious_visits": True}, [DOUBTFUL], 0, "needs_approval", "EXTENSION"),
    ({"verified_visits": 2}, [VISIT, DOUBTFUL], 0, "reject", "NO_EVIDENCE"),
    ({"max_extensions": 1}, [VISIT], 1, "reject", "EXTENSIONS_USED_UP"),
    ({"approver": "director"}, [VISIT], 0, "needs_approval", "EXTENSION"),
])
def test_extension_replayed(extension, visits, prior, outcome, code):
    v = replay.extension(rules(lifecycle={"extension": extension}), visits, T, prior)
    assert (v.outcome, v.reason_code) == (outcome, code)
    if outcome == "needs_approval":
        assert v.approver_role == extension.get("approver", "area_manager")

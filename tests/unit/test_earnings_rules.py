"""Leads, splits and rebates as data: the ranking of candidates for a lead,
the split of a won deal and the rebate of a period, table by table; money in
Decimal to the fen, never a float; and the rule sections refusing bad files."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.rules.base import RuleError
from domain.rules.earnings import RebateRules, SplitRules, projected, rebate_progress, split_deal
from domain.rules.leads import Candidate, LeadRules, rank
from domain.rules.model import RuleSetData
from domain.rules.store import read_yaml
from tests.support.apps import ROOT

D = Decimal
RULES = RuleSetData.from_dict(1, read_yaml((ROOT / "config/rules/default.yaml").read_text(encoding="utf-8")))


# ---- assignment ---------------------------------------------------------------------------

def cand(pid, tier="gold", regions=("北京市",), lines=("超声",), load=0, won=0, decided=0) -> Candidate:
    return Candidate(pid, f"P{pid}", tuple(regions), tuple(lines), tier, load, won, decided)


@pytest.mark.parametrize("candidates, region, line, exclude, expected", [
    # region and product line first: only partners holding both qualify
    ([cand(1), cand(2, "silver"), cand(3, regions=("天津市",)), cand(4, lines=("监护",))], "北京市", "超声", (),
     [1, 2]),
    ([cand(1), cand(4, "standard", lines=("监护",))], "北京市", "监护", (), [4]),
    # grade, then open load and recent win rate, by the rules' weights (0.4 / 0.3 / 0.3)
    ([cand(1, load=10), cand(2, "silver", won=3, decided=3)], "北京市", "超声", (), [2, 1]),   # 0.40 vs 0.84
    ([cand(1, load=5), cand(2, "silver")], "北京市", "超声", (), [1, 2]),                      # 0.55 vs 0.54
    ([cand(1, load=6), cand(2, "silver")], "北京市", "超声", (), [2, 1]),                      # 0.52 vs 0.54
    ([cand(1, won=1, decided=4), cand(2, won=0, decided=0)], "北京市", "超声", (), [1, 2]),
    # ties: the lighter load, then the lower id
    ([cand(2), cand(1)], "北京市", "超声", (), [1, 2]),
    ([cand(1, "silver", load=2, won=1, decided=1), cand(2, "gold", load=1, won=0, decided=0)], "北京市", "超声",
     (), [1, 2]),
    # partners already tried are passed over; no region: nobody
    ([cand(1), cand(2, "silver")], "北京市", "超声", (1,), [2]),
    ([cand(1), cand(2, "silver")], "北京市", "超声", (1, 2), []),
    ([cand(1)], None, "超声", (), []),
    ([cand(1)], "上海市", "超声", (), []),
])
def test_candidates_are_ranked_by_the_rules(candidates, region, line, exclude, expected):
    assert [r.candidate.partner_id for r in rank(RULES.leads, candidates, region, line, set(exclude))] == expected


def test_a_score_is_the_weighted_sum_of_its_parts():
    [r] = rank(RULES.leads, [cand(7, "silver", load=4, won=1, decided=4)], "北京市", "超声")
    # 0.4 × 0.6 + 0.3 × (1 − 4/10) + 0.3 × 1/4 = 0.24 + 0.18 + 0.075
    assert r.score == D("0.4950") and r.parts == {"grade": D("0.6000"), "load": D("0.6000"), "win_rate": D("0.2500")}


# ---- splits -------------------------------------------------------------------------------

ALONE = {"registering": 1}


@pytest.mark.parametrize("amount, line, tier, parties, rule, pool, lines", [
    # default rule, 5% pool capped at ¥50,000; roles nobody holds go to the registering partner
    ("1000000", "超声", "silver", ALONE, "default", "50000.00", [("registering", 1, "50000.00")]),
    ("333333.33", "超声", "silver", ALONE, "default", "16666.67", [("registering", 1, "16666.67")]),
    ("600000", "监护", "gold", {"registering": 1, "delivering": 2, "introducing": 3}, "default", "30000.00",
     [("registering", 1, "18000.00"), ("delivering", 2, "7500.00"), ("introducing", 3, "4500.00")]),
    # the pool's cap, then a role's cap (introducing at most ¥5,000)
    ("2000000", "超声", "standard", {"registering": 1, "delivering": 2, "introducing": 3}, "default", "50000.00",
     [("registering", 1, "30000.00"), ("delivering", 2, "12500.00"), ("introducing", 3, "5000.00")]),
    # rounding to the fen once per line
    ("123456.78", "超声", "silver", {"registering": 1, "delivering": 2}, "default", "6172.84",
     [("registering", 1, "4629.63"), ("delivering", 2, "1543.21")]),
    # by product line and tier: gold partners on ultrasound, 6%
    ("1000000", "超声", "gold", ALONE, "ultrasound_gold", "60000.00", [("registering", 1, "60000.00")]),
    ("1000000", "超声", "gold", {"registering": 1, "delivering": 4}, "ultrasound_gold", "60000.00",
     [("registering", 1, "45000.00"), ("delivering", 4, "15000.00")]),
    # co-sold with the direct team: the co-sell rule comes first
    ("500000", "超声", "gold", {"registering": 1, "direct": "direct"}, "cosell", "25000.00",
     [("registering", 1, "7500.00"), ("direct", "direct", "17500.00")]),
    ("0", "超声", "gold", ALONE, "ultrasound_gold", "0", []),
])
def test_a_won_deal_is_split_by_the_first_matching_rule(amount, line, tier, parties, rule, pool, lines):
    split = split_deal(RULES.splits, D(amount), line, tier, parties)
    assert split.rule_id == rule and split.pool == D(pool)
    assert [(x.role, x.party, x.amount) for x in split.lines] == [(r, p, D(a)) for r, p, a in lines]
    assert all(isinstance(x.amount, Decimal) for x in split.lines) and split.total <= split.pool


def test_unclaimed_shares_can_go_to_nobody_and_no_rule_means_no_split():
    rules = SplitRules.from_dict({"unclaimed": "none", "rules": [
        {"id": "r", "when": {"product_line": "超声"}, "rate": "0.1",
         "shares": {"registering": 0.5, "delivering": 0.5}}]})
    split = split_deal(rules, D("1000"), "超声", "gold", ALONE)
    assert [(x.role, x.amount) for x in split.lines] == [("registering", D("50.00"))] and split.pool == D("100.00")
    assert split_deal(rules, D("1000"), "监护", "gold", ALONE).lines == ()


# ---- rebates ---------------------------------------------------------------------------------

Q4 = RULES.rebates.program("2026Q4")


@pytest.mark.parametrize("target, achieved, tier_at, rebate, next_at, missing, next_rebate", [
    ("1000000", "0", None, "0.00", "0.8", "800000.00", "8000.00"),
    ("1000000", "799999.99", None, "0.00", "0.8", "0.01", "8000.00"),
    ("1000000", "800000", "0.8", "8000.00", "1.0", "200000.00", "20000.00"),
    ("1000000", "1100000", "1.0", "22000.00", "1.2", "100000.00", "36000.00"),
    ("1000000", "1200000", "1.2", "36000.00", None, "0", "0"),
    ("1000000", "1500000", "1.2", "45000.00", None, "0", "0"),
    ("1500000", "166600", None, "0.00", "0.8", "1033400.00", "12000.00"),
    ("333333.33", "300000", "0.8", "3000.00", "1.0", "33333.33", "6666.67"),
])
def test_the_rebate_is_the_reached_tiers_rate_on_the_whole_value(target, achieved, tier_at, rebate, next_at,
                                                                  missing, next_rebate):
    p = rebate_progress(Q4, D(target), D(achieved))
    assert (p.tier.at if p.tier else None) == (D(tier_at) if tier_at else None)
    assert p.rebate == D(rebate) and p.missing == D(missing) and p.next_rebate == D(next_rebate)
    assert (p.next_tier.at if p.next_tier else None) == (D(next_at) if next_at else None)


@pytest.mark.parametrize("today, achieved, pace, rebate", [
    (date(2026, 11, 15), "460000", "920000.00", "9200.00"),     # day 46 of 92
    (date(2026, 12, 31), "460000", "460000.00", "0.00"),        # the last day: what is, is
    (date(2026, 10, 1), "10000", "920000.00", "9200.00"),       # the first day counts as one
])
def test_the_projection_keeps_the_pace_of_the_days_gone(today, achieved, pace, rebate):
    p = projected(Q4, D("1000000"), D(achieved), today)
    assert p.achieved == D(pace) and p.rebate == D(rebate)


# ---- the rule sections refuse bad files ----------------------------------------------------------

@pytest.mark.parametrize("section, body, words", [
    ("leads", {"weights": {"grade": 0.5, "load": 0.3, "win_rate": 0.3}}, "add up to 1"),
    ("leads", {"weights": {"grade": 1, "luck": 0}}, "weights must map"),
    ("leads", {"sla": {"days": 1}}, "leads.sla"),
    ("leads", {"fallback": "rep"}, "fallback"),
    ("splits", {"rules": [{"id": "a", "rate": 0.05, "shares": {"registering": 0.7, "delivering": 0.4}}]},
     "more than 1"),
    ("splits", {"rules": [{"id": "a", "rate": 0.05, "shares": {"boss": 1}}]}, "shares must map roles"),
    ("splits", {"rules": [{"id": "a", "rate": 2, "shares": {"registering": 1}}]}, "rate"),
    ("splits", {"rules": [{"id": "a", "rate": 0.1, "shares": {"registering": 1}},
                          {"id": "a", "rate": 0.1, "shares": {"registering": 1}}]}, "twice"),
    ("rebates", {"programs": [{"id": "q", "start": "2026-10-01", "end": "2026-09-30",
                               "tiers": [{"at": 1, "rate": 0.01}]}]}, "before its start"),
    ("rebates", {"programs": [{"id": "q", "start": "2026-10-01", "end": "2026-12-31",
                               "tiers": [{"at": 1, "rate": 0.02}, {"at": 0.8, "rate": 0.01}]}]}, "must climb"),
    ("rebates", {"programs": [{"id": "q", "start": "2026-10-01", "end": "2026-12-31", "tiers": []}]}, "tiers"),
    ("splits", {"rules": {"id": "a"}}, r"splits\.rules must be a list"),
    ("splits", {"rules": ["a"]}, r"splits\.rules\[1\] must be a mapping"),
    ("splits", {"rules": [{"rate": 0.1, "shares": {"registering": 1}}]}, r"splits\.rules\[1\] needs an id"),
    ("rebates", {"programs": "q"}, r"rebates\.programs must be a list"),
    ("rebates", {"programs": [["q"]]}, r"rebates\.programs\[1\] must be a mapping"),
    ("rebates", {"programs": [{"id": " ", "start": "2026-10-01", "end": "2026-12-31"}]},
     r"rebates\.programs\[1\] needs an id"),
])
def test_a_bad_section_never_goes_live(section, body, words):
    with pytest.raises(RuleError, match=words):
        RuleSetData.from_dict(2, {section: body})


def test_the_defaults_hold_without_the_sections():
    data = RuleSetData.from_dict(3, {})
    assert data.leads == LeadRules() and data.splits.rules == () and data.rebates == RebateRules()
    assert data.leads.sla.hours == 24 and data.leads.sla.working

"""The registration check kinds. Pure functions: facts in, one Verdict out.

Handlers gather the facts (from the database, the matcher) and call these;
texts come from handlers.common.texts so wording stays in one place.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from domain.money import json_money
from domain.rules.deals import RegistrationRules
from domain.rules.texts import t
from domain.rules.verdict import NEEDS_APPROVAL, PASS, REJECT, Verdict
from domain.rules.words import role_word, scope_word
from domain.wording import yuan


def qualification(rules: RegistrationRules, partner_lines: list[str], lines: list[str], lang="zh") -> Verdict:
    rid = "registration.qualification"
    missing = [line for line in lines if line not in partner_lines]
    facts = {"claimed_lines": lines, "partner_lines": partner_lines, "missing": missing}
    if not rules.require_qualification or not missing:
        return Verdict(rid, PASS, "QUALIFIED", "", facts)
    return Verdict(rid, REJECT, "NOT_QUALIFIED",
                   t("v_qualification_fail", lang, missing="、".join(missing), held="、".join(partner_lines) or "无"),
                   facts, t("n_qualification_fail", lang))


def territory(rules: RegistrationRules, partner_regions: list[str], customer: str, region: str | None,
              lang="zh") -> Verdict:
    rid = "registration.territory"
    facts = {"customer": customer, "customer_region": region, "partner_regions": partner_regions}
    if not rules.require_territory:
        return Verdict(rid, PASS, "TERRITORY_OFF", "", facts)
    if region is None:
        if rules.unknown_region == "reject":
            return Verdict(rid, REJECT, "REGION_UNKNOWN", t("v_region_unknown", lang, customer=customer), facts,
                           t("n_territory_fail", lang))
        return Verdict(rid, NEEDS_APPROVAL, "REGION_UNKNOWN", t("v_region_unknown", lang, customer=customer),
                       facts, approver_role="area_manager")
    if region in partner_regions:
        return Verdict(rid, PASS, "IN_TERRITORY", "", facts)
    return Verdict(rid, REJECT, "OUTSIDE_TERRITORY",
                   t("v_territory_fail", lang, customer=customer, region=region, regions="、".join(partner_regions)),
                   facts, t("n_territory_fail", lang))


def quota(rules: RegistrationRules, open_count: int | None, lang="zh") -> Verdict:
    """``open_count``: None where no quota applies, so nothing was counted."""
    rid = "registration.quota"
    facts = {"open_registrations": open_count, "quota": rules.open_quota}
    if rules.open_quota is None:
        return Verdict(rid, PASS, "NO_QUOTA", "", facts)
    if open_count < rules.open_quota:
        return Verdict(rid, PASS, "UNDER_QUOTA", "", facts)
    return Verdict(rid, REJECT, "QUOTA_REACHED", t("v_quota_fail", lang, open=open_count, quota=rules.open_quota),
                   facts, t("n_quota_fail", lang))


@dataclass(frozen=True)
class Holder:
    registration_number: str
    partner_name: str
    held_since: datetime
    until: datetime
    scope_key: str
    same_partner: bool
    pending: bool = False        # still waiting for approval: locked, not yet protected


def _lock_words(holder: Holder) -> dict:
    return {"lock": t("lock_pending" if holder.pending else "lock_protected", "zh"),
            "lock_en": t("lock_pending" if holder.pending else "lock_protected", "en")}


def conflict(customer: str, holder: Holder | None, fmt, lang="zh") -> Verdict:
    """``fmt`` formats a datetime in the company's time zone."""
    rid = "registration.conflict"
    if holder is None:
        return Verdict(rid, PASS, "FREE", "", {"customer": customer})
    facts = {"customer": customer, "holder_partner": holder.partner_name,
             "holder_registration": holder.registration_number, "held_since": holder.held_since.isoformat(),
             "protected_until": holder.until.isoformat(), "scope": holder.scope_key}
    shown = {"customer": customer, "holder": holder.partner_name, "number": holder.registration_number,
             "held_since": fmt(holder.held_since, "%Y-%m-%d %H:%M"), "scope": scope_word(holder.scope_key, lang),
             "until": fmt(holder.until, "%Y-%m-%d"), **_lock_words(holder)}
    if holder.same_partner:
        # The dealer's own company holds it (maybe a colleague): no appeal, point at the record.
        return Verdict(rid, REJECT, "ALREADY_YOURS", t("v_conflict_own", lang, **shown), facts,
                       t("n_conflict_own", lang, number=holder.registration_number))
    return Verdict(rid, REJECT, "HELD_BY_OTHER", t("v_conflict", lang, **shown), facts, t("n_conflict", lang))


def customer_match(customer: str, verdict: str, matched: str | None, score: float, reason: str,
                   approver: str, lang="zh", matched_holder: Holder | None = None, fmt=None) -> Verdict:
    """``matched_holder``: who holds the customer this one resembles. The approver must
    see it, or approving "a new customer" would hand one hospital to two partners."""
    rid = "registration.customer_match"
    facts = {"customer": customer, "match_verdict": verdict, "matched": matched, "score": round(score, 3),
             "reason": reason}
    if verdict != "possible":
        return Verdict(rid, PASS, "NEW_CUSTOMER" if verdict == "distinct" else "KNOWN_CUSTOMER", "", facts)
    if matched_holder is None:
        return Verdict(rid, NEEDS_APPROVAL, "POSSIBLE_DUPLICATE",
                       t("v_possible_duplicate", lang, matched=matched, score=f"{score:.2f}", why=reason),
                       facts, approver_role=approver)
    facts.update(matched_holder_partner=matched_holder.partner_name,
                 matched_holder_registration=matched_holder.registration_number,
                 matched_held_since=matched_holder.held_since.isoformat(),
                 matched_locked_until=matched_holder.until.isoformat())
    return Verdict(rid, NEEDS_APPROVAL, "POSSIBLE_DUPLICATE",
                   t("v_possible_duplicate_held", lang, matched=matched, score=f"{score:.2f}", why=reason,
                     holder=matched_holder.partner_name, number=matched_holder.registration_number,
                     held_since=fmt(matched_holder.held_since, "%Y-%m-%d %H:%M"),
                     until=fmt(matched_holder.until, "%Y-%m-%d"), **_lock_words(matched_holder)),
                   facts, approver_role=approver)


def tiering(rules: RegistrationRules, amount: Decimal, lang="zh") -> Verdict:
    rid = "registration.tiering"
    facts = {"amount_yuan": json_money(amount), "threshold_yuan": json_money(rules.tier_threshold_yuan)}
    if amount < rules.tier_threshold_yuan:
        return Verdict(rid, PASS, "BELOW_TIER", "", facts)
    return Verdict(rid, NEEDS_APPROVAL, "TIER_EXCEEDED",
                   t("v_tiering", lang, amount=yuan(amount), threshold=yuan(rules.tier_threshold_yuan),
                     approver=role_word(rules.tier_approver, lang)),
                   facts, approver_role=rules.tier_approver)


def routine(rules: RegistrationRules, lang="zh") -> Verdict:
    rid = "registration.approval"
    if rules.auto_approve:
        return Verdict(rid, PASS, "AUTO_APPROVED", "", {"auto_approve": True})
    return Verdict(rid, NEEDS_APPROVAL, "ROUTINE_APPROVAL",
                   t("v_routine", lang, approver=role_word("area_manager", lang)),
                   {"auto_approve": False}, approver_role="area_manager")

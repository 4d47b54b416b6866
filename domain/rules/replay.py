"""What-if: the check kinds run again on the facts a verdict recorded, under
other rules. Pure, like the checks: recorded facts and candidate rules in,
verdicts out. Gathering the recorded cases is the capabilities' job
(handlers/rules/whatif.py).

Each verdict is replayed on the facts it stored, as they were when it was
given: a registration refused under the candidate rules would not have counted
towards later quotas, but its successors are judged on the counts recorded
then (the replay shows the first-order effect of a change). Verdicts that no
rule threshold decides (the first-come conflict, the name match itself, order
quantities and prices) stand as recorded, with the candidate's approver role
where the rules name one.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from domain.money import money
from domain.rules import checks, order_checks
from domain.rules.decision import Decision, ladder, overall
from domain.rules.model import RuleSetData
from domain.rules.order_checks import CreditFacts
from domain.rules.texts import t
from domain.rules.verdict import NEEDS_APPROVAL, REJECT, Verdict

Replayer = Callable[[RuleSetData, Verdict], Verdict]


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _registration_rules() -> dict[str, Replayer]:
    def qualification(rules: RuleSetData, v: Verdict) -> Verdict:
        return checks.qualification(rules.registration, v.facts["partner_lines"], v.facts["claimed_lines"])

    def territory(rules: RuleSetData, v: Verdict) -> Verdict:
        f = v.facts
        return checks.territory(rules.registration, f["partner_regions"], f["customer"], f["customer_region"])

    def match(rules: RuleSetData, v: Verdict) -> Verdict:
        if v.outcome != NEEDS_APPROVAL:
            return v
        return replace(v, approver_role=rules.registration.possible_duplicate_approver)

    return {"registration.qualification": qualification, "registration.territory": territory,
            "registration.quota": lambda rules, v: checks.quota(rules.registration, v.facts["open_registrations"]),
            "registration.customer_match": match,
            "registration.tiering": lambda rules, v: checks.tiering(rules.registration, money(v.facts["amount_yuan"]))}


def _order_rules() -> dict[str, Replayer]:
    def qualification(rules: RuleSetData, v: Verdict) -> Verdict:
        f = v.facts
        return order_checks.qualification_of(rules.orders, f["partner_lines"], f["missing"], f["skus"])

    def credit(rules: RuleSetData, v: Verdict) -> Verdict:
        f = v.facts
        return order_checks.credit(rules.orders, CreditFacts(
            limit=_decimal(f["limit"]), receivables=_decimal(f["receivables"]),
            open_orders=_decimal(f["open_orders"]), this_order=_decimal(f["this_order"])))

    def territory(rules: RuleSetData, v: Verdict) -> Verdict:
        f = v.facts
        return order_checks.territory(rules.orders, f["partner_regions"], f["ship_to"], f["ship_to_region"])

    return {"order.qualification": qualification, "order.credit": credit, "order.territory": territory,
            "order.stock": lambda rules, v: order_checks.stock_of(rules.orders, v.facts["short"],
                                                                  v.facts["checked"])}


REGISTRATION = _registration_rules()
ORDER = _order_rules()
ROUTINE = "registration.approval"


def _replay_each(rules: RuleSetData, recorded: list[dict], kinds: dict[str, Replayer]) -> list[Verdict]:
    out = []
    for d in recorded:
        v = Verdict.from_dict(d)
        replayer = kinds.get(v.rule_id)
        try:
            out.append(replayer(rules, v) if replayer else v)
        except (KeyError, TypeError, ValueError, ArithmeticError):
            out.append(v)            # facts of an older shape: the verdict stands as recorded
    return out


def registration(rules: RuleSetData, recorded: list[dict]) -> list[Verdict]:
    """A registration's verdicts under ``rules``. The routine approval is the
    registration's own last word: it comes only when nothing else objected."""
    verdicts = [v for v in _replay_each(rules, recorded, REGISTRATION) if v.rule_id != ROUTINE]
    if all(v.outcome == "pass" for v in verdicts):
        verdicts.append(checks.routine(rules.registration))
    return verdicts


def order(rules: RuleSetData, recorded: list[dict]) -> list[Verdict]:
    return _replay_each(rules, recorded, ORDER)


def recorded_decision(recorded: list[dict]) -> Decision:
    return overall(Verdict.from_dict(d) for d in recorded)


def special_price(rules: RuleSetData, depth: Decimal) -> Decision:
    """Who would approve a discount this deep beyond policy."""
    return ladder(rules.special_price.rung_for(depth).steps, "SPECIAL_PRICE")


@dataclass(frozen=True)
class EvidenceVisit:
    """A verified visit an extension request could cite: when, and its flags' codes."""
    at: datetime
    flags: tuple[str, ...]


def extension(rules: RuleSetData, visits: list[EvidenceVisit], requested_at: datetime,
              prior_extensions: int) -> Verdict:
    """延期 under ``rules``: refused when used up or short of counted visits, else to the approver."""
    ext, rid = rules.lifecycle.extension, "lifecycle.extension"
    if prior_extensions >= ext.max_extensions:
        return Verdict(rid, REJECT, "EXTENSIONS_USED_UP",
                       t("v_ext_used_up", "zh", done=prior_extensions, max=ext.max_extensions),
                       {"extensions": prior_extensions, "max_extensions": ext.max_extensions})
    since = requested_at - timedelta(days=ext.within_days)
    counted = [v for v in visits if v.at >= since and (
        ext.count_suspicious_visits or not any(f in rules.visits.suspicious_flags for f in v.flags))]
    facts = {"verified_visits": len(counted), "needed": ext.verified_visits, "within_days": ext.within_days}
    if len(counted) < ext.verified_visits:
        return Verdict(rid, REJECT, "NO_EVIDENCE", t("v_ext_no_evidence", "zh", days=ext.within_days,
                                                     have=len(counted), need=ext.verified_visits), facts)
    return Verdict(rid, NEEDS_APPROVAL, "EXTENSION", t("v_ext_evidence", "zh", days=ext.within_days,
                                                       have=len(counted)), facts, approver_role=ext.approver)

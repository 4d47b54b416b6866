"""Typed view of a rule set, validated when loaded (a bad file never goes live)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.rules.base import ROLES, SCOPES, RuleError
from domain.rules.commerce import OrderRules, PricingRules, SpecialPriceRules
from domain.rules.deals import RegistrationRules
from domain.rules.earnings import RebateRules, SplitRules
from domain.rules.leads import LeadRules
from domain.rules.numbers import MOST_DAYS, strict
from domain.rules.operations import ApprovalRules, LifecycleRules, ScheduleRules, VisitRules
from domain.rules.pipeline import AppealRules, KeyAccountRules, PipelineRules
from domain.workcal import MAX_SEARCH_DAYS

__all__ = ["ROLES", "SCOPES", "SECTIONS", "RegistrationRules", "RuleError", "RuleSetData"]


SECTIONS = ("registration", "orders", "pricing", "special_price", "approvals", "visits", "lifecycle", "schedule",
            "pipeline", "appeals", "key_accounts", "leads", "splits", "rebates")


@dataclass(frozen=True)
class RuleSetData:
    version: int
    registration: RegistrationRules
    orders: OrderRules
    pricing: PricingRules
    special_price: SpecialPriceRules
    approvals: ApprovalRules
    visits: VisitRules
    lifecycle: LifecycleRules
    schedule: ScheduleRules
    pipeline: PipelineRules
    appeals: AppealRules
    key_accounts: KeyAccountRules
    leads: LeadRules = field(default_factory=LeadRules)
    splits: SplitRules = field(default_factory=SplitRules)
    rebates: RebateRules = field(default_factory=RebateRules)

    @classmethod
    def from_dict(cls, version: int, d: dict[str, Any], tz: str = "Asia/Shanghai") -> RuleSetData:
        if not isinstance(d, dict):
            raise RuleError("a rule file must be a mapping")
        unknown = set(d) - set(SECTIONS)
        if unknown:     # a typo'd section would otherwise silently fall back to defaults
            raise RuleError(f"unknown rule section(s): {', '.join(sorted(unknown))}; known: {', '.join(SECTIONS)}")
        section = {name: d.get(name) or {} for name in SECTIONS}
        for name, value in section.items():
            if not isinstance(value, dict):
                raise RuleError(f"rule section {name} must be a mapping")
        rules = cls(version=version, registration=RegistrationRules.from_dict(section["registration"]),
                   orders=OrderRules.from_dict(section["orders"]), pricing=PricingRules.from_dict(section["pricing"]),
                   special_price=SpecialPriceRules.from_dict(section["special_price"]),
                   approvals=ApprovalRules.from_dict(section["approvals"], tz),
                   visits=VisitRules.from_dict(section["visits"], tz),
                   lifecycle=LifecycleRules.from_dict(section["lifecycle"]),
                   schedule=ScheduleRules.from_dict(section["schedule"]),
                   pipeline=PipelineRules.from_dict(section["pipeline"]),
                   appeals=AppealRules.from_dict(section["appeals"]),
                   key_accounts=KeyAccountRules.from_dict(section["key_accounts"]),
                   leads=LeadRules.from_dict(section["leads"]), splits=SplitRules.from_dict(section["splits"]),
                   rebates=RebateRules.from_dict(section["rebates"]))
        if strict():
            _across_sections(rules)
        return rules


def _across_sections(rules: RuleSetData) -> None:
    """What no one section can check alone."""
    extension = rules.lifecycle.extension
    longest = rules.registration.protection_days + extension.max_extensions * extension.days
    if longest > MOST_DAYS:
        # Each granted extension moves the lock on: past a century, on towards year 9999.
        raise RuleError(f"registration.protection_days plus lifecycle.extension.max_extensions × days is "
                        f"{longest:,} days: at most {MOST_DAYS:,} (a century)")
    sla = rules.leads.sla
    if sla.working and not rules.approvals.calendar.days:
        raise RuleError("approvals.working_hours.days must name at least one weekday while leads.sla counts "
                        "working hours")
    if sla.working and not rules.approvals.calendar.can_add(sla.hours * 3600):
        # A lead's answer is timed on the approvals' working hours.
        raise RuleError(f"leads.sla: the approvals' working hours do not hold {sla.hours:,.10g} working hours "
                        f"within {MAX_SEARCH_DAYS // 366} years")

"""Rules of deal registration: locks, protection, conflict scope, quota,
territory and qualification switches, tiering."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.money import money
from domain.rules.base import ROLES, SCOPES, RuleError
from domain.rules.numbers import days, decimal, flag, whole


def _quota(value: Any) -> int | None:
    """A whole number of open registrations, or null: no quota. Anything else (不限,
    true, 1.5) is an error to fix, not a guess."""
    if value is None:
        return None
    try:
        return whole(value, "registration.open_quota")
    except RuleError:
        raise RuleError("registration.open_quota must be a whole number, or null for no quota, "
                        f"not {value!r}") from None


def _threshold(value: Any) -> Decimal:
    """The amount from which a deal needs the tier's approver: yuan, exact."""
    where, kind = "registration.tiering.threshold_yuan", "an amount in yuan such as 1000000"
    try:
        return money(decimal(value, where, kind))
    except ValueError:                      # beyond any amount (1e999)
        raise RuleError(f"{where} must be {kind}, not {value!r}") from None


@dataclass(frozen=True)
class RegistrationRules:
    pending_lock_days: int = 15
    protection_days: int = 90
    conflict_scope: str = "customer_line"
    open_quota: int | None = 100       # None: no quota (open_quota: null)
    require_territory: bool = True
    require_qualification: bool = True
    unknown_region: str = "needs_approval"
    auto_approve: bool = True
    tier_threshold_yuan: Decimal = Decimal(1_000_000)
    tier_approver: str = "director"
    possible_duplicate_approver: str = "area_manager"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RegistrationRules:
        tier = d.get("tiering") or {}
        r = cls(
            pending_lock_days=days(d.get("pending_lock_days", 15), "registration.pending_lock_days"),
            protection_days=days(d.get("protection_days", 90), "registration.protection_days"),
            conflict_scope=str(d.get("conflict_scope", "customer_line")),
            open_quota=_quota(d.get("open_quota", 100)),
            require_territory=flag(d.get("require_territory", True), "registration.require_territory"),
            require_qualification=flag(d.get("require_qualification", True),
                                        "registration.require_qualification"),
            unknown_region=str(d.get("unknown_region", "needs_approval")),
            auto_approve=flag(d.get("auto_approve", True), "registration.auto_approve"),
            tier_threshold_yuan=_threshold(tier.get("threshold_yuan", 1_000_000)),
            tier_approver=str(tier.get("approver", "director")),
            possible_duplicate_approver=str(d.get("possible_duplicate_approver", "area_manager")),
        )
        if r.conflict_scope not in SCOPES:
            raise RuleError(f"conflict_scope must be one of {SCOPES}, not {r.conflict_scope!r}")
        if r.unknown_region not in ("needs_approval", "reject"):
            raise RuleError("unknown_region must be needs_approval or reject")
        for role in (r.tier_approver, r.possible_duplicate_approver):
            if role not in ROLES:
                raise RuleError(f"approver role must be one of {ROLES}, not {role!r}")
        if (min(r.pending_lock_days, r.protection_days, 1 if r.open_quota is None else r.open_quota) <= 0
                or r.tier_threshold_yuan <= 0):
            raise RuleError("periods, quota and threshold must be positive")
        return r

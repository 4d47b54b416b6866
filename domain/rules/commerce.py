"""Order, pricing and special-price rules: typed, validated when loaded."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.rules.base import ROLES, RuleError
from domain.rules.numbers import days, decimal, flag, whole

CROSS_TERRITORY = ("needs_approval", "reject", "allow")
STOCK = ("warn", "reject", "off")
NO_LIMIT = ("reject", "allow")


def _choice(d: dict, key: str, default: str, allowed: tuple[str, ...], where: str) -> str:
    value = str(d.get(key, default))
    if value not in allowed:
        raise RuleError(f"{where}.{key} must be one of {allowed}, not {value!r}")
    return value


@dataclass(frozen=True)
class OrderRules:
    require_qualification: bool = True
    credit_check: bool = True              # exposure = receivables + open orders + this order ≤ limit
    no_credit_limit: str = "reject"        # partners with no credit line set up
    cross_territory: str = "needs_approval"   # ship-to outside the partner's regions (窜货)
    cross_territory_approver: str = "area_manager"
    stock_check: str = "warn"              # only where stock is loaded
    draft_valid_hours: int = 48            # an order summary not confirmed by then lapses

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> OrderRules:
        where = "orders"
        r = cls(
            require_qualification=flag(d.get("require_qualification", True), f"{where}.require_qualification"),
            credit_check=flag(d.get("credit_check", True), f"{where}.credit_check"),
            no_credit_limit=_choice(d, "no_credit_limit", "reject", NO_LIMIT, where),
            cross_territory=_choice(d, "cross_territory", "needs_approval", CROSS_TERRITORY, where),
            cross_territory_approver=_choice(d, "cross_territory_approver", "area_manager", ROLES, where),
            stock_check=_choice(d, "stock_check", "warn", STOCK, where),
            draft_valid_hours=whole(d.get("draft_valid_hours", 48), "orders.draft_valid_hours"),
        )
        if r.draft_valid_hours <= 0:
            raise RuleError("orders.draft_valid_hours must be positive")
        return r


@dataclass(frozen=True)
class PricingRules:
    # Discount off list price by partner tier, where no price list entry says otherwise.
    tier_discounts: dict[str, Decimal] = field(default_factory=lambda: {
        "gold": Decimal("0.15"), "silver": Decimal("0.10"), "standard": Decimal("0")})

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PricingRules:
        raw = d.get("tier_discounts")
        if raw is None:
            return cls()
        if not isinstance(raw, dict) or not raw:
            raise RuleError("pricing.tier_discounts must map tier names to discounts")
        out: dict[str, Decimal] = {}
        for tier, value in raw.items():
            disc = decimal(value, f"pricing.tier_discounts.{tier}", "a discount such as 0.15")
            if not Decimal(0) <= disc < Decimal(1):
                raise RuleError(f"pricing.tier_discounts.{tier} must be in [0, 1), not {value}")
            out[str(tier)] = disc
        return cls(tier_discounts=out)

    def discount_for(self, tier: str | None) -> Decimal:
        return self.tier_discounts.get(tier or "standard", self.tier_discounts.get("standard", Decimal(0)))


@dataclass(frozen=True)
class LadderRung:
    up_to: Decimal | None          # None: everything beyond the previous rung
    steps: tuple[str, ...]         # approver roles, in order
    warning: str | None = None


@dataclass(frozen=True)
class SpecialPriceRules:
    ladder: tuple[LadderRung, ...] = (
        LadderRung(Decimal("0.05"), ("area_manager",)),
        LadderRung(Decimal("0.15"), ("area_manager", "director")),
        LadderRung(None, ("director",), "折让超出特价政策上限（15%），请审慎审批"),
    )
    grant_valid_days: int = 30     # a free-standing special price can be ordered against this long

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SpecialPriceRules:
        valid = days(d.get("grant_valid_days", 30), "special_price.grant_valid_days")
        if valid <= 0:
            raise RuleError("special_price.grant_valid_days must be positive")
        raw = d.get("ladder")
        if raw is None:
            return cls(grant_valid_days=valid)
        if not isinstance(raw, list) or not raw:
            raise RuleError("special_price.ladder must be a non-empty list")
        rungs: list[LadderRung] = []
        last = Decimal(0)
        for i, item in enumerate(raw):
            if not isinstance(item, dict):
                raise RuleError(f"special_price.ladder[{i}] must be a mapping")
            steps = tuple(str(s) for s in item.get("steps") or ())
            if not steps or any(s not in ROLES for s in steps):
                raise RuleError(f"special_price.ladder[{i}].steps must list roles from {ROLES}")
            up_to = item.get("up_to")
            if up_to is None:
                if i != len(raw) - 1:
                    raise RuleError("special_price.ladder: only the last rung may be open-ended")
                rungs.append(LadderRung(None, steps, item.get("warning")))
                continue
            bound = decimal(up_to, f"special_price.ladder[{i}].up_to", "a fraction such as 0.05")
            if not last < bound <= Decimal(1):
                raise RuleError("special_price.ladder: up_to must increase and stay within (0, 1]")
            rungs.append(LadderRung(bound, steps, item.get("warning")))
            last = bound
        return cls(ladder=tuple(rungs), grant_valid_days=valid)

    def rung_for(self, depth: Decimal) -> LadderRung:
        """The rung a discount this deep beyond policy falls on; beyond the last
        bounded rung with no open rung, the deepest rung decides."""
        for rung in self.ladder:
            if rung.up_to is None or depth <= rung.up_to:
                return rung
        return self.ladder[-1]

"""A verdict: which rule, what outcome, why (code + facts), and what to do next."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PASS, REJECT, NEEDS_APPROVAL = "pass", "reject", "needs_approval"
# Passes, but the user should know (e.g. low stock may delay shipping). Only order checks use it.
WARN = "warn"


@dataclass(frozen=True)
class Verdict:
    rule_id: str                 # e.g. "registration.territory"
    outcome: str                 # pass | reject | needs_approval | warn
    reason_code: str             # e.g. OUTSIDE_TERRITORY
    message: str                 # human sentence, Chinese first
    facts: dict[str, Any] = field(default_factory=dict)
    next_step: str = ""
    approver_role: str | None = None   # for needs_approval

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Verdict:
        """A verdict as it was stored (registrations, orders and flows keep them as dicts)."""
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})

"""A verdict: which rule, what outcome, why (code + facts), and what to do next."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
from typing import Any

PASS, REJECT, NEEDS_APPROVAL = "pass", "reject", "needs_approval"
# Passes, but the user should know (e.g. low stock may delay shipping). Only order checks use it.
WARN = "warn"


# Most facts are plain values: answered before the container checks and is_dataclass
# (a hasattr on the type), which were a third of a registration's verdict copying.
_PLAIN = frozenset((str, int, float, bool, type(None)))


def _copied(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    if isinstance(value, tuple):
        items = [_copied(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


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
        # Every registration stores about ten of these: asdict's deepcopy of each
        # fact cost more than the rules that made them. Containers are copied, the
        # values in them (str, numbers, dates: immutable) are not.
        return {f.name: _copied(getattr(self, f.name)) for f in _FIELDS}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Verdict:
        """A verdict as it was stored (registrations, orders and flows keep them as dicts)."""
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})


_FIELDS = fields(Verdict)

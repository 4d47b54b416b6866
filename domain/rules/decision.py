"""What a set of verdicts adds up to: refused (the first refusing rule),
sent for approval (to the highest role any verdict asked for), or accepted.
Registrations and orders decide this way when they run, and the what-if
replay compares these decisions before and after a rule change."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.rules.verdict import NEEDS_APPROVAL, REJECT, Verdict

ACCEPTED, APPROVAL, REFUSED = "accepted", "approval", "refused"


@dataclass(frozen=True)
class Decision:
    outcome: str                     # accepted | approval | refused
    # approval: who decides, "director" / "area_manager", or a ladder "area_manager,director"
    approver: str | None = None
    rule_id: str | None = None       # refused: the first rule that refused
    reason_code: str | None = None   # refused: its reason; approval: the reasons, comma-separated

    @property
    def key(self) -> tuple[str, str | None]:
        """What two decisions must share to be the same decision for the person
        asking: accepted, refused (whichever rule refused first), or sent to the
        same approvers."""
        return (self.outcome, self.approver if self.outcome == APPROVAL else None)

    @property
    def shown_as(self) -> tuple[str, str | None, str | None]:
        """What a summary tells apart: also which rule refused."""
        return (*self.key, self.rule_id if self.outcome == REFUSED else None)

    def to_dict(self) -> dict:
        return {"outcome": self.outcome, "approver": self.approver, "rule_id": self.rule_id,
                "reason_code": self.reason_code}


def overall(verdicts: Iterable[Verdict]) -> Decision:
    verdicts = list(verdicts)
    rejects = [v for v in verdicts if v.outcome == REJECT]
    if rejects:
        return Decision(REFUSED, rule_id=rejects[0].rule_id, reason_code=rejects[0].reason_code)
    needing = [v for v in verdicts if v.outcome == NEEDS_APPROVAL]
    if needing:
        role = "director" if any(v.approver_role == "director" for v in needing) else "area_manager"
        return Decision(APPROVAL, approver=role, reason_code=",".join(v.reason_code for v in needing))
    return Decision(ACCEPTED)


def ladder(steps: Iterable[str], reason_code: str) -> Decision:
    """A decision made by a ladder of approvers, in order (special prices)."""
    return Decision(APPROVAL, approver=",".join(steps), reason_code=reason_code)

"""What every rule section shares: the approver roles, the conflict scopes,
and the error a rule file that can't go live raises."""
from __future__ import annotations

SCOPES = ("customer", "customer_line", "customer_department")
ROLES = ("area_manager", "director")


class RuleError(ValueError):
    pass

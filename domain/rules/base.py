"""What every rule section shares: the approver roles, the conflict scopes,
and the error a rule file that can't go live raises."""
from __future__ import annotations

SCOPES = ("customer", "customer_line", "customer_department")
ROLES = ("area_manager", "director")


class RuleError(ValueError):
    pass


# What building rules from a file's content may raise when a value is of the wrong
# kind (a word where a number goes): a file to fix, not a crash. RuleError is one;
# the others come from int() and float() on the values.
INVALID_RULES = (RuleError, TypeError, ValueError, ArithmeticError)

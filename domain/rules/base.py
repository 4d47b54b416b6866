"""What every rule section shares: the approver roles, the conflict scopes,
and the error a rule file that can't go live raises."""
from __future__ import annotations

SCOPES = ("customer", "customer_line", "customer_department")
ROLES = ("area_manager", "director")


class RuleError(ValueError):
    pass


# What building rules from a file's content may raise when a value is of the wrong
# kind: a file to fix, not a crash. Numbers are read strictly into RuleErrors that
# name their key (domain/rules/numbers.py); the others are a backstop for a value
# of a shape no reader expected (a list where a mapping goes).
INVALID_RULES = (RuleError, TypeError, ValueError, ArithmeticError)

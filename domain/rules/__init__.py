"""The shared rule store: rules are data, checks are a fixed set of kinds."""
from domain.rules.model import RegistrationRules, RuleSetData
from domain.rules.store import RuleStore
from domain.rules.verdict import Verdict

__all__ = ["RegistrationRules", "RuleSetData", "RuleStore", "Verdict"]

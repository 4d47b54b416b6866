"""The shared rule store: rules are data, checks are a fixed set of kinds."""
from bot.rules.model import RegistrationRules, RuleSetData
from bot.rules.store import RuleStore
from bot.rules.verdict import Verdict

__all__ = ["RegistrationRules", "RuleSetData", "RuleStore", "Verdict"]

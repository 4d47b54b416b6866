"""Customer-name matching: is a newly registered customer one we already
know?  The first valid registration locks a customer, so a missed duplicate
lets two dealers claim one hospital and a false duplicate blocks a real
new customer.  Verdicts are therefore three-way: duplicate (certain),
possible (a person decides), distinct.

Public API:
    analyse(name, aliases=None) -> NameParts
    compare(a, b, aliases=None) -> MatchResult
    best_match(name, candidates, aliases=None) -> (id, MatchResult) | None
    region_of(text) -> province-level region or None
    prepare_aliases(table) -> alias table keyed by matching form (optional,
        build once when admin keys may carry traditional/full-width text)
    reading_of(name) -> Reading: where a name is and how it sounds, the same
        for 北京协和医院, Beijing Xiehe Hospital and 北京Xiehe医院 (roman.py)
"""

from .abbrev import prepare_aliases
from .compare import best_match, compare
from .model import MatchResult, NameParts
from .parse import KEY_VERSION, analyse, region_of
from .roman import Reading, is_latinish, reading_of, readings_of

__all__ = [
    "KEY_VERSION", "MatchResult", "NameParts", "Reading", "analyse", "best_match", "compare", "is_latinish",
    "prepare_aliases", "reading_of", "readings_of", "region_of",
]

"""Rules of lead distribution (线索分配): who may get a lead, how the candidates
are ranked, how long the chosen partner has to answer, where a lead nobody
qualifies for goes. Typed and validated when loaded; the ranking is a pure
function of facts (no database), so it is tested table by table."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.rules.base import RuleError
from domain.rules.numbers import decimal, whole
from domain.rules.operations import Duration

WEIGHT_KEYS = ("grade", "load", "win_rate")
DEFAULT_WEIGHTS = {"grade": Decimal("0.4"), "load": Decimal("0.3"), "win_rate": Decimal("0.3")}
DEFAULT_GRADES = {"gold": Decimal("1"), "silver": Decimal("0.6"), "standard": Decimal("0.3")}


def _fraction(value: Any, where: str) -> Decimal:
    x = decimal(value, where, "a number between 0 and 1")
    if not Decimal(0) <= x <= Decimal(1):
        raise RuleError(f"{where} must lie between 0 and 1")
    return x


def _whole(value: Any, where: str, low: int, high: int) -> int:
    n = whole(value, where)
    if not low <= n <= high:
        raise RuleError(f"{where} must be {low}..{high}")
    return n


@dataclass(frozen=True)
class LeadRules:
    sla: Duration = Duration(24, True)  # noqa: RUF009 (frozen)             # the chosen partner answers within this, else the next one
    weights: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    grades: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_GRADES))
    full_load: int = 10                              # this many open deals and leads: the load score is 0
    win_rate_days: int = 180                         # recent win rate: deals decided in the last N days
    max_offers: int = 3                              # offered to this many partners, then to the area manager
    fallback: str = "area_manager"                   # who gets a lead nobody qualifies for

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LeadRules:
        where = "leads"
        raw_w = d.get("weights", {k: str(v) for k, v in DEFAULT_WEIGHTS.items()})
        if not isinstance(raw_w, dict) or set(raw_w) - set(WEIGHT_KEYS):
            raise RuleError(f"{where}.weights must map {', '.join(WEIGHT_KEYS)} to weights")
        weights = {k: _fraction(raw_w.get(k, 0), f"{where}.weights.{k}") for k in WEIGHT_KEYS}
        if sum(weights.values()) != Decimal(1):
            raise RuleError(f"{where}.weights must add up to 1 (they add up to {sum(weights.values())})")
        raw_g = d.get("grades", {k: str(v) for k, v in DEFAULT_GRADES.items()})
        if not isinstance(raw_g, dict) or not raw_g:
            raise RuleError(f"{where}.grades must map a partner tier to a score between 0 and 1")
        grades = {str(k): _fraction(v, f"{where}.grades.{k}") for k, v in raw_g.items()}
        fallback = str(d.get("fallback", "area_manager"))
        if fallback not in ("area_manager", "director"):
            raise RuleError(f"{where}.fallback must be area_manager or director")
        sla = Duration.from_dict(d.get("sla"), f"{where}.sla", Duration(24, True))
        return cls(sla=sla, weights=weights, grades=grades,
                   full_load=_whole(d.get("full_load", 10), f"{where}.full_load", 1, 1000),
                   win_rate_days=_whole(d.get("win_rate_days", 180), f"{where}.win_rate_days", 1, 3660),
                   max_offers=_whole(d.get("max_offers", 3), f"{where}.max_offers", 1, 50), fallback=fallback)


@dataclass(frozen=True)
class Candidate:
    """What the ranking knows of one partner."""
    partner_id: int
    name: str
    regions: tuple[str, ...]
    product_lines: tuple[str, ...]
    tier: str
    open_load: int                 # open registrations and leads offered or accepted
    won: int = 0                   # deals won in the recent window
    decided: int = 0               # deals won or lost in the recent window


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: Decimal
    parts: dict[str, Decimal]      # grade, load, win_rate: each 0..1 before its weight

    def to_dict(self) -> dict:
        return {"partner_id": self.candidate.partner_id, "partner": self.candidate.name, "score": str(self.score),
                **{k: str(v) for k, v in self.parts.items()}}


SCORE_PLACES = Decimal("0.0001")


def qualifies(c: Candidate, region: str | None, line: str | None) -> bool:
    """Region and product line first: a partner outside either never gets the lead."""
    return bool(region) and region in c.regions and (not line or line in c.product_lines)


def rank(rules: LeadRules, candidates: list[Candidate], region: str | None, line: str | None,
         exclude: set[int] | frozenset[int] = frozenset()) -> list[Ranked]:
    """The qualifying partners, best first: grade, open load and recent win rate,
    weighted by the rules; ties go to the lighter load, then the lower id."""
    out: list[Ranked] = []
    for c in candidates:
        if c.partner_id in exclude or not qualifies(c, region, line):
            continue
        grade = rules.grades.get(c.tier, Decimal(0))
        load = Decimal(1) - Decimal(min(c.open_load, rules.full_load)) / Decimal(rules.full_load)
        win = Decimal(c.won) / Decimal(c.decided) if c.decided else Decimal(0)
        parts = {"grade": grade, "load": load, "win_rate": win}
        score = sum((rules.weights[k] * v for k, v in parts.items()), Decimal(0)).quantize(SCORE_PLACES)
        out.append(Ranked(c, score, {k: v.quantize(SCORE_PLACES) for k, v in parts.items()}))
    out.sort(key=lambda r: (-r.score, r.candidate.open_load, r.candidate.partner_id))
    return out

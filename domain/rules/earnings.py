"""Rules of what partners earn: the commission split of a won deal (分润) and
rebate programs (返利). Rules are data (the rule store's `splits` and
`rebates` sections); the arithmetic here is pure and in Decimal yuan,
rounded to the fen once per line (never a float)."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from domain.money import FEN
from domain.rules.base import RuleError
from domain.rules.numbers import strict

# Who may share in a deal: the partner that registered it, the one that
# delivered it (the partner of its orders), the one that introduced it (the
# joint partner), and the direct team when the deal is co-sold.
SPLIT_ROLES = ("registering", "delivering", "introducing", "direct")
MAX_ID_CHARS = 40
PROGRAM_YEARS = range(2000, 2101)       # what a rebate program may span


def fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _decimal(value: Any, where: str, low: Decimal | None = None, high: Decimal | None = None) -> Decimal:
    try:
        x = Decimal(str(value))
    except InvalidOperation as exc:
        raise RuleError(f"{where} must be a number") from exc
    if not x.is_finite() or (low is not None and x < low) or (high is not None and x > high):
        raise RuleError(f"{where} must lie between {low} and {high}")
    return x


def _rule_id(value: Any, where: str) -> str:
    text = str(value or "").strip()
    if not text or len(text) > MAX_ID_CHARS:
        raise RuleError(f"{where} needs an id of 1..{MAX_ID_CHARS} characters")
    return text


def _entries(d: dict[str, Any], key: str, section: str) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``d[key]``, a list of mappings with ids: (where, the mapping, its id) each."""
    raw = d.get(key) or []
    if not isinstance(raw, list):
        raise RuleError(f"{section}.{key} must be a list")
    for i, entry in enumerate(raw, 1):
        where = f"{section}.{key}[{i}]"
        if not isinstance(entry, dict):
            raise RuleError(f"{where} must be a mapping")
        yield where, entry, _rule_id(entry.get("id"), where)


# ---- splits ------------------------------------------------------------------

@dataclass(frozen=True)
class SplitRule:
    id: str
    rate: Decimal                               # the deal's commission pool, as a fraction of its amount
    shares: dict[str, Decimal]                  # role → fraction of the pool (adding up to at most 1)
    cap_yuan: Decimal | None = None             # the pool never exceeds this
    role_caps: dict[str, Decimal] = field(default_factory=dict)   # one role's line never exceeds this
    product_line: str | None = None             # applies to deals of this product line only
    tier: str | None = None                     # …of partners of this tier only
    cosell: bool | None = None                  # …co-sold with the direct team (True) or not (False)

    def matches(self, product_line: str | None, tier: str | None, cosell: bool) -> bool:
        return ((self.product_line is None or self.product_line == product_line)
                and (self.tier is None or self.tier == tier)
                and (self.cosell is None or self.cosell == cosell))


@dataclass(frozen=True)
class SplitRules:
    rules: tuple[SplitRule, ...] = ()
    # A role nobody holds on a deal (no distinct delivering partner, no introducer):
    # its share goes to the registering partner ("registering") or to nobody ("none").
    unclaimed: str = "registering"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SplitRules:
        rules: list[SplitRule] = []
        for where, r, rid in _entries(d, "rules", "splits"):
            shares_raw = r.get("shares")
            if not isinstance(shares_raw, dict) or not shares_raw or set(shares_raw) - set(SPLIT_ROLES):
                raise RuleError(f"{where}.shares must map roles ({', '.join(SPLIT_ROLES)}) to fractions")
            shares = {k: _decimal(v, f"{where}.shares.{k}", Decimal(0), Decimal(1)) for k, v in shares_raw.items()}
            if sum(shares.values()) > Decimal(1):
                raise RuleError(f"{where}.shares add up to more than 1")
            when = r.get("when") or {}
            if not isinstance(when, dict) or set(when) - {"product_line", "tier", "cosell"}:
                raise RuleError(f"{where}.when may name product_line, tier and cosell only")
            if "cosell" in when and not isinstance(when["cosell"], bool):
                raise RuleError(f"{where}.when.cosell must be true or false")
            caps_raw = r.get("role_caps") or {}
            if not isinstance(caps_raw, dict) or set(caps_raw) - set(SPLIT_ROLES):
                raise RuleError(f"{where}.role_caps must map roles to amounts in yuan")
            cap = r.get("cap_yuan")
            rules.append(SplitRule(
                id=rid, rate=_decimal(r.get("rate"), f"{where}.rate", Decimal(0), Decimal(1)), shares=shares,
                cap_yuan=_decimal(cap, f"{where}.cap_yuan", Decimal(0)) if cap is not None else None,
                role_caps={k: _decimal(v, f"{where}.role_caps.{k}", Decimal(0)) for k, v in caps_raw.items()},
                product_line=str(when["product_line"]) if when.get("product_line") else None,
                tier=str(when["tier"]) if when.get("tier") else None, cosell=when.get("cosell")))
        ids = [r.id for r in rules]
        if len(set(ids)) != len(ids):
            raise RuleError("splits.rules names a rule id twice")
        unclaimed = str(d.get("unclaimed", "registering"))
        if unclaimed not in ("registering", "none"):
            raise RuleError("splits.unclaimed must be registering or none")
        return cls(rules=tuple(rules), unclaimed=unclaimed)

    def rule_for(self, product_line: str | None, tier: str | None, cosell: bool) -> SplitRule | None:
        """The first rule (in file order) that matches the deal."""
        return next((r for r in self.rules if r.matches(product_line, tier, cosell)), None)


@dataclass(frozen=True)
class SplitLine:
    role: str
    party: Any                     # who holds the role (a partner id; "direct" for the direct team)
    share: Decimal                 # of the pool
    amount: Decimal                # yuan, to the fen
    capped: bool = False


@dataclass(frozen=True)
class Split:
    rule_id: str | None
    base: Decimal                  # the deal's amount the pool is taken from
    pool: Decimal
    lines: tuple[SplitLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((x.amount for x in self.lines), Decimal(0))


def split_deal(rules: SplitRules, amount: Decimal, product_line: str | None, tier: str | None,
               parties: dict[str, Any]) -> Split:
    """The split of a deal worth ``amount``: ``parties`` names who holds each role
    (registering always; delivering, introducing, direct when there is one).
    One line per party and role that earns something; shares of roles nobody
    holds go where ``unclaimed`` says."""
    cosell = parties.get("direct") is not None
    rule = rules.rule_for(product_line, tier, cosell)
    amount = fen(Decimal(amount))
    if rule is None or amount <= 0:
        return Split(rule.id if rule else None, amount, Decimal(0), ())
    pool = fen(amount * rule.rate)
    if rule.cap_yuan is not None and pool > rule.cap_yuan:
        pool = fen(rule.cap_yuan)
    shares: dict[str, Decimal] = {}
    for role in SPLIT_ROLES:
        share = rule.shares.get(role, Decimal(0))
        if not share:
            continue
        holder = parties.get(role)
        if holder is None:
            if rules.unclaimed == "registering":
                shares["registering"] = shares.get("registering", Decimal(0)) + share
            continue
        shares[role] = shares.get(role, Decimal(0)) + share
    lines: list[SplitLine] = []
    for role in SPLIT_ROLES:
        if role not in shares:
            continue
        value = fen(pool * shares[role])
        cap = rule.role_caps.get(role)
        capped = cap is not None and value > cap
        lines.append(SplitLine(role, parties[role], shares[role], fen(cap) if capped else value, capped))
    return Split(rule.id, amount, pool, tuple(lines))


# ---- rebates -------------------------------------------------------------------

@dataclass(frozen=True)
class RebateTier:
    at: Decimal                    # reached at this fraction of the target (0.8 = 80%)
    rate: Decimal                  # of the whole achieved value


@dataclass(frozen=True)
class RebateProgram:
    id: str
    name: str
    start: date
    end: date                      # inclusive
    tiers: tuple[RebateTier, ...]
    product_lines: tuple[str, ...] = ()      # empty: every line
    nudge_within: Decimal = Decimal("0.1")   # nudge partners this close (of target) below the next tier
    approver: str = "director"

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class RebateRules:
    programs: tuple[RebateProgram, ...] = ()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RebateRules:
        programs: list[RebateProgram] = []
        for where, p, pid in _entries(d, "programs", "rebates"):
            try:
                start, end = date.fromisoformat(str(p.get("start"))), date.fromisoformat(str(p.get("end")))
            except ValueError as exc:
                raise RuleError(f"{where}.start and .end must be dates (2026-10-01)") from exc
            if end < start:
                raise RuleError(f"{where}.end comes before its start")
            if strict() and not (PROGRAM_YEARS[0] <= start.year and end.year <= PROGRAM_YEARS[-1]):
                # Its days are turned into instants at midnight and the day after: year 1 or
                # 9999 fall off what a date holds, failing every 我的返利 and the nudges.
                raise RuleError(f"{where}: start and end must lie in {PROGRAM_YEARS[0]}..{PROGRAM_YEARS[-1]}")
            tiers_raw = p.get("tiers")
            if not isinstance(tiers_raw, list) or not tiers_raw:
                raise RuleError(f"{where}.tiers must be a non-empty list of {{at, rate}}")
            tiers = []
            for j, t in enumerate(tiers_raw, 1):
                if not isinstance(t, dict):
                    raise RuleError(f"{where}.tiers[{j}] must be {{at, rate}}")
                tiers.append(RebateTier(_decimal(t.get("at"), f"{where}.tiers[{j}].at", Decimal("0.01"),
                                                 Decimal(10)),
                                        _decimal(t.get("rate"), f"{where}.tiers[{j}].rate", Decimal(0),
                                                 Decimal("0.5"))))
            if [t.at for t in tiers] != sorted({t.at for t in tiers}) or \
                    [t.rate for t in tiers] != sorted(t.rate for t in tiers):
                raise RuleError(f"{where}.tiers must climb: each tier at a higher share of target and rate")
            lines = p.get("product_lines") or []
            if not isinstance(lines, list):
                raise RuleError(f"{where}.product_lines must be a list")
            approver = str(p.get("approver", "director"))
            if approver not in ("area_manager", "director"):
                raise RuleError(f"{where}.approver must be area_manager or director")
            programs.append(RebateProgram(
                id=pid, name=str(p.get("name") or pid)[:60], start=start, end=end, tiers=tuple(tiers),
                product_lines=tuple(str(x) for x in lines),
                nudge_within=_decimal(p.get("nudge_within", "0.1"), f"{where}.nudge_within", Decimal(0),
                                      Decimal(1)), approver=approver))
        ids = [p.id for p in programs]
        if len(set(ids)) != len(ids):
            raise RuleError("rebates.programs names a program id twice")
        return cls(programs=tuple(programs))

    def program(self, pid: str) -> RebateProgram | None:
        return next((p for p in self.programs if p.id == pid), None)

    def current(self, day: date) -> list[RebateProgram]:
        return [p for p in self.programs if p.covers(day)]


@dataclass(frozen=True)
class RebateProgress:
    target: Decimal
    achieved: Decimal
    ratio: Decimal                        # achieved / target, 4 places
    tier: RebateTier | None               # the highest tier reached
    rebate: Decimal                       # achieved × the reached tier's rate, to the fen
    next_tier: RebateTier | None
    missing: Decimal                      # yuan still to reach the next tier (0 at the top)
    next_rebate: Decimal                  # the rebate on reaching the next tier exactly


def rebate_progress(program: RebateProgram, target: Decimal, achieved: Decimal) -> RebateProgress:
    target, achieved = fen(Decimal(target)), fen(Decimal(achieved))
    ratio = (achieved / target).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) if target > 0 else Decimal(0)
    reached = [t for t in program.tiers if target > 0 and achieved >= fen(target * t.at)]
    tier = reached[-1] if reached else None
    upcoming = [t for t in program.tiers if t not in reached]
    nxt = upcoming[0] if upcoming and target > 0 else None
    missing = fen(target * nxt.at) - achieved if nxt else Decimal(0)
    return RebateProgress(target=target, achieved=achieved, ratio=ratio, tier=tier,
                          rebate=fen(achieved * tier.rate) if tier else Decimal("0.00"), next_tier=nxt,
                          missing=missing, next_rebate=fen(target * nxt.at * nxt.rate) if nxt else Decimal(0))


def projected(program: RebateProgram, target: Decimal, achieved: Decimal, today: date) -> RebateProgress:
    """Where the period ends if the partner keeps the pace of the days gone so far."""
    days = (program.end - program.start).days + 1
    gone = min(max((today - program.start).days + 1, 1), days)
    pace = fen(Decimal(achieved) * Decimal(days) / Decimal(gone))
    return rebate_progress(program, target, pace)

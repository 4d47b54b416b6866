"""Rules of a registration's life after it is accepted: the stages a deal
moves through, how long it may sit without a follow-up before it is recalled,
the cool-down before a partner may claim a released customer again, why deals
are lost, whether an order marks its deal won; appeals; key accounts and
co-selling. Typed and validated when loaded."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from domain.rules.base import RuleError
from domain.rules.numbers import days, decimal, whole, whole_list

MAX_NAME_CHARS = 20         # a stage or a lost reason is a short word people type
DEFAULT_STAGES = ("初步接触", "需求确认", "方案报价", "商务谈判")
DEFAULT_STAGE_WORDS = {
    "需求确认": ("确认需求", "需求"),
    "方案报价": ("报价", "出方案", "方案"),
    "商务谈判": ("谈判", "商务"),
    "赢单": ("成交", "签约", "中标"),
    "输单": ("丢单", "失败"),
}
DEFAULT_LOST_REASONS = ("竞品", "价格", "预算取消", "需求变化", "关系", "其他")


def _words(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise RuleError(f"{where} must be a non-empty list")
    words = tuple(str(v).strip() for v in value)
    if any(not w or len(w) > MAX_NAME_CHARS for w in words):
        raise RuleError(f"{where}: every entry must be 1..{MAX_NAME_CHARS} characters")
    if len(set(words)) != len(words):
        raise RuleError(f"{where} lists an entry twice")
    return words


def _positive_days(value: Any, where: str, zero_ok: bool = False) -> int:
    count = days(value, where)
    if count < 0 or (count == 0 and not zero_ok):
        raise RuleError(f"{where} must be {'0 or more' if zero_ok else 'positive'} days")
    return count


def _share(value: Any, where: str) -> Decimal:
    share = decimal(value, where, "a fraction such as 0.3")
    if not Decimal(0) < share < Decimal(1):
        raise RuleError(f"{where} must lie between 0 and 1 (0.3 = 30%)")
    return share


def _flag(d: dict, key: str, default: bool, where: str) -> bool:
    value = d.get(key, default)
    if not isinstance(value, bool):
        raise RuleError(f"{where}.{key} must be true or false")
    return value


@dataclass(frozen=True)
class PipelineRules:
    stages: tuple[str, ...] = DEFAULT_STAGES          # open stages, in order
    won: str = "赢单"
    lost: str = "输单"
    # Short forms ("RG… 报价了"): word → stage (or the won / lost word).
    stage_words: tuple[tuple[str, str], ...] = tuple(
        (w, stage) for stage, words in DEFAULT_STAGE_WORDS.items() for w in words)
    allow_backward: bool = True                       # a deal may fall back a stage
    stale_days: int = 30                              # no follow-up this long: recalled
    stale_warn_days_before: tuple[int, ...] = (7,)    # warnings before the recall
    cooldown_days: int = 30                           # after expiry, withdrawal or recall
    lost_reasons: tuple[str, ...] = DEFAULT_LOST_REASONS
    order_marks_won: bool = True                      # a confirmed order naming the deal marks it won
    visits_count_as_follow_up: bool = True            # a verified check-in at the customer

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PipelineRules:
        where = "pipeline"
        stages = _words(d.get("stages", list(DEFAULT_STAGES)), f"{where}.stages")
        won, lost = str(d.get("won", "赢单")).strip(), str(d.get("lost", "输单")).strip()
        if not won or not lost or won == lost or {won, lost} & set(stages):
            raise RuleError(f"{where}.won and .lost must be two words that are no open stage")
        raw_words = d.get("stage_words", {k: list(v) for k, v in DEFAULT_STAGE_WORDS.items()})
        if not isinstance(raw_words, dict):
            raise RuleError(f"{where}.stage_words must map a stage to its short words")
        pairs: list[tuple[str, str]] = []
        for stage, words in raw_words.items():
            if stage not in (*stages, won, lost):
                raise RuleError(f"{where}.stage_words: {stage!r} is no stage")
            pairs += [(w, str(stage)) for w in _words(words, f"{where}.stage_words.{stage}")]
        names = [w for w, _ in pairs]
        if len(set(names)) != len(names) or any(w in (*stages, won, lost) and w != s for w, s in pairs):
            raise RuleError(f"{where}.stage_words: a short word may stand for one stage only")
        stale = _positive_days(d.get("stale_days", 30), f"{where}.stale_days")
        warn = tuple(sorted({_positive_days(x, f"{where}.stale_warn_days_before")
                             for x in whole_list(d.get("stale_warn_days_before", [7]),
                                                 f"{where}.stale_warn_days_before")}, reverse=True))
        if any(x >= stale for x in warn):
            raise RuleError(f"{where}.stale_warn_days_before must be fewer days than stale_days")
        return cls(stages=stages, won=won, lost=lost, stage_words=tuple(pairs),
                   allow_backward=_flag(d, "allow_backward", True, where), stale_days=stale,
                   stale_warn_days_before=warn,
                   cooldown_days=_positive_days(d.get("cooldown_days", 30), f"{where}.cooldown_days", zero_ok=True),
                   lost_reasons=_words(d.get("lost_reasons", list(DEFAULT_LOST_REASONS)), f"{where}.lost_reasons"),
                   order_marks_won=_flag(d, "order_marks_won", True, where),
                   visits_count_as_follow_up=_flag(d, "visits_count_as_follow_up", True, where))

    @property
    def first_stage(self) -> str:
        return self.stages[0]

    def stage_index(self, stage: str | None) -> int:
        """Where a stage stands in the order (None: the first stage)."""
        return self.stages.index(stage) if stage in self.stages else 0

    def stage_for_word(self, word: str) -> str | None:
        """The stage a word names: a stage's own name, or one of its short words."""
        if word in (*self.stages, self.won, self.lost):
            return word
        return next((stage for w, stage in self.stage_words if w == word), None)


@dataclass(frozen=True)
class AppealRules:
    window_days: int = 7                  # a refused or recalled partner appeals within this many days
    approver: str = "area_manager"        # the director when the area manager is a party
    share: Decimal = Decimal("0.5")       # the appellant's share when a dispute is settled as co-selling
    max_photos: int = 9

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AppealRules:
        approver = str(d.get("approver", "area_manager"))
        if approver not in ("area_manager", "director"):
            raise RuleError("appeals.approver must be area_manager or director")
        photos = whole(d.get("max_photos", 9), "appeals.max_photos")
        if not 0 <= photos <= 50:
            raise RuleError("appeals.max_photos must be 0..50")
        return cls(window_days=_positive_days(d.get("window_days", 7), "appeals.window_days"), approver=approver,
                   share=_share(d.get("share", "0.5"), "appeals.share"), max_photos=photos)


@dataclass(frozen=True)
class KeyAccount:
    customer: str                 # the customer's name as the direct team knows it
    owner: str | None             # the userid of the direct-team member who owns it
    tier: str                     # size tier: A, B, 战略 …


@dataclass(frozen=True)
class KeyAccountRules:
    accounts: tuple[KeyAccount, ...] = field(default_factory=tuple)
    # A partner's share of a co-sold key-account deal, unless the decision says otherwise
    # (the split rules of the next issue refine it).
    partner_share: Decimal = Decimal("0.3")

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> KeyAccountRules:
        raw = d.get("accounts") or []
        if not isinstance(raw, list):
            raise RuleError("key_accounts.accounts must be a list")
        accounts: list[KeyAccount] = []
        for i, a in enumerate(raw, 1):
            if not isinstance(a, dict) or not str(a.get("customer") or "").strip():
                raise RuleError(f"key_accounts.accounts[{i}] needs a customer")
            owner = a.get("owner")
            accounts.append(KeyAccount(customer=str(a["customer"]).strip(),
                                       owner=str(owner).strip() if owner else None,
                                       tier=str(a.get("tier") or "A").strip()[:MAX_NAME_CHARS]))
        names = [a.customer for a in accounts]
        if len(set(names)) != len(names):
            raise RuleError("key_accounts.accounts lists a customer twice")
        return cls(accounts=tuple(accounts),
                   partner_share=_share(d.get("partner_share", "0.3"), "key_accounts.partner_share"))

"""Data types of the matcher: the public NameParts / MatchResult and the
internal Parsed record that carries what comparison needs beyond them."""

from __future__ import annotations

from dataclasses import dataclass, field

from .regions import Place

DUPLICATE = "duplicate"
POSSIBLE = "possible"
DISTINCT = "distinct"


@dataclass(frozen=True)
class NameParts:
    original: str
    simplified: str        # trad→simp, full→half width, () brackets, spaces collapsed, latin upper
    region: str | None     # province-level region the name implies ("北京市", "山东省")
    city: str | None       # most specific place found ("广州市", "番禺区", "北京市")
    core: str              # distinguishing body: places and legal forms removed, 第N in Arabic
    type_word: str | None  # institution type it ends with (医院, 医学院, 中医医院, 公司 …)
    ordinal: str | None    # "1" for 第一/第1/一院
    branch: str | None     # "北京分行", "(北京)"
    key: str               # canonical key: equal only for names that are surely one organisation
    steps: tuple[str, ...]  # human-readable normalisations applied


@dataclass(frozen=True)
class MatchResult:
    verdict: str           # "duplicate" | "possible" | "distinct"
    score: float           # 0..1
    reason: str            # one short Chinese sentence naming the deciding fact
    details: tuple[str, ...]  # normalisation steps and rules that applied, for ops


@dataclass(frozen=True)
class Parsed:
    """Everything compare() looks at.  `parts` is what analyse() returns."""
    parts: NameParts
    places: tuple[Place, ...] = ()     # leading place words, in order
    province: str | None = None        # canonical chain, ancestors filled in
    city: str | None = None
    district: str | None = None
    core: str = ""                     # same as parts.core
    body: str = ""                     # core minus type word and 第N
    inst_type: str | None = None       # type word read from the core only
    ordinal: str | None = None
    branch_key: str | None = None      # canonical branch for comparison
    group: bool = False                # 集团 / GROUP was present
    alts: tuple[str, ...] = ()         # bracket contents that look like other names
    latin: bool = False
    place_words: frozenset[str] = field(default_factory=frozenset)  # raw/canonical/short place spellings

    @property
    def empty(self) -> bool:
        return not self.parts.key

    @property
    def chain(self) -> tuple[str | None, str | None, str | None]:
        return self.province, self.city, self.district

    @property
    def most_specific(self) -> tuple[int, str] | None:
        """(level, name) of the most specific place, None if no place."""
        if self.district:
            return 3, self.district
        if self.city:
            return 2, self.city
        if self.province:
            return 1, self.province
        return None

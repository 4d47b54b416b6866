"""The tokens of the shared candidate index (table customer_tokens): what a
customer is filed under and which tiers a lookup reads, most specific first:

- ``cp:`` the name's core at its place (北京 + 协和医院),
- ``c0:`` the same core filed without any place (a customer named 协和医院),
- ``pp:`` the core's pinyin at its place (同音字 typos: 协合 ↔ 协和),
- ``c:``/``p:`` the core / its pinyin anywhere, only for a name without a place,
- ``b:`` the shorter names a customer is registered by, at its place or
  anywhere (matching.blocking): 北京协和 finds 北京协和医院, 北京朝阳医院 finds
  首都医科大学附属北京朝阳医院; a campus (北京协和医院东院) is a branch, so its
  core already finds the hospital,
- ``s:`` the opening words of a long core, for abbreviations (吉大一院 →
  吉林大学…第1医院 ↔ 吉林大学白求恩第1医院),
- ``a:`` unlisted university short forms (青大附院 → 青岛大学附属医院).

A tier reads at most TIER_LIMIT rows (BROAD_TIER_LIMIT for the tiers that
ignore the place), so a generic core (人民医院 with no city) costs a bounded
amount and answers "possible" rather than guessing.
"""
from __future__ import annotations

from functools import lru_cache

from pypinyin import lazy_pinyin

from domain.matching import NameParts
from domain.matching.blocking import short_form_prefixes, shorter_names, university_short_forms

TIER_LIMIT = 20
# Broad tiers stop sooner: a name without a place can only ever be "possible"
# against named places, so more rows would only cost compares, not change that.
BROAD_TIER_LIMIT = 8
TOKEN_CHARS = 120
STEM_MIN_CORE = 6
STEM_CHARS = 4


@lru_cache(maxsize=8192)   # bounded: every worker holds one
def _pinyin(core: str) -> str:
    return " ".join(lazy_pinyin(core))


def tokens_for(parts: NameParts) -> list[str]:
    """The tokens one customer is filed under (see query_tokens for their use)."""
    core = parts.core
    if not core:
        return []
    place = parts.city or parts.region or ""
    found = [f"cp:{core}|{place}", f"c:{core}"]
    if not place:
        found.append(f"c0:{core}")
    if _has_cjk(core):
        py = _pinyin(core)
        found += [f"pp:{py}|{place}", f"p:{py}"]
    if len(core) >= STEM_MIN_CORE:
        found.append(f"s:{core[:STEM_CHARS]}")
    for name, at, anywhere in shorter_names(parts):
        # without a place, "anywhere" is where a place-less name is looked up
        found.append(f"b:{name}|{at or place}" if at or place else f"b:{name}")
        if anywhere:
            found.append(f"b:{name}")
    found += [f"a:{short}" for short in university_short_forms(core)]
    return list(dict.fromkeys(tok[:TOKEN_CHARS] for tok in found))


def query_tokens(parts: NameParts) -> list[str]:
    """The tiers a lookup reads, most specific first. A name that says where it
    is looks at that place, plus customers filed without any place; only a
    name without a place looks at its core everywhere (bounded by TIER_LIMIT).
    The stem tier serves names an abbreviation was expanded in (吉大一院)."""
    core = parts.core
    if not core:
        return []
    place = parts.city or parts.region or ""
    py = _pinyin(core) if _has_cjk(core) else None
    if place:
        found = [f"cp:{core}|{place}", f"c0:{core}"] + ([f"pp:{py}|{place}"] if py else [])
        found.append(f"b:{core}|{place}")
    else:
        found = [f"c:{core}"] + ([f"p:{py}"] if py else []) + [f"b:{core}"]
    if len(core) >= STEM_MIN_CORE and any(step.startswith("缩写") for step in parts.steps):
        found.append(f"s:{core[:STEM_CHARS]}")
    found += [f"a:{short}" for short in short_form_prefixes(core)]
    return list(dict.fromkeys(tok[:TOKEN_CHARS] for tok in found))


# Not domain.matching.text.has_cjk (which also counts 〇 and the compatibility
# block): stored customers are filed by exactly this test, and changing it
# would change their tokens without a re-file.
def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def tier_limit(token: str) -> int:
    if token.startswith(("c:", "p:", "s:", "a:")) or (token.startswith("b:") and "|" not in token):
        return BROAD_TIER_LIMIT
    return TIER_LIMIT

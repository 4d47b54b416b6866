"""The tokens of the shared candidate index (table customer_tokens): what a
customer is filed under and which tiers a lookup reads, most specific first:

- ``cp:`` the name's core at its place (北京 + 协和医院),
- ``c0:`` the same core filed without any place (a customer named 协和医院),
- ``pp:`` how the name sounds (domain.matching.roman: xieheyiyuan) at its place
  (同音字 typos: 协合 ↔ 协和; Beijing Xiehe Hospital, 北京Xiehe医院), for the
  customer's English name too,
- ``c:``/``p:`` the core / its sound anywhere, only for a name without a place,
- ``pb:`` the sound of the body alone (xiehe), at its place and anywhere: what
  a Latin name that leaves out the type word finds (Beijing Xiehe, Xiehe),
- ``pw:`` the first word of an English name, at its place and anywhere: what a
  shorter English name finds (Peking Union Hospital),
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

import functools
from dataclasses import dataclass

from domain.matching import NameParts, Reading, analyse, is_latinish, reading_of, readings_of
from domain.matching.blocking import short_form_prefixes, shorter_names, university_short_forms
from domain.matching.roman import place_letters

TIER_LIMIT = 20
# Broad tiers stop sooner: a name without a place can only ever be "possible"
# against named places, so more rows would only cost compares, not change that.
BROAD_TIER_LIMIT = 8
TOKEN_CHARS = 120
STEM_MIN_CORE = 6
STEM_CHARS = 4
# A body sound shorter than this (an, li) would file thousands of customers together.
SOUND_BODY_MIN = 4


def _where(reading: Reading, parts: NameParts | None) -> str:
    """The place a sound is filed at: the name's own places, else the place the
    name implies (招商银行|北京分行, …附属北京朝阳医院), as letters; "" for none.
    Filing and lookup must agree, and a name never lands under the bare sound of
    thousands of others (every 中信银行 branch under "zhongxinyinhang|")."""
    if reading.place:
        return reading.place
    implied = parts.city or parts.region if parts is not None else None
    return place_letters(implied) if implied else ""


def _sound_tokens(reading: Reading, parts: NameParts | None = None, body: bool = True) -> list[str]:
    if not reading.letters:
        return []
    where = _where(reading, parts)
    found = [f"pp:{reading.letters}|{where}", f"p:{reading.letters}"]
    if body and len(reading.body) >= SOUND_BODY_MIN and reading.body != reading.letters:
        found += [f"pb:{reading.body}|{where}", f"pb:{reading.body}"]
    if reading.head and reading.head != reading.body:
        found += [f"pw:{reading.head}|{where}", f"pw:{reading.head}"]
    return found


def tokens_for(parts: NameParts, english_name: str | None = None) -> list[str]:
    """The tokens one customer is filed under (see query_tokens for their use):
    its name, and its English name when it has one."""
    core = parts.core
    found: list[str] = []
    if english_name and english_name.strip():
        for reading in readings_of(english_name):
            found += _sound_tokens(reading)
    if not core:
        return list(dict.fromkeys(tok[:TOKEN_CHARS] for tok in found))
    place = parts.city or parts.region or ""
    found += [f"cp:{core}|{place}", f"c:{core}"]
    if not place:
        found.append(f"c0:{core}")
    found += _sound_tokens(reading_of(parts.original), parts)
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
    sound = reading_of(parts.original)
    where = _where(sound, parts)
    if place:
        found = [f"cp:{core}|{place}", f"c0:{core}"]
        found += [f"pp:{sound.letters}|{where}"] if sound.letters else []
        found.append(f"b:{core}|{place}")
    else:
        found = [f"c:{core}"] + ([f"p:{sound.letters}"] if sound.letters else []) + [f"b:{core}"]
    if is_latinish(parts.original) and sound.letters:
        # Beijing Xiehe Hospital, Xiehe: what the name sounds like, then its body alone
        found += [f"pp:{sound.letters}|{where}", f"p:{sound.letters}"]
        if len(sound.body) >= SOUND_BODY_MIN:
            found += [f"pb:{sound.body}|{where}"] if where else []
            found.append(f"pb:{sound.body}")
        if sound.head:
            # Peking Union Hospital: the first word of an English name it shortens
            found.append(f"pw:{sound.head}|{where}" if where else f"pw:{sound.head}")
    if len(core) >= STEM_MIN_CORE and any(step.startswith("缩写") for step in parts.steps):
        found.append(f"s:{core[:STEM_CHARS]}")
    found += [f"a:{short}" for short in short_form_prefixes(core)]
    return list(dict.fromkeys(tok[:TOKEN_CHARS] for tok in found))


def tier_limit(token: str) -> int:
    if token.startswith(("c:", "p:", "s:", "a:")) or (token.startswith(("b:", "pb:", "pw:")) and "|" not in token):
        return BROAD_TIER_LIMIT
    return TIER_LIMIT


@dataclass(frozen=True)
class NameReading:
    """A name as the lookup and the index read it (no admin's short names applied)."""
    parts: NameParts
    tiers: tuple[str, ...]       # query_tokens: what a lookup of it reads
    tokens: tuple[str, ...]      # tokens_for: what a customer of that name is filed under


@functools.lru_cache(maxsize=4096)
def read_name(name: str) -> NameReading:
    """The reading of ``name``, kept per process. It is pure (the matcher's tables are
    fixed for a process's life; short names an admin adds are read from the database
    apart), so a registration reads its name before it takes its partner's lock and
    the lookup and the insert under the lock find it done: a tenth of the work under
    that lock, which every registration of the partner waits for."""
    parts = analyse(name)
    return NameReading(parts, tuple(query_tokens(parts)), tuple(tokens_for(parts)))

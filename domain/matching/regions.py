"""Place words in names and addresses.

A place word counts only where a place is expected: at the start of the
name, right after another place word, or as the whole content of a bracket.
That keeps 中山大学 / 协和 / 人民 from being read as places while still
reading 北京协和医院, 广东省广州市番禺区… and 联想(北京).

Ambiguity policy (see data/regions_cn.py for the tables):
- longest match wins (河北区 beats 河北, 大兴安岭 beats 大兴);
- a district written without 区 (北京朝阳, 广州番禺) counts only right after
  its own city, so 朝阳医院 alone is not Beijing and 番禺 is not read in
  unrelated contexts;
- short forms listed in SHORT_NEEDS_SUFFIX (中山, 朝阳, 吉林 as a city…) need
  their suffix; bare 吉林 is the province;
- an unknown "XX市 / XX县" at the start, or an unknown "XX区" after a city,
  is kept as a place with no known province, so 昆山市… and 苏州市… still
  differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from .data.regions_cn import (
    CITIES,
    COUNTRY_WORDS,
    DISTRICTS,
    LATIN_COUNTRY_WORDS,
    LATIN_EXTRA,
    MUNICIPALITIES,
    PROVINCES,
    SHORT_NEEDS_SUFFIX,
)
from .phonetic import sounds_alike

PROVINCE, CITY, DISTRICT = 1, 2, 3


@dataclass(frozen=True)
class Place:
    raw: str              # as written in the name
    name: str             # canonical: 北京市, 番禺区, 昆山市
    level: int            # PROVINCE / CITY / DISTRICT
    province: str | None  # canonical province, None if unknown
    city: str | None      # canonical prefecture city (self for a city)
    needs_parent: bool = False  # district short form: only after its city


def _short_of(full: str) -> tuple[str, ...]:
    for suffix in ("新区", "区", "县", "市"):
        if full.endswith(suffix) and len(full) - len(suffix) >= 2:
            return (full[: -len(suffix)],)
    return ()


def _build_index() -> dict[str, list[Place]]:
    index: dict[str, list[Place]] = {}

    def add(surface: str, place: Place) -> None:
        index.setdefault(surface, []).append(place)

    for prov, shorts in PROVINCES.items():
        if prov in MUNICIPALITIES:
            # A municipality is a province and its own city at once.
            tmpl = Place("", prov, CITY, prov, prov)
        else:
            tmpl = Place("", prov, PROVINCE, prov, None)
        for surface in (prov, *shorts):
            add(surface, tmpl)

    for prov, cities in CITIES.items():
        for entry in cities:
            full, *listed = entry.split("|")
            tmpl = Place("", full, CITY, prov, full)
            shorts = tuple(listed) if listed else _short_of(full)
            add(full, tmpl)
            for short in shorts:
                if short != full and short not in SHORT_NEEDS_SUFFIX:
                    add(short, tmpl)

    for city, districts in DISTRICTS.items():
        prov = city  # all six parents are municipalities or 广东 cities
        for p, cs in CITIES.items():
            if any(e.split("|")[0] == city for e in cs):
                prov = p
        for entry in districts:
            full, *listed = entry.split("|")
            tmpl = Place("", full, DISTRICT, prov, city)
            add(full, tmpl)
            shorts = tuple(listed) if listed else _short_of(full)
            for short in shorts:
                if short != full:
                    add(short, replace(tmpl, needs_parent=True))
    return index


_INDEX = _build_index()
_MAX_LEN = max(len(k) for k in _INDEX)

# 市/省 followed by these is part of the body, not of the place:
# 苏州市立医院 is 苏州 + 市立医院; 北京市场监督管理局 is 北京 + 市场….
_GIVEBACK_KEEP = ("市立", "省立", "市属", "省属", "县立", "区立")
_GIVEBACK_DROP = ("市场", "市政", "市民", "区域", "县域")
# …but only when a public institution follows (市立医院, 市立第一医院, 市立儿童
# 医院): in 长治市立弘眼科医院 the 立 starts the trade name 立弘.
_PUBLIC_BODY_STARTS = ("医院", "第", "中医", "中西医", "人民", "妇幼", "妇女", "儿童", "口腔", "精神", "传染",
                       "肿瘤", "眼科", "骨科", "胸科", "结核", "康复", "医学", "医科", "大学", "学院", "中学",
                       "小学", "高级", "职业", "图书馆", "博物馆", "美术馆", "体育", "急救", "卫生", "疾病",
                       "血液", "皮肤", "老年", "东", "西", "南", "北", "中心")


def _keeps_suffix(text: str, end: int) -> bool:
    """Does the 市/省 at text[end - 1] belong to the body (市立医院) rather than the place?"""
    if text[end - 1:end + 1] not in _GIVEBACK_KEEP:
        return False
    return text.startswith(_PUBLIC_BODY_STARTS, end + 1) or end + 1 >= len(text)
_GENERIC_CITY_RE = re.compile(r"[\u4e00-\u9fff]{2,3}?(市|县)")
_GENERIC_DISTRICT_RE = re.compile(r"[\u4e00-\u9fff]{2}(区|新区)")
# Characters before 市 / 区 that make an ordinary word (超市, 社区, 园区…).
_NOT_CITY_BEFORE = set("超城都门夜集股菜花街上黑灯")
_NOT_DISTRICT_BEFORE = set("社园景校厂矿林营战军辖郊山灾片分小专特禁库牧湖学老病院城市")


@dataclass(frozen=True)
class Scan:
    places: tuple[Place, ...]
    end: int              # index in the text where the body starts


def _chain_city(places: list[Place]) -> str | None:
    for p in reversed(places):
        if p.city:
            return p.city
    return None


def _chain_province(places: list[Place]) -> str | None:
    for p in reversed(places):
        if p.province:
            return p.province
    return None


def _fits(cand: Place, places: list[Place]) -> bool:
    """May `cand` follow the places already read?"""
    if cand.needs_parent and _chain_city(places) != cand.city:
        return False
    prov = _chain_province(places)
    if prov and cand.province and cand.province != prov:
        return False
    city = _chain_city(places)
    if city and cand.level == DISTRICT and cand.city and cand.city != city:
        return False
    # no going back up: 番禺区广东… is not a chain
    return not (places and cand.level < max(p.level for p in places))


def _match_known(text: str, pos: int, places: list[Place]) -> tuple[Place, int] | None:
    for length in range(min(_MAX_LEN, len(text) - pos), 1, -1):
        surface = text[pos:pos + length]
        cands = _INDEX.get(surface)
        if not cands:
            continue
        end = pos + length
        nxt = text[end - 1:end + 1]
        if surface[-1] in "市省区县" and nxt in _GIVEBACK_DROP:
            continue
        fitting = [c for c in cands if _fits(c, places)]
        if not fitting:
            continue
        # Prefer the reading under the current city (天津河北 → 河北区).
        city = _chain_city(places)
        fitting.sort(key=lambda c: (c.city != city, -c.level))
        chosen = replace(fitting[0], raw=surface, needs_parent=False)
        if surface[-1] in "市省区县" and _keeps_suffix(text, end):
            end -= 1  # place recorded, suffix character stays in the body
        return chosen, end
    return None


def _match_generic(text: str, pos: int, places: list[Place]) -> tuple[Place, int] | None:
    m = _GENERIC_CITY_RE.match(text, pos)
    if m and (pos == 0 or places):
        stem_end = m.end() - 1
        word = text[stem_end:stem_end + 2]
        if (text[stem_end - 1] not in _NOT_CITY_BEFORE
                and word not in _GIVEBACK_DROP and word not in _GIVEBACK_KEEP
                and m.end() < len(text)):
            level = CITY if m.group(1) == "市" else DISTRICT
            prov = _chain_province(places)
            city = _chain_city(places) if level == DISTRICT else m.group(0)
            return Place(m.group(0), m.group(0), level, prov, city), m.end()
    if places and _chain_city(places):
        m = _GENERIC_DISTRICT_RE.match(text, pos)
        if m and text[m.start(1) - 1] not in _NOT_DISTRICT_BEFORE and m.end() < len(text):
            return (Place(m.group(0), m.group(0), DISTRICT, _chain_province(places),
                          _chain_city(places)), m.end())
    return None


def is_known(name: str) -> bool:
    """Is `name` (canonical) in the gazetteer?  An unknown 石家装市 was only
    read as a place because it ends in 市."""
    return any(p.name == name for p in _INDEX.get(name, ()))


def _stem(name: str) -> str:
    for suffix in ("新区", "区", "县", "市", "省"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def misspelt(known: str, other: str) -> bool:
    """Is `other`, a place the gazetteer does not know, a typo of the known
    place `known`: same level word, and the stems sound alike (哈尔宾/哈尔滨,
    洛杨/洛阳) or, for stems of three or more characters, differ in one
    character (石家在/石家庄)?  Two known places are never a typo of each
    other (苏州/宿州, 泰州/台州 are real and distinct)."""
    if not is_known(known) or is_known(other) or known == other:
        return False
    a, b = _stem(known), _stem(other)
    if known[len(a):] != other[len(b):] or len(a) != len(b):
        return False
    if sounds_alike(a, b):
        return True
    return len(a) >= 3 and sum(x != y for x, y in zip(a, b)) == 1


def scan_places(text: str, pos: int = 0) -> Scan:
    """Read the run of place words starting at `pos`."""
    places: list[Place] = []
    while pos < len(text):
        found = _match_known(text, pos, places) or _match_generic(text, pos, places)
        if found is None and not places:
            # 中国北京市… : the country word is skipped only before a place.
            for word in COUNTRY_WORDS:
                if text.startswith(word, pos):
                    after = _match_known(text, pos + len(word), places)
                    if after:
                        found = after
                    break
        if found is None:
            break
        place, pos = found
        places.append(place)
    return Scan(tuple(places), pos)


def is_place_text(text: str) -> tuple[Place, ...] | None:
    """All of `text` is place words (a bracket like (北京) or (深圳市))."""
    if not text:
        return None
    scan = scan_places(text)
    if scan.places and scan.end == len(text):
        return scan.places
    latin = latin_place(text.replace(" ", ""))
    return (latin,) if latin else None


# --- latin spellings ------------------------------------------------------

@lru_cache(maxsize=1)
def _latin_index() -> dict[str, Place | None]:
    """Pinyin spelling -> place; None where two places share a spelling
    (SUZHOU is 苏州 and 宿州).  Built on first use: pypinyin is slow to load."""
    from pypinyin import Style, lazy_pinyin

    seen: dict[str, set[tuple[str, int, str | None, str | None]]] = {}
    for surface, cands in _INDEX.items():
        for c in cands:
            if c.needs_parent or surface != display(c.name):
                continue
            spelt = "".join(lazy_pinyin(surface, style=Style.NORMAL)).upper()
            seen.setdefault(spelt, set()).add((c.name, c.level, c.province, c.city))
    index: dict[str, Place | None] = {}
    for spelt, names in seen.items():
        if len(names) == 1:
            name, level, prov, city = next(iter(names))
            index[spelt] = Place(spelt, name, level, prov, city)
        else:
            index[spelt] = None
    for spelt, name in LATIN_EXTRA.items():
        index[spelt] = next(
            replace(c, raw=spelt) for c in _INDEX[name] if c.name == name)
    return index


def latin_place(token: str) -> Place | None:
    """BEIJING -> 北京市.  Ambiguous spellings give an unresolved place."""
    token = token.upper()
    # not isascii: a Chinese bracket (锡林郭勒分公司) must not build the index (~15 ms)
    if token in LATIN_COUNTRY_WORDS or len(token) < 4 or not token.isascii():
        return None
    index = _latin_index()
    if token not in index:
        return None
    found = index[token]
    if found is None:
        return Place(token, token, CITY, None, None)
    return replace(found, raw=token)


# --- display and region_of --------------------------------------------------

_PROVINCE_SHORT = {full: shorts[0] for full, shorts in PROVINCES.items()}


def display(name: str) -> str:
    """Short display form of a canonical name: 北京市→北京, 广西壮族自治区→广西,
    番禺区 stays (区 is part of how people say it)."""
    if name in _PROVINCE_SHORT:
        return _PROVINCE_SHORT[name]
    if name.endswith(("市", "省")) and len(name) > 2:
        return name[:-1]
    return name


_INSTITUTION_SPLIT_RE = re.compile(r"附属|大学|学院")


def fallback_places(text: str) -> tuple[Place, ...]:
    """Place words right after 大学/学院/附属 (首都医科大学附属北京朝阳医院).
    Used for the region of a name whose start names no place."""
    for m in _INSTITUTION_SPLIT_RE.finditer(text):
        scan = scan_places(text, m.end())
        if scan.places and scan.end < len(text):
            return scan.places
    return ()

"""analyse(): split a customer name into place, body, type word, ordinal,
branch and legal form, and derive the canonical key.

Pipeline (each stage records a human-readable step):
  1. surface normalisation (text.simplify) and the admin alias table;
  2. bracket contents: legal notes dropped, places kept as place/branch,
     anything else remembered as an alternative name;
  3. colloquial rewrites (卫健委, 附一院, 市一院 …) and ordinals (第一→第1);
  4. a trailing branch (招商银行|北京分行) and legal forms (股份有限公司);
  5. leading place words (北京市 / 广州市番禺区);
  6. institution short forms at the start of the body (吉大→吉林大学);
  7. type word and ordinal read from what remains (the core).

The key is place chain + core + branch (+ 集团 flag).  Everything that
only changes spelling is normalised away before it, so two names get the
same key exactly when they differ only in spelling.  KEY_VERSION changes
whenever the tables or rules change in a way that can move keys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from .abbrev import expand_patterns, expand_start, expand_whole, lookup_alias
from .branches import BRANCH_WORD_BEFORE_LEGAL, brackets, canon_branch, split_branch
from .data.lexicon import (
    GROUP_TOKENS_LATIN,
    GROUP_WORDS_CN,
    LEGAL_SUFFIXES_CN,
    LEGAL_TOKENS_LATIN,
    TYPE_WORDS,
)
from .data.regions_cn import LATIN_COUNTRY_WORDS
from .model import NameParts, Parsed
from .numerals import last_ordinal, normalise_ordinals
from .regions import CITY, DISTRICT, Place, display, fallback_places, latin_place, scan_places
from .text import has_cjk, simplify

# 2: branches named without a legal form (国药控股|北京分公司) and campuses
#    (北京协和医院|东院) leave the core; 分公司 keeps its 公司.
# 3: keys as in 2; what the index files a customer under moved: a name's sound
#    (roman.py: Latin, pinyin and mixed names, English names), a telling body
#    (协和) also without its place.  Stored customers are re-filed (migration 0011).
KEY_VERSION = 3

_TYPES = tuple(sorted(set(TYPE_WORDS), key=len, reverse=True))
_LEGAL = tuple(sorted(LEGAL_SUFFIXES_CN, key=len, reverse=True))
# 上海十院, 上海六院: a place followed by N院 is that city's 第N人民医院.
_CITY_NTH_RE = re.compile(r"^([一二三四五六七八九十]{1,3})院$")
# A place word followed by these names a university, and stays in the core:
# 青岛大学 is an institution, 青岛 alone is a place.
_INSTITUTION_RE = re.compile(r"^[\u4e00-\u9fff]{0,6}?(大学|学院)")
# 州 is not here: 苏州, 福州 … end in it without being a suffix.
_SUFFIXED = tuple("省市区县")
_LATIN_TYPES = {"HOSPITAL", "UNIVERSITY", "BANK", "COLLEGE", "INSTITUTE", "CLINIC"}


@dataclass
class _Pieces:
    """What the script-specific parsers (CJK / latin) hand to parse_text."""
    places: list[Place] = field(default_factory=list)
    core: str = ""
    body: str = ""              # core minus type word and 第N
    inst: str | None = None     # institution type word read from the core
    legal: str | None = None    # outermost legal form removed
    group: bool = False
    branch: str | None = None   # as written: 北京分行, (北京)
    branch_key: str | None = None
    alts: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)


def _strip_legal(text: str, steps: list[str]) -> tuple[str, str | None, bool]:
    """Remove trailing legal forms and 集团.

    Returns (text, the outermost legal form removed or None, group?)."""
    legal: str | None = None
    group = False
    changed = True
    while changed:
        changed = False
        for suffix in _LEGAL:
            if (text.endswith(suffix) and len(text) > len(suffix)
                    and not text[: -len(suffix)].endswith(BRANCH_WORD_BEFORE_LEGAL)):
                text = text[: -len(suffix)]
                steps.append(f"去掉法律后缀 {suffix}")
                legal = legal or suffix
                changed = True
                break
        for word in GROUP_WORDS_CN:
            if text.endswith(word) and len(text) > len(word):
                text = text[: -len(word)]
                steps.append(f"去掉 {word}（记为集团）")
                group = changed = True
    return text, legal, group


def _places_and_core(body: str, steps: list[str]) -> tuple[list[Place], str]:
    scan = scan_places(body)
    places = list(scan.places)
    core = body[scan.end:]
    if places:
        last = places[-1]
        if (not last.raw.endswith(_SUFFIXED) and _INSTITUTION_RE.match(core)
                and not scan_places(core).places):
            core = last.raw + core
            steps.append(f"保留校名中的地名 {last.raw}")
        spelled = "".join(p.raw for p in places)
        if spelled and not core.startswith(spelled):
            steps.append(f"识别地名 {spelled}")
    return places, core


def _chain(places: list[Place]) -> tuple[str | None, str | None, str | None]:
    province = city = district = None
    for p in places:
        province = p.province or province
        if p.level >= CITY and p.city:
            city = p.city
        if p.level == DISTRICT:
            district = p.name
    return province, city, district


def _type_of(core: str) -> str | None:
    for word in _TYPES:
        if core.endswith(word):
            return word
    return None


def _make_key(chain: tuple[str | None, ...], core: str, branch: str | None, group: bool) -> str:
    if not core and not any(chain):
        return ""
    seen: list[str] = []
    for name in chain:
        if name and name not in seen:
            seen.append(name)
    return "|".join([">".join(seen), core, branch or "", "集团" if group else ""])


def _place_words(places: tuple[Place, ...]) -> frozenset[str]:
    words: set[str] = set()
    for p in places:
        words.update(w for w in (p.raw, p.name, display(p.name)) if w)
    return frozenset(words)


def _parse_latin(text: str, steps: list[str]) -> _Pieces:
    tokens = re.findall(r"[A-Z0-9&]+", text)
    if tokens and tokens[0] == "THE":
        tokens = tokens[1:]
    group = False
    removed: list[str] = []
    while tokens and (tokens[-1] in LEGAL_TOKENS_LATIN or tokens[-1] in GROUP_TOKENS_LATIN):
        if tokens[-1] in GROUP_TOKENS_LATIN:
            group = True
        else:
            removed.insert(0, tokens[-1])
        steps.append(f"去掉法律后缀 {tokens[-1]}")
        tokens = tokens[:-1]
    places: list[Place] = []
    branch_parts: list[str] = []
    core_tokens: list[str] = []
    for i, tok in enumerate(tokens):
        place = latin_place(tok) if len(tokens) > 1 else None
        if place is not None and i == 0:
            places.append(place)       # BEIJING XYZ CO: where the company is
        elif place is not None:
            branch_parts.append(place.name if place.province else tok)  # XYZ (BEIJING)
        elif tok in LATIN_COUNTRY_WORDS and i > 0:
            branch_parts.append("中国")  # XYZ (CHINA) CO = XYZ(中国)有限公司
        else:
            core_tokens.append(tok)
            continue
        steps.append(f"识别地名 {tok}")
    if branch_parts and not core_tokens:
        core_tokens, branch_parts = branch_parts, []
    core = " ".join(core_tokens)
    inst = core_tokens[-1] if core_tokens and core_tokens[-1] in _LATIN_TYPES else None
    branch = f"({' '.join(branch_parts)})" if branch_parts else None
    return _Pieces(places=places, core=core, body=core, inst=inst,
                   legal=" ".join(removed) or None, group=group, branch=branch,
                   branch_key=branch)


def _parse_cjk(text: str, steps: list[str]) -> _Pieces:
    got = brackets(text, steps)
    rest, leading, group = got.rest, got.leading, got.group
    whole, label = expand_whole(rest)
    if label:
        steps.append(label)
        rest = whole
    rest, more = expand_patterns(rest)
    steps.extend(more)
    rest, more = normalise_ordinals(rest)
    steps.extend(more)
    rest, tail_branch = split_branch(rest)
    if tail_branch:
        steps.append(f"分支机构 {tail_branch}")
    rest, legal, group2 = _strip_legal(rest, steps)
    group = group or group2

    places, core = _places_and_core(rest, steps)
    m = _CITY_NTH_RE.match(core)
    if places and m:
        new_core, more = normalise_ordinals(f"第{m.group(1)}人民医院")
        steps.append(f"缩写 {core}→第{m.group(1)}人民医院")
        steps.extend(more)
        rest, core = rest[: len(rest) - len(core)] + new_core, new_core
    expanded, label = expand_start(core)
    if label:
        steps.append(label)
        prefix = rest[: len(rest) - len(core)]
        expanded, more = normalise_ordinals(expanded)
        steps.extend(more)
        places, core = _places_and_core(prefix + expanded, steps)

    branches = got.branches + ([tail_branch] if tail_branch else [])
    branch = "".join(branches) if branches else None
    branch_key = "".join(canon_branch(b) for b in branches) if branches else None
    inst = _type_of(core)
    body = core[: len(core) - len(inst)] if inst else core
    body = re.sub(r"第[0-9]+", "", body)
    return _Pieces(places=leading + places, core=core, body=body, inst=inst, legal=legal,
                   group=group, branch=branch, branch_key=branch_key, alts=got.alts,
                   addresses=got.addresses)


def _implied_places(got: _Pieces, latin: bool) -> tuple[Place, ...]:
    """Places a name implies when its start names none: after 大学/附属
    (首都医科大学附属北京朝阳医院), at the start of a bracket alias
    (…协和医院(武汉协和医院)) or of a bracketed address, or in its branch
    (联想(北京), 招商银行北京分行).
    They inform region and comparison, never the key."""
    if not latin:
        found = fallback_places(got.core)
        if found:
            return found
        for alt in got.alts + got.addresses:
            found = scan_places(simplify(alt).text).places
            if found:
                return found
    branch = (got.branch_key or "").replace("(", " ").replace(")", " ")
    for piece in branch.split():
        found = scan_places(piece).places if has_cjk(piece) else ()
        if found:
            return found
    return ()


@lru_cache(maxsize=8192)   # bounded: every worker holds one (all caches full: ~30 MB)
def parse_text(text: str, display_text: str, original: str,
               pre_steps: tuple[str, ...]) -> Parsed:
    """Parse an already simplified name (cached: names repeat a lot)."""
    steps = list(pre_steps)
    if not text:
        parts = NameParts(original, display_text, None, None, "", None, None, None, "",
                          tuple(steps))
        return Parsed(parts=parts)
    latin = not has_cjk(text)
    got = _parse_latin(text, steps) if latin else _parse_cjk(text, steps)
    places = tuple(got.places)
    extra = () if places else _implied_places(got, latin)
    province, city, district = _chain(list(places or extra))
    ordinal = last_ordinal(got.core)
    # The key uses only the places the name starts with: implied ones come
    # from heuristics that may improve, and keys must not move with them.
    key = _make_key(_chain(list(places)), got.core, got.branch_key, got.group)
    parts = NameParts(
        original=original, simplified=display_text, region=province,
        city=district or city, core=got.core,
        # the institution type if the core has one, else the legal form
        # (有限公司, CO LTD): what kind of organisation the name says it is
        type_word=got.inst or got.legal,
        ordinal=ordinal, branch=got.branch, key=key, steps=tuple(dict.fromkeys(steps)),
    )
    return Parsed(
        parts=parts, places=places or extra, province=province, city=city,
        district=district, core=got.core, body=got.body, inst_type=got.inst,
        ordinal=ordinal, branch_key=got.branch_key, group=got.group,
        alts=tuple(got.alts), latin=latin, place_words=_place_words(places + extra),
    )


def parse(name: str, aliases: Mapping[str, str] | None = None) -> Parsed:
    original = name if isinstance(name, str) else str(name)
    simp = simplify(original)
    steps = list(simp.steps)
    if " " in simp.display and " " not in simp.text and has_cjk(simp.text):
        steps.append("去掉空格")
    text = simp.text
    full = lookup_alias(aliases, original.strip(), simp.display, simp.text)
    if full:
        steps.append(f"别名 {simp.display}→{full}")
        text = simplify(full).text
    return parse_text(text, simp.display, original, tuple(steps))


def analyse(name: str, aliases: Mapping[str, str] | None = None) -> NameParts:
    """Split a customer name into its parts and canonical key.  Never raises."""
    try:
        return parse(name, aliases).parts
    except Exception:  # defensive: user input must never crash the bot
        original = name if isinstance(name, str) else repr(name)
        return NameParts(original, original, None, None, "", None, None, None, "",
                         ("无法解析",))


def region_of(text: str) -> str | None:
    """Province-level region a name or an address implies, or None.

    "北京协和医院"→"北京市", "番禺区中心医院"→"广东省", "青岛大学附属医院"→"山东省",
    "北京市东城区帅府园1号"→"北京市".  中山大学附属第一医院 → None: bare 中山
    is Sun Yat-sen (the university is in 广州, but the name names no place).
    Same answer as analyse(text).region, by construction."""
    try:
        return analyse(text if isinstance(text, str) else str(text)).region
    except Exception:  # never raise on user input; a bug here means "unknown"
        return None

"""Bracket contents and branch tails of a name: what is a branch
(招商银行|北京分行, 北京协和医院|东院, 国药控股|北京分公司), what is an address
or a legal note in brackets, and what is another name of the same place.

A branch never belongs to the core: 招商银行北京分行 and 招商银行上海分行 share
the core 招商银行 and differ in their branch, which compare() checks first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .data.lexicon import (
    BRACKET_NOTES,
    BRANCH_ANCHORS,
    BRANCH_SUFFIXES,
    GROUP_TOKENS_LATIN,
    GROUP_WORDS_CN,
)
from .data.regions_cn import COUNTRY_WORDS
from .regions import Place, is_place_text, latin_place, scan_places
from .text import has_cjk

_BRACKET_RE = re.compile(r"\(([^()]*)\)")
_BRANCH_SUFFIXES = tuple(sorted(BRANCH_SUFFIXES, key=len, reverse=True))
# Bracket contents naming a campus or branch: (西区), (东院), (张江院区), (本部).
_BRANCH_BRACKET_RE = re.compile(
    r"^(.{0,8}(院区|分院|校区|分部|分公司|分行|支行|门诊部|园区)|[东西南北中新老][院区部]|本部|总院|总部)$")
# A campus written straight after the hospital: 北京协和医院东院, …医院西区.
_CAMPUS_TAIL_RE = re.compile(r"(?<=医院)([东西南北新老][院区]|本部)$")
# Bracket contents that are a street address, not a name: (东城区帅府园1号),
# (北京市朝阳区工体南路8号院).  A name never holds a house number.
_ADDRESS_RE = re.compile(
    r"[0-9一二三四五六七八九十]+(号|弄|栋|幢|层|楼|室)|[路街巷道](?:[0-9]|$)|胡同")
# 分公司 ends in the legal word 公司 but is a branch word: 国药控股北京分公司
# must not lose its 公司 and leave 国药控股北京分.
BRANCH_WORD_BEFORE_LEGAL = "分"


@dataclass
class Brackets:
    rest: str                                          # the name with bracket contents removed
    leading: list[Place] = field(default_factory=list)  # (深圳)华大基因: where it is
    branches: list[str] = field(default_factory=list)   # (北京), 邢台分行
    alts: list[str] = field(default_factory=list)       # other names of the same place
    addresses: list[str] = field(default_factory=list)  # street addresses (they tell the region)
    group: bool = False


def canon_branch(raw: str) -> str:
    """北京分行 / 北京市分行 → 北京市分行; (北京) → (北京市)."""
    inner = raw[1:-1] if raw.startswith("(") and raw.endswith(")") else raw
    if not inner:
        return raw
    if has_cjk(inner):
        scan = scan_places(inner)
        head = "".join(p.name for p in scan.places)
        out = head + inner[scan.end:]
    else:
        parts = []
        for tok in inner.split():
            p = latin_place(tok)
            parts.append(p.name if p and p.province else tok)
        out = " ".join(parts)
    return f"({out})" if raw.startswith("(") else out


def brackets(text: str, steps: list[str]) -> Brackets:
    """Take bracket contents out of `text` and sort them by what they are."""
    got = Brackets(rest="")
    pieces: list[str] = []
    last = 0
    for m in _BRACKET_RE.finditer(text):
        pieces.append(text[last:m.start()])
        last = m.end()
        inside = m.group(1).strip()
        if not inside:
            continue
        if inside in BRACKET_NOTES:
            steps.append(f"去掉括号注记({inside})")
            continue
        if inside in GROUP_WORDS_CN or inside in GROUP_TOKENS_LATIN:
            got.group = True
            steps.append(f"集团标记({inside})")
            continue
        places = is_place_text(inside)
        if places and m.start() == 0:
            got.leading.extend(places)
            steps.append(f"括号内地名({inside})")
            continue
        if _BRANCH_BRACKET_RE.match(inside):
            # （邢台分行） is the same branch as 邢台分行 written without brackets.
            got.branches.append(inside)
            steps.append(f"括号内分支({inside})")
            continue
        if places or inside in COUNTRY_WORDS:
            got.branches.append(f"({inside})")
            steps.append(f"括号内分支/地区({inside})")
            continue
        if has_cjk(inside) and scan_places(inside).places and _ADDRESS_RE.search(inside):
            got.addresses.append(inside)
            steps.append(f"括号内地址({inside})不计入名称")
            continue
        got.alts.append(inside)
        steps.append(f"括号内别名({inside})不计入名称")
    pieces.append(text[last:])
    got.rest = "".join(pieces).replace("(", "").replace(")", "")
    return got


def _place_before(head: str) -> int:
    """Where a run of place words that ends `head` starts (0 if none does):
    国药控股北京 → 4.  At least two characters must stay in front of it."""
    for start in range(2, len(head) - 1):
        scan = scan_places(head, start)
        if scan.places and scan.end == len(head):
            return start
    return 0


def split_branch(text: str) -> tuple[str, str | None]:
    """招商银行北京分行 → (招商银行, 北京分行); 国药控股北京分公司 →
    (国药控股, 北京分公司); 北京协和医院东院 → (北京协和医院, 东院)."""
    for suffix in _BRANCH_SUFFIXES:
        if not text.endswith(suffix):
            continue
        head = text[: -len(suffix)]
        cut = max((head.rfind(a) + len(a) for a in BRANCH_ANCHORS if head.rfind(a) > 0),
                  default=-1)
        if cut <= 0:
            # No legal form or institution word before the branch: a place
            # word right before the suffix still marks it (中国移动|杭州分公司).
            cut = _place_before(head)
        if cut > 0:
            return text[:cut], text[cut:]
    m = _CAMPUS_TAIL_RE.search(text)
    if m and m.start() >= 3:
        return text[:m.start()], m.group(1)
    return text, None

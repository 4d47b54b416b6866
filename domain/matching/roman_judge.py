"""Two readings of names (domain.matching.roman) judged like two Chinese names:
branch, place, type, ordinal, then the body — a Latin body matched against the
Chinese characters with every reading of each."""
from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from .data.lexicon import SAME_INSTITUTION_TYPES
from .model import DISTINCT, DUPLICATE, POSSIBLE
from .phonetic import readings
from .roman import _HAN, _LATIN_WORD, Reading, _words_to_letters
from .text import has_cjk, simplify


@dataclass(frozen=True)
class Judged:
    verdict: str
    reason: str
    rule: str


def _han_reads(latin: str, han: str) -> bool:
    """Can the Chinese text be read as these letters, any reading of each character?"""
    if not latin or not han:
        return False
    options = [{r.replace("ü", "u").replace("v", "u") for r in readings(ch)} if _HAN.match(ch)
               else {ch.lower()} for ch in han]
    reach = {0}
    for opts in options:
        reach = {pos + len(r) for pos in reach for r in opts if latin.startswith(r, pos)}
        if not reach:
            return False
    return len(latin) in reach


def spells(mixed: str, han: str) -> bool:
    """Is the mixed name the Chinese one with some words written in pinyin or
    English (北京Xiehe医院, 北京协和Hospital / 北京协和医院)?  The Chinese
    characters must be the same; each Latin word must read as the characters
    in its place."""
    a, b = simplify(mixed).text.upper(), simplify(han).text.replace(" ", "")
    if not has_cjk(a) or not _LATIN_WORD.search(a) or _LATIN_WORD.search(b):
        return False
    reach = {0}
    for part in re.findall(r"[A-Z]+|\S", a):
        spelt = _words_to_letters([part]) if part.isascii() and part.isalpha() else None
        nxt: set[int] = set()
        for pos in reach:
            if spelt is None:
                if b.startswith(part, pos):
                    nxt.add(pos + 1)
                continue
            for end in range(pos + 1, min(len(b), pos + len(spelt)) + 1):
                if _han_reads(spelt, b[pos:end]):
                    nxt.add(end)
        reach = nxt
        if not reach:
            return False
    return len(b) in reach


def _bodies(r: Reading) -> set[str]:
    """The body, and with its place in front (Jilin University … / 吉林|大学…)."""
    return {r.body} | {x + r.body for x in r.chain if x}


def _same_body(a: Reading, b: Reading) -> bool:
    if a.body == b.body:
        return True
    for x, y in ((a, b), (b, a)):
        if x.latin and y.han is not None and not y.latin and _han_reads(x.body, _han_body(y)):
            return True
    return False


def _han_body(r: Reading) -> str:
    """The Chinese characters of the body (the type and 第N taken off)."""
    han = r.han or ""
    return re.sub(r"第[0-9]+", "", han)


def _near_body(a: Reading, b: Reading) -> str | None:
    if (a.place and not b.place and b.body in _bodies(a)) or (b.place and not a.place and a.body in _bodies(b)):
        return "一方把地名写进了名称"
    trade_a, trade_b = a.trade or a.body, b.trade or b.body
    if (a.trade or b.trade) and trade_a == trade_b and len(trade_a) >= 4:
        return "字号相同"
    for x, y in ((a.body, b.body), *((p, b.body) for p in _bodies(a)), *((a.body, p) for p in _bodies(b))):
        near = _near_pair(x, y)
        if near:
            return near
    return None


def _near_pair(x: str, y: str) -> str | None:
    x, y = sorted((x, y), key=len)
    if not x:
        return None
    if len(x) >= 4 and (y.startswith(x) or y.endswith(x)):
        return "一方名称更长"
    limit = 1 if len(x) >= 5 else 0
    if len(x) >= 10:
        limit = 2
    if limit and Levenshtein.distance(x, y, score_cutoff=limit) <= limit:
        return "拼写相近"
    return None


def _family(ta: str, tb: str) -> bool:
    return any(ta in fam and tb in fam for fam in SAME_INSTITUTION_TYPES)


def judge(a: Reading, b: Reading) -> Judged:
    """Are two readings one organisation?  Reasons are for a manager."""
    if not a.letters or not b.letters:
        return Judged(DISTINCT, "名称为空，无法比较", "空名称")
    if a.branch and b.branch and a.branch != b.branch:
        return Judged(DISTINCT, "分支机构不同", "分支机构比较")
    for level, (x, y) in enumerate(zip(a.chain, b.chain)):
        if x and y and x != y:
            return Judged(DISTINCT, f"{('省份', '城市', '区县')[level]}不同：{x} vs {y}", "地名比较")
    caps: list[str] = []
    if bool(a.branch) != bool(b.branch):
        caps.append("一方是分支机构")
    if a.inst and b.inst and a.inst != b.inst:
        if not _family(a.inst, b.inst):
            return Judged(DISTINCT, f"类型不同：{a.inst} vs {b.inst}", "类型词比较")
        caps.append(f"机构名称新旧写法：{a.inst} vs {b.inst}")
    elif bool(a.inst) != bool(b.inst):
        caps.append("一方没有写机构类型")
    same = _same_body(a, b)
    if a.ordinal and b.ordinal and a.ordinal != b.ordinal:
        return Judged(DISTINCT, f"序号不同：第{a.ordinal} vs 第{b.ordinal}", "序号比较")
    if bool(a.ordinal) != bool(b.ordinal):
        if same and a.inst == b.inst and (a.ordinal or b.ordinal) != "1":
            return Judged(DISTINCT, f"序号不同：第{a.ordinal or b.ordinal} vs 无序号", "序号比较")
        caps.append("一方没有写序号")
    if not same:
        near = _near_body(a, b)
        if near is None:
            return Judged(DISTINCT, "名称读音不同", "读音不同")
        caps.insert(0, near)
    if bool(a.place) != bool(b.place):
        caps.append("一方未写地名")
    elif a.place and b.place and a.level != b.level:
        caps.append("地名详略不同")
    elif not a.place and not a.body:
        caps.append("通用名称，未写地名")
    if caps:
        return Judged(POSSIBLE, "；".join(caps), "读音相近")
    return Judged(DUPLICATE, "读音一致", "读音相同")

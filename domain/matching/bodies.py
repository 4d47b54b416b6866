"""Judge the text difference between two cores once place, type word,
ordinal and branch have been checked.

If one core is the other plus one inserted block, every position of that
block is tried (南方医院 / 南方医科大学南方医院); otherwise the cores are cut
into common prefix + differing middles + common suffix.  What decides is
*what* differs:
- nothing (or only place words already accounted for)  → same;
- one side has extra text (an insertion): a parent institution
  (首都医科大学附属…), a filler (附属), industry words (生物医疗电子), a sub-
  name after a university (吉林大学|白求恩|第一医院) → possible; a single
  extra character (中兴|新|通讯) or extra words between two ordinary words
  (中国|农业|银行) → distinct;
- both sides differ (a substitution): same pinyin → possible (typo); same
  trade name once industry words are dropped (迈瑞医疗 / 迈瑞生物医疗电子) →
  possible; anything else → distinct.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .data.lexicon import FILLER_WORDS, GENERIC_BODIES, INDUSTRY_WORDS, INSTITUTION_MARKERS, TYPE_WORDS
from .model import DISTINCT, DUPLICATE, POSSIBLE, Parsed
from .numerals import int_to_cn
from .phonetic import sounds_alike

_INDUSTRY = tuple(sorted(set(INDUSTRY_WORDS), key=len, reverse=True))
_MARKERS = tuple(sorted(set(INSTITUTION_MARKERS), key=len, reverse=True))
_TYPES = frozenset(TYPE_WORDS)
# A middle insertion after one of these is a sub-name of that institution.
_ANCHORS = ("大学", "学院", "科学院", "医院", "集团", "公司")
_ORDINAL_RE = re.compile(r"第([0-9]+)")


@dataclass(frozen=True)
class Judgement:
    verdict: str   # DUPLICATE (bodies agree), POSSIBLE or DISTINCT
    reason: str
    rule: str


# Longer extra text than this is not a prefix/suffix variant of one name
# (the longest real parent prefix, 华中科技大学同济医学院附属, has 13).
_MAX_EXTRA = 20


def show(text: str, limit: int = 16) -> str:
    """Display form for reasons: 第1 → 第一, cut to `limit` characters."""
    text = _ORDINAL_RE.sub(lambda m: "第" + int_to_cn(int(m.group(1))), text)
    return text if len(text) <= limit else text[:limit] + "…"


_RANK = {DUPLICATE: 2, POSSIBLE: 1, DISTINCT: 0}


def _gaps(a: str, b: str) -> list[tuple[str, str, str]]:
    """Every way the longer string is the shorter plus one inserted block:
    (prefix, block, suffix).  Empty when they differ otherwise."""
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(short) == len(long_):
        return []
    extra = len(long_) - len(short)
    out = []
    for k in range(len(short) + 1):
        if long_.startswith(short[:k]) and long_.endswith(short[k:]):
            out.append((short[:k], long_[k:k + extra], short[k:]))
    return out


def split(a: str, b: str) -> tuple[str, str, str, str]:
    """(common prefix, middle of a, middle of b, common suffix)."""
    i = 0
    limit = min(len(a), len(b))
    while i < limit and a[i] == b[i]:
        i += 1
    j = 0
    while j < limit - i and a[len(a) - 1 - j] == b[len(b) - 1 - j]:
        j += 1
    return a[:i], a[i:len(a) - j], b[i:len(b) - j], a[len(a) - j:]


def _spoken_number(text: str) -> str:
    """第5 → 五: how a number read as an ordinal was typed (宣五医院 is 宣武 mistyped)."""
    return _ORDINAL_RE.sub(lambda m: int_to_cn(int(m.group(1))), text)


def _drop_places(text: str, words: frozenset[str]) -> str:
    for w in sorted(words, key=lambda w: (-len(w), w)):
        if len(w) >= 2:
            text = text.replace(w, "")
    return text


def _all_industry(text: str) -> bool:
    while text:
        for w in _INDUSTRY:
            if text.startswith(w):
                text = text[len(w):]
                break
        else:
            return False
    return True


def trade_name(body: str) -> str:
    """Trade name (字号): the body without trailing industry words."""
    changed = True
    while changed:
        changed = False
        for w in _INDUSTRY:
            if body.endswith(w) and len(body) - len(w) >= 2:
                body = body[: -len(w)]
                changed = True
                break
    return body


def _strip_trailing_places(text: str, words: frozenset[str]) -> str:
    """首都医科大学附属北京朝阳 → 首都医科大学附属 (for display only)."""
    changed = True
    while changed:
        changed = False
        for w in sorted(words, key=lambda w: (-len(w), w)):
            if len(w) >= 2 and text.endswith(w) and len(text) > len(w):
                text, changed = text[: -len(w)], True
    return text


def _names(pa: Parsed, pb: Parsed) -> str:
    return f"{show(pa.core)} vs {show(pb.core)}"


def _insertion(extra: str, prefix: str, suffix: str, shown: str,
               pa: Parsed, pb: Parsed) -> Judgement:
    """`extra` (place words removed) is in one core and not in the other;
    `shown` is the display form of it."""
    shown = show(shown).strip()
    if len(extra) > _MAX_EXTRA:
        return Judgement(DISTINCT, f"名称差异过大：一方多出“{shown}”", "差异过大")
    if re.fullmatch(r"第[0-9]+", extra):
        return Judgement(POSSIBLE, f"一方有序号“{shown}”，另一方没有", "序号一方缺失")
    if extra in _TYPES and not suffix:
        return Judgement(POSSIBLE, f"一方缺少类型词“{extra}”", "类型词一方缺失")
    if extra in FILLER_WORDS and shown == extra:
        return Judgement(POSSIBLE, f"一方多写“{extra}”", "可省略词")
    if (shown.endswith(_MARKERS) and len(shown) >= 3) or extra in FILLER_WORDS:
        return Judgement(POSSIBLE, f"一方带上级单位“{shown}”", "上级单位前缀")
    if _all_industry(extra):
        return Judgement(POSSIBLE, f"一方多写行业词“{shown}”", "行业词")
    if len(extra) == 1:
        return Judgement(DISTINCT, f"名称不同：{_names(pa, pb)}", "单字差异")
    if not prefix or not suffix:
        return Judgement(POSSIBLE, f"一方多出“{shown}”", "名称包含")
    if prefix.endswith(_ANCHORS):
        return Judgement(POSSIBLE, f"一方多出“{shown}”", "机构下属名称")
    return Judgement(DISTINCT, f"名称不同：{_names(pa, pb)}", "中间插入词")


def _words(prefix: str, da: str, db: str, suffix: str, pa: Parsed, pb: Parsed) -> tuple[str, str]:
    """Widen a difference to readable words, the same window on both sides:
    中|山医院 → 中山 / 华山, 迈|瑞|生物… → 迈瑞 (never into a type or industry
    word), 哈尔|宾|医科大学 → 哈尔宾 / 哈尔滨 (a place word is shown whole)."""
    left = right = 0
    if len(da) == len(db) == 1:
        type_len = max(len(pa.inst_type or ""), len(pb.inst_type or ""))
        word_follows = suffix.startswith(_INDUSTRY) or len(suffix) <= type_len
        left, right = (0, 1) if suffix and not word_follows else (1, 0)
    start = len(prefix)
    for word in sorted(pa.place_words | pb.place_words, key=lambda w: (-len(w), w)):
        if len(word) < 2:
            continue
        for core, mid in ((pa.core, da), (pb.core, db)):
            at = core.find(word)
            if 0 <= at <= start and at + len(word) > start and at + len(word) >= start + len(mid):
                left, right = start - at, at + len(word) - start - len(mid)
                break
        else:
            continue
        break
    head, tail = prefix[len(prefix) - left:] if left else "", suffix[:right]
    return head + da + tail, head + db + tail


def _generic_with_parent(pa: Parsed, pb: Parsed, gaps) -> Judgement | None:
    """北京肿瘤医院 / 中国医学科学院肿瘤医院: a name whose own body is generic
    (only its place and type say which one it is) against one that adds only a
    parent institution. Two institutions, unless the parent holds the other's
    place (北京大学肿瘤医院 is 北京肿瘤医院)."""
    short = pa if len(pa.core) < len(pb.core) else pb
    if short.body not in GENERIC_BODIES or not short.place_words:
        return None
    for prefix, extra, _ in gaps:
        if prefix or not extra.endswith(_MARKERS):
            continue
        if any(w in extra for w in short.place_words if len(w) >= 2):
            return None
        return Judgement(DISTINCT, f"通用名称：一方只写了上级单位“{show(extra)}”，"
                                   f"另一方是{show(short.core)}（地名不同）", "通用名与上级单位")
    return None


def judge(pa: Parsed, pb: Parsed) -> Judgement:
    a, b = pa.core, pb.core
    if a == b:
        return Judgement(DUPLICATE, "名称主体相同", "主体相同")
    places = pa.place_words | pb.place_words
    gaps = _gaps(a, b)
    if gaps:
        # One core is the other with one block inserted.  The block can often
        # sit in several places (南方医|科大学南方医|院 or |南方医科大学|南方医院);
        # judge each and keep the most favourable reading.
        best: Judgement | None = None
        generic = _generic_with_parent(pa, pb, gaps)
        if generic is not None:
            return generic
        for prefix, extra, suffix in gaps:
            typo = next((w for w in sorted(places) if sounds_alike(extra, w)), None)
            if typo:
                # 苏洲市立医院 / 苏州市立医院: the place spelt wrongly was not read as one
                return Judgement(POSSIBLE, f"地名疑似写错：{extra} vs {typo}", "地名错字")
            got = _insertion(_drop_places(extra, places), prefix, suffix,
                             _strip_trailing_places(extra, places), pa, pb)
            if _drop_places(extra, places) == "":
                got = Judgement(DUPLICATE, f"同名（仅地名写法不同：{show(extra)}）", "地名写法")
            if best is None or _RANK[got.verdict] > _RANK[best.verdict]:
                best = got
        assert best is not None
        return best
    prefix, da, db, suffix = split(a, b)
    da_np, db_np = _drop_places(da, places), _drop_places(db, places)
    if not da_np and not db_np:
        dropped = show(da or db)
        return Judgement(DUPLICATE, f"同名（仅地名写法不同：{dropped}）", "地名写法")
    wa, wb = _words(prefix, da, db, suffix, pa, pb)
    alike = sounds_alike(da, db) or sounds_alike(*(_spoken_number(x) for x in (da, db)))
    if alike:
        return Judgement(POSSIBLE, f"{alike}字：{wa} vs {wb}", alike)
    trade_a, trade_b = trade_name(pa.body), trade_name(pb.body)
    if trade_a == trade_b and len(trade_a) >= 2 and not pa.latin:
        trades_a, trades_b = pa.body[len(trade_a):], pb.body[len(trade_b):]
        if trades_a and trades_b and trades_a not in trades_b and trades_b not in trades_a:
            # 鱼跃医疗 / 鱼跃科技, 复星医药 / 复星医疗: one brand, two lines of business, two companies.
            # 迈瑞医疗 / 迈瑞生物医疗电子 is a short form: its trade words are in the long one.
            return Judgement(DISTINCT, f"字号相同但行业不同：{show(pa.body)} vs {show(pb.body)}", "行业不同")
        return Judgement(POSSIBLE, f"字号相同：{show(trade_a)}（行业词不同）", "字号相同")
    # One wrong letter in a long latin name is a typo (MEDTRONIC/MEDTRONLC);
    # one different character in a Chinese name is another name (中山/华山).
    if pa.latin and pb.latin and min(len(a), len(b)) >= 8 and max(len(da), len(db)) <= 1:
        return Judgement(POSSIBLE, f"名称相近：{show(da)} vs {show(db)}", "拼写相近")
    if len(pa.core) <= 12 and len(pb.core) <= 12:
        return Judgement(DISTINCT, f"名称不同：{_names(pa, pb)}", "主体不同")
    return Judgement(DISTINCT, f"名称不同：{show(wa)} vs {show(wb)}", "主体不同")

"""Products and quantities: "A100*20", "D400 x 5", "B200 十台", "彩超2台", "2台彩超".

SKU codes are letters followed by digits (A100, D400); product words come from
the catalog. A count needs a unit (台/套/...) or a multiplication sign, except
one order line "A100 20" where a bare number after a code is the quantity.

A count that is no whole positive number ("A100*1.5", "*0", "*-5") is kept
as typed (``bad_qty``), never cut to the nearest count: the handler answers
"数量不对" instead of ordering 1 or asking again as if none was given.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .numerals import CN_SMALL_RE, to_int

# Count units. 个/部 exclude 个月/部门 so durations and departments stay intact.
UNIT_RE = r"(?:台|套|个(?!月)|件|箱|支|盒|部(?!门)|只|组|张|瓶|包|(?i:pcs|pc|units?|sets?|boxes|box)(?![A-Za-z]))"
_QTY_NUM = rf"(?:\d{{1,6}}|{CN_SMALL_RE})"
# What someone typed where a count goes that is not one: a fraction, a negative number.
# (Zero matches _QTY_NUM and is refused by value.)
_BAD_NUM = r"(?:-\s*\d+(?:\.\d+)?|\d+\.\d+)"
_TIMES = r"[*xX×:]"

# Order/ref numbers ("RG20261123-0001", "SO20261123-0001") have >= 6 digits;
# SKUs have 2..5 digits, which keeps the two apart.
REF_RE = re.compile(r"(?<![A-Za-z0-9])(?P<ref>[A-Za-z]{2,4}-?\d{6,14}(?:-\d{1,6})?)(?![A-Za-z0-9])")

_SKU_CORE = r"[A-Za-z]{1,4}-?\d{2,5}(?:-[A-Za-z0-9]{1,6})?"
_SKU = rf"(?P<sku>{_SKU_CORE})"
SKU_SHAPE = re.compile(_SKU_CORE)


def _item_re(allow_bare_qty: bool) -> re.Pattern[str]:
    not_money = r"(?![\d.,]|\s*(?:万|亿|元|块|%|折|[wWkKmM](?![A-Za-z])))"
    bare = (rf"|[ \t]+(?:(?P<b3>-\d+|\d+\.\d+)|(?P<q3>\d{{1,5}})){not_money}" if allow_bare_qty else "")
    return re.compile(
        rf"""
        (?:(?P<q0>{_QTY_NUM})\s*{UNIT_RE}\s*)?              # "20台A100"
        (?<![A-Za-z0-9\-]){_SKU}(?![A-Za-z0-9](?<![xX]))      # no more code chars, but "A100x20" ok
        (?:
            \s*{_TIMES}\s*(?:(?P<b1>{_BAD_NUM})|(?P<q1>{_QTY_NUM}))(?:\s*{UNIT_RE})?   # "A100*20", "A100 x 20"
          | \s*(?:(?P<b2>{_BAD_NUM})|(?P<q2>{_QTY_NUM}))\s*{UNIT_RE}                 # "A100 20台", "B200 十台"
          {bare}                                              # "A100 20" (order lines)
        )?
        """,
        re.VERBOSE,
    )


_ITEM_RE_ORDER = _item_re(allow_bare_qty=True)
_ITEM_RE_PLAIN = _item_re(allow_bare_qty=False)

# "删除 B200", "去掉监护仪" in a change to an order: the products right after go.
REMOVE_RE = re.compile(r"(?:删除|删掉|删去|去掉|去除|移除|不要|取消|(?i:remove|delete|drop)(?![A-Za-z]))\s*[:：]?")
# Between the removal word and its first product: space only; between the
# products it names, a list separator ("删除 B200、C300"): in "删除 B200 A100*30"
# A100 stays.
REMOVE_GAP_RE = re.compile(r"\s*")
REMOVE_LIST_RE = re.compile(r"\s*[、,，和及与]\s*")

# "各1台" / "1台 each" applies the count to every product listed before it.
STANDALONE_QTY_RE = re.compile(
    rf"(?P<each>各\s*)?(?<![\dA-Za-z.])(?:[*xX×]\s*)?(?P<q>{_QTY_NUM})\s*{UNIT_RE}(?P<each2>\s*(?i:each)\b)?"
)


@dataclass(frozen=True)
class SkuHit:
    start: int
    end: int
    code: str  # upper-cased
    qty: int | None
    bad_qty: str | None = None  # a count that is none ("1.5", "0", "-5"), as typed


@dataclass(frozen=True)
class WordHit:
    start: int
    end: int
    word: str
    qty: int | None
    bad_qty: str | None = None


MAX_COUNT = 1_000_000


def _qty(m: re.Match[str], names: tuple[str, ...]) -> tuple[int | None, str | None]:
    """(count, None), or (None, the text) when what stands in a count's place is
    no whole count from 1 to MAX_COUNT."""
    groups = m.groupdict()
    for name in names:
        text = groups.get(name)
        if text:
            value = to_int(text)
            if value is not None and 0 < value <= MAX_COUNT:
                return value, None
            return None, re.sub(r"\s+", "", text)
    bad = next((groups[b] for b in ("b1", "b2", "b3") if groups.get(b)), None)
    return None, re.sub(r"\s+", "", bad) if bad else None


def find_skus(text: str, allow_bare_qty: bool) -> list[SkuHit]:
    pattern = _ITEM_RE_ORDER if allow_bare_qty else _ITEM_RE_PLAIN
    hits = []
    for m in pattern.finditer(text):
        hits.append(SkuHit(m.start(), m.end(), m.group("sku").upper(), *_qty(m, ("q1", "q2", "q3", "q0"))))
    return hits


@lru_cache(maxsize=32)
def _word_re(pattern: str) -> re.Pattern[str]:
    # The word alternation comes first so the regex engine can skip ahead on
    # its first characters; a count written before the word is looked up
    # separately (see find_words) instead of as an optional leading group.
    return re.compile(
        rf"""
        (?P<word>{pattern})
        (?:
            \s*[*xX×]\s*(?:(?P<b1>{_BAD_NUM})|(?P<q1>{_QTY_NUM}))(?:\s*{UNIT_RE})?    # "彩超x2"
          | \s*(?:(?P<b2>{_BAD_NUM})|(?P<q2>{_QTY_NUM}))\s*{UNIT_RE}                  # "彩超2台", "彩超 1台"
        )?
        """,
        re.VERBOSE,
    )


_QTY_BEFORE_RE = re.compile(rf"(?P<q0>{_QTY_NUM})\s*{UNIT_RE}\s*$")


def find_words(text: str, pattern: str | None) -> list[WordHit]:
    """Catalog words, with any count glued to or right next to them ("2台彩超", "彩超 1台")."""
    if not pattern:
        return []
    hits: list[WordHit] = []
    last_end = 0
    for m in _word_re(pattern).finditer(text):
        start, (qty, bad) = m.start(), _qty(m, ("q1", "q2"))
        if qty is None and bad is None:
            window_start = max(last_end, start - 12)
            before = _QTY_BEFORE_RE.search(text, window_start, start)
            if before:
                value = to_int(before.group("q0"))
                if value and value <= 1_000_000:
                    start, qty = before.start(), value
        hits.append(WordHit(start, m.end(), m.group("word"), qty, bad))
        last_end = m.end()
    return hits


@dataclass(frozen=True)
class QtyHit:
    start: int
    end: int
    qty: int
    each: bool  # "各2台": for every product mentioned before


def find_quantities(text: str) -> list[QtyHit]:
    """Loose counts ("2台", "各1台") to attach to a nearby product."""
    out = []
    for m in STANDALONE_QTY_RE.finditer(text):
        value = to_int(m.group("q"))
        if value is not None and 0 < value <= 1_000_000:
            out.append(QtyHit(m.start(), m.end(), value, bool(m.group("each") or m.group("each2"))))
    return out


_LEADING_QTY_RE = re.compile(rf"[\s:为是]*(?P<q>{_QTY_NUM})(?:\s*{UNIT_RE})?")
_QTY_SUFFIX_RE = re.compile(
    rf"\s*(?:[*xX×]\s*(?P<a>{_QTY_NUM})(?:\s*{UNIT_RE})?|(?P<b>{_QTY_NUM})\s*{UNIT_RE})$"
)


def leading_qty(text: str, pos: int) -> tuple[int, int] | None:
    """Quantity right after a 数量 label: (value, end)."""
    m = _LEADING_QTY_RE.match(text, pos)
    if not m:
        return None
    value = to_int(m.group("q"))
    return (value, m.end()) if value else None


def split_qty_suffix(word: str) -> tuple[str, int | None]:
    """'XYZ设备2台' -> ('XYZ设备', 2): a labelled product value with a count glued on."""
    m = _QTY_SUFFIX_RE.search(word)
    if not m or m.start() == 0:
        return word, None
    return word[:m.start()].strip(), to_int(m.group("a") or m.group("b"))

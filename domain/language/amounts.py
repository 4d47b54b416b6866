"""Money amounts in yuan: "80万", "二十万", "1.5亿", "50W", "800k", "¥1,200,000".

Deal sizes decide routing (e.g. deals >= ¥1,000,000 go to direct sales), so
misreading a quantity or a date as money is worse than finding nothing: a
number without a money unit only counts when it is big and stands alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import fold
from .numerals import CN_NUM_RE, cn_to_number

_AMOUNT_RE = re.compile(
    rf"""
    (?<![A-Za-z0-9./_])                          # not the tail of a SKU, date or decimal
    (?:(?P<cur>[¥$]|人民币|(?i:rmb|cny))\s*)?
    (?:
        (?P<ar>(?>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?))
      | (?P<cn>{CN_NUM_RE})
    )
    (?P<more>多)?                                # "100多万": approximate, keep the number
    (?:\s*(?P<unit>亿元?|[百千]万元?|万元?|万块钱?|千元|元|块钱?
        |[wW](?![A-Za-z])|[kK](?![A-Za-z])|[mM](?![A-Za-z])
        |(?i:million|mn|thousand|billion|bn)(?![A-Za-z])))?
    (?P<wan>(?<=亿)\d{{1,4}}(?:\.\d+)?万元?)?      # "1亿2000万"
    """,
    re.VERBOSE,
)

_FACTORS = {
    "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3, "元": 1.0, "块": 1.0,
    "w": 1e4, "k": 1e3, "m": 1e6, "million": 1e6, "mn": 1e6,
    "thousand": 1e3, "billion": 1e9, "bn": 1e9,
}

# What may follow a bare number that is therefore NOT money: units of count,
# date parts, percent/discount, ordinal-ish words.
_NOT_MONEY_AFTER = set("台套个件箱支盒部只组张瓶包年月日号天周%折点时岁次楼层人家床排期米-/:.")

# Filler allowed between a label and its amount: "预算约120万", "金额为80万".
_LEAD_FILLER = re.compile(r"(?:\s|:|约|大约|大概|预计|估计|为|是|共|共计|合计|总计|总共|about|approx\.?|around|~|≈)*",
                          re.IGNORECASE)


@dataclass(frozen=True)
class AmountHit:
    start: int
    end: int
    value: float
    explicit: bool  # had a money unit / currency sign / Chinese 万亿
    doubt: str | None = None  # "range" | "per_unit" | "negative": a number, but not clearly the deal's total


# What around an amount makes it something other than one total: "80-100万"
# (a range), "80万/台" (a unit price), "-80万" (a sign). The number is still
# found, so its span is claimed, but the caller asks instead of guessing.
_RANGE_BEFORE = re.compile(r"\d(?:\.\d+)?\s*(?:[万wW千kK亿]\s*)?(?:-|~|～|—|–|到|至)\s*$")
_RANGE_AFTER = re.compile(r"^\s*(?:[万wW千kK亿]\s*)?(?:-|~|～|—|–|到|至)\s*\d")
_NEGATIVE_BEFORE = re.compile(r"(?:^|[^\w.])(?:-|－|负)\s*$")
_PER_UNIT_AFTER = re.compile(r"^\s*(?:/|每|一)\s*(?:台|套|个|件|支|部|只)")
_PER_UNIT_BEFORE = re.compile(r"(?:每台|每套|每个|每件|单价|单台|一台)\s*[:：]?\s*$")


def _doubt(text: str, start: int, end: int) -> str | None:
    before, after = text[max(0, start - 12):start], text[end:end + 8]
    if _RANGE_BEFORE.search(before) or _RANGE_AFTER.match(after):
        return "range"
    if _NEGATIVE_BEFORE.search(before):
        return "negative"
    if _PER_UNIT_AFTER.match(after) or _PER_UNIT_BEFORE.search(before):
        return "per_unit"
    return None


def _unit_factor(unit: str | None) -> float:
    if not unit:
        return 1.0
    key = unit.lower()
    if key in _FACTORS:
        return _FACTORS[key]
    if key[:2] in _FACTORS:          # "百万元", "千万元"
        return _FACTORS[key[:2]]
    return _FACTORS.get(key[0], 1.0)


def _evaluate(m: re.Match[str], text: str, lenient: bool) -> AmountHit | None:
    ar, cn, unit, cur = m.group("ar"), m.group("cn"), m.group("unit"), m.group("cur")
    explicit = bool(unit or cur or (cn and ("万" in cn or "亿" in cn)))
    # Decide acceptability before converting: cn2an is slow, and most
    # unit-less Chinese numerals ("第一", "三十") are not money at all.
    if not explicit and not lenient and (cn or not _acceptable_bare(ar, m.end(), text)):
        return None
    if ar is not None:
        try:
            number = float(ar.replace(",", ""))
        except ValueError:
            return None
    else:
        number_or_none = cn_to_number(cn or "")
        if number_or_none is None:
            return None
        number = number_or_none
    value = number * _unit_factor(unit)
    wan = m.group("wan")
    if wan:
        try:
            value += float(wan.rstrip("元").rstrip("万")) * 1e4
        except ValueError:
            pass
    if value <= 0:
        return None
    return AmountHit(m.start(), m.end(), round(value, 2), explicit, _doubt(text, m.start(), m.end()))


def _acceptable_bare(ar: str | None, end: int, text: str) -> bool:
    """A unit-less number is money only if it is >= 1000 and not a year/phone/qty."""
    if ar is None or "." in ar:
        return False
    digits = ar.replace(",", "")
    if not digits.isdigit() or len(digits) > 12:
        return False
    value = int(digits)
    if value < 1000:
        return False
    if len(digits) == 4 and 1900 <= value <= 2100:  # a year
        return False
    if len(digits) == 11 and digits.startswith("1"):  # a mobile number
        return False
    glued = text[end:end + 1]
    if glued.isascii() and glued.isalnum():  # "1000mm", "2000A"
        return False
    rest = text[end:end + 8].lstrip(" ")
    return not (rest and rest[0] in _NOT_MONEY_AFTER)


def find_amounts(text: str) -> list[AmountHit]:
    """All money-looking spans, in text order."""
    hits: list[AmountHit] = []
    for m in _AMOUNT_RE.finditer(text):
        hit = _evaluate(m, text, lenient=False)
        if hit is not None:
            hits.append(hit)
    return hits


def leading_amount(text: str, pos: int = 0) -> AmountHit | None:
    """Amount right at ``pos`` (after a label such as 金额/预算); any number counts."""
    filler = _LEAD_FILLER.match(text, pos)
    start = filler.end() if filler else pos
    m = _AMOUNT_RE.match(text, start)
    if not m:
        return None
    return _evaluate(m, text, lenient=True)


def parse_amount(text: str) -> float | None:
    """Best amount in ``text`` in yuan, or None.

    Prefers a number with a money unit; falls back to a bare integer >= 1000.
    """
    if not isinstance(text, str) or not text:
        return None
    try:
        hits = find_amounts(fold(text))
    except Exception:  # a standalone helper must not raise on odd input
        return None
    for hit in hits:
        if hit.explicit:
            return hit.value
    return hits[0].value if hits else None

"""Discounts as a price factor: "8折" -> 0.8, "九五折" -> 0.95, "20% off" -> 0.8.

Chinese 折 counts tenths of the list price, and two digits mean a finer step
("85折" = 0.85), so the digits are read as a decimal fraction, not a number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

_DISCOUNT_RE = re.compile(
    r"""
    (?:打\s*)?
    (?:
        (?<![\d.])(?P<ar>\d(?:\.\d{1,2})?|\d{2})\s*折(?!旧|叠|腾)
      | (?P<cn>[一二两三四五六七八九][一二三四五六七八九]?)\s*折(?!旧|叠|腾)
      | (?<![\d.])(?P<off>\d{1,2}(?:\.\d+)?)\s*%\s*(?i:off)(?![A-Za-z])
    )
    """,
    re.VERBOSE,
)

# Value given after a 折扣/discount label: "0.8", "80%", "85", "8.5".
_LABEL_VALUE_RE = re.compile(r"[\s:为是]*(?P<num>\d{1,3}(?:\.\d+)?)\s*(?P<pct>%)?")


@dataclass(frozen=True)
class DiscountHit:
    start: int
    end: int
    factor: float


def _from_digits(digits: str) -> float | None:
    """'8' -> 0.8, '85' -> 0.85, '8.5' -> 0.85 (tenths of list price)."""
    try:
        if "." in digits:
            factor = float(digits) / 10
        elif len(digits) == 2:
            factor = int(digits) / 100
        else:
            factor = int(digits) / 10
    except ValueError:
        return None
    return round(factor, 4) if 0 < factor < 1 else None


def _evaluate(m: re.Match[str]) -> float | None:
    if m.group("ar"):
        return _from_digits(m.group("ar"))
    if m.group("cn"):
        digits = "".join(str(_CN_DIGIT[ch]) for ch in m.group("cn"))
        return _from_digits(digits)
    if m.group("off"):
        off = float(m.group("off"))
        return round(1 - off / 100, 4) if 0 < off < 100 else None
    return None


def find_discounts(text: str) -> list[DiscountHit]:
    hits = []
    for m in _DISCOUNT_RE.finditer(text):
        factor = _evaluate(m)
        if factor is not None:
            hits.append(DiscountHit(m.start(), m.end(), factor))
    return hits


def leading_discount(text: str, pos: int = 0) -> DiscountHit | None:
    """Discount right after a 折扣 label: accepts '8折', '0.8', '80%', '85'."""
    m = _DISCOUNT_RE.match(text, pos + len(text[pos:]) - len(text[pos:].lstrip(" :")))
    if m:
        factor = _evaluate(m)
        return DiscountHit(m.start(), m.end(), factor) if factor is not None else None
    m = _LABEL_VALUE_RE.match(text, pos)
    if not m:
        return None
    num = float(m.group("num"))
    if m.group("pct"):
        factor = num / 100
    elif num < 1:
        factor = num
    elif num <= 10:
        factor = num / 10
    else:
        factor = num / 100
    if not 0 < factor < 1:
        return None
    return DiscountHit(pos, m.end(), round(factor, 4))

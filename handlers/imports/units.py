"""Units written in a header's brackets: `信用额度（万元）`, `签到半径（公里）`.

A column is kept in one unit (yuan, metres). People label a column with
another one and fill it accordingly, so `信用额度（万元）` with 300 means
¥3,000,000. The bracket is read, not dropped: a known unit scales the
column's numbers into the stored unit; a bracket that names a unit we can't
convert (美元, 英里) refuses the file rather than store a wrong number.
Brackets that are no unit at all (`（含税）`, `（省）`) are left alone.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

# By the unit a column is stored in: the units its header may name, and the
# factor into the stored unit.
SCALES: dict[str, dict[str, Decimal]] = {
    "元": {"元": Decimal(1), "人民币": Decimal(1), "人民币元": Decimal(1), "rmb": Decimal(1), "cny": Decimal(1),
          "yuan": Decimal(1), "¥": Decimal(1), "千元": Decimal(1_000), "万元": Decimal(10_000), "万": Decimal(10_000),
          "万元人民币": Decimal(10_000), "百万元": Decimal(1_000_000), "百万": Decimal(1_000_000),
          "亿元": Decimal(100_000_000), "亿": Decimal(100_000_000)},
    "米": {"米": Decimal(1), "m": Decimal(1), "公里": Decimal(1_000), "千米": Decimal(1_000), "km": Decimal(1_000)},
}
# A bracket that names a unit of that kind we don't convert.
OTHER_UNITS: dict[str, re.Pattern[str]] = {
    "元": re.compile(r"元|币|usd|hkd|eur|jpy|gbp|dollar|\$|€|£|¥"),
    "米": re.compile(r"米|英里|英尺|尺|里|mile|feet|ft|cm|mm|yd"),
}
_LABEL = re.compile(r"^单位[:：]?")


def _plain(hint: str) -> str:
    s = unicodedata.normalize("NFKC", hint).casefold()
    return _LABEL.sub("", re.sub(r"\s+", "", s))


def scale_of(unit: str, hints: list[str]) -> tuple[Decimal, str] | None:
    """(factor, the unit as written) for the header's bracketed hints, or None
    when no hint names a unit. ValueError names a unit that can't be converted."""
    scales = SCALES.get(unit)
    if not scales:
        return None
    for hint in hints:
        plain = _plain(hint)
        if plain in scales:
            return scales[plain], hint.strip()
        if OTHER_UNITS[unit].search(plain):
            raise ValueError(hint.strip())
    return None

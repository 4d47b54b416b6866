"""Cell values as spreadsheets deliver them, turned into Python values.

Excel hands over ints, floats, datetimes; a CSV only strings; people type
`50万`, `¥1,200`, `2026/12/5`, `北京、河北`. Each function takes whatever the
cell held and returns the value or raises RowProblem with a reason. An empty
cell is None (or [] for lists) and never an error here: whether a column may
be empty is the kind's decision.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from openpyxl.utils.datetime import from_excel

from domain.money import money as to_fen
from handlers.imports.problems import RowProblem, said

_MULTIPLIERS = {"万": Decimal(10_000), "w": Decimal(10_000), "亿": Decimal(100_000_000)}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_CURRENCY = ("¥", "rmb", "cny")
_OWN_UNIT = re.compile(r"[万亿元wW]")
_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ tT].*)?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
# Excel's day numbers for 1900-03-01 … 9999-12-31: a date cell that lost its format.
_EXCEL_DAYS = range(61, 2_958_466)
LIST_SEPARATORS = re.compile(r"[|、,，;；\n]")
# What the columns can hold: an amount goes into Numeric(14, 2) at the smallest (a
# product's price: below ¥1万亿), a count into an INTEGER.
MOST_MONEY = Decimal(10) ** 12
MOST_INTEGER = 2**31 - 1
DAY_YEARS = range(1900, 2101)

_YES = {"是", "yes", "y", "true", "1", "t"}
_NO = {"否", "no", "n", "false", "0", "f"}


@dataclass(frozen=True, slots=True)
class Scaled:
    """A cell of a column whose header names its unit (`信用额度（万元）`): the
    number read is multiplied by ``factor`` into the stored unit."""
    raw: object
    factor: Decimal
    unit: str


def is_empty(value: object) -> bool:
    if isinstance(value, Scaled):
        value = value.raw
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: object) -> str | None:
    """Stripped text. Whole floats lose their `.0` (an ERP code 1001 that Excel
    stored as a number must not become `1001.0`)."""
    if is_empty(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    return str(value).strip()


def number(value: object) -> Decimal | None:
    """`98000`, `98000.0`, `98,000`, `¥98,000`, `9.8万`, `98000元` → Decimal('98000')."""
    if isinstance(value, Scaled):
        return _scaled(value)
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise RowProblem(f"不是数字: {said(value)} (not a number)")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RowProblem(f"不是数字: {said(value)} (not a number)")
        return Decimal(repr(value))          # repr: the shortest form, 0.1 stays 0.1
    s = unicodedata.normalize("NFKC", str(value)).strip().casefold().replace(",", "").replace(" ", "")
    for sign in _CURRENCY:
        s = s.removeprefix(sign)
    s = s.removesuffix("元")
    factor = Decimal(1)
    if s and s[-1] in _MULTIPLIERS:
        factor, s = _MULTIPLIERS[s[-1]], s[:-1]
    if not _NUMBER.fullmatch(s):
        raise RowProblem(f"不是数字: {said(value)} (not a number)")
    try:
        return Decimal(s) * factor
    except InvalidOperation:
        raise RowProblem(f"不是数字: {said(value)} (not a number)") from None


def _scaled(cell: Scaled) -> Decimal | None:
    n = number(cell.raw)
    if n is None:
        return None
    if isinstance(cell.raw, str) and _OWN_UNIT.search(cell.raw):
        # "50万" under a 万元 header: which unit is meant can't be told.
        raise RowProblem(f"单元格 {said(cell.raw)} 自带单位，表头已写明单位 {cell.unit}，请只填数字 "
                         f"(the cell has its own unit on top of the header's {cell.unit}: give the number only)")
    return n * cell.factor


def money(value: object) -> Decimal | None:
    """A number rounded to the cent, as the Numeric(…, 2) columns keep it; no larger
    than the smallest of them holds (a 30-digit credit line failed the whole import
    at the rounding, a 20-digit one at PostgreSQL's INSERT)."""
    n = number(value)
    if n is None:
        return None
    try:
        amount = to_fen(n)                  # rounded first: 999999999999.995 is ¥1万亿
    except ValueError:                      # hundreds of digits
        amount = None
    if amount is None or abs(amount) >= MOST_MONEY:
        raise RowProblem(f"金额过大: {str(value)[:40]} (an amount must be below 1,000,000,000,000)")
    return amount


def integer(value: object) -> int | None:
    n = number(value)
    if n is None:
        return None
    if abs(n) > MOST_INTEGER:
        raise RowProblem(f"数字过大: {str(value)[:40]} (a count must be at most {MOST_INTEGER:,})")
    if n != n.to_integral_value():
        raise RowProblem(f"不是整数: {said(value)} (not a whole number)")
    return int(n)


def decimal_degrees(value: object) -> float | None:
    n = number(value)
    return None if n is None else float(n)


def day(value: object) -> date | None:
    """datetime/date cells, ISO strings, `2026/12/5`, `2026年12月5日`, `20261205`,
    and Excel day numbers (a date column someone reformatted as General); in
    DAY_YEARS (0001-01-01 or 9999-12-31 is a placeholder, and falls off what a date
    holds once it is turned into an instant)."""
    found = _day(value)
    if found is not None and found.year not in DAY_YEARS:
        raise RowProblem(f"日期超出范围: {said(value)} (a date must lie in {DAY_YEARS[0]}–{DAY_YEARS[-1]})")
    return found


def _day(value: object) -> date | None:
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if int(value) in _EXCEL_DAYS:
            return from_excel(value).date()
        raise RowProblem(f"不是日期: {said(value)} (not a date)")
    s = unicodedata.normalize("NFKC", str(value)).strip()
    m = _DATE.fullmatch(s) or _COMPACT_DATE.fullmatch(s)
    if not m:
        raise RowProblem(f"不是日期: {said(value)} (not a date; use 2026-12-05)")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise RowProblem(f"日期不存在: {said(value)} (no such date)") from None


def items(value: object) -> list[str]:
    """`北京|河北`, `北京、河北`, `北京，河北`, `北京; 河北` → ['北京', '河北'] (order kept, no repeats)."""
    if is_empty(value):
        return []
    raw = text(value) or ""
    return list(dict.fromkeys(part.strip() for part in LIST_SEPARATORS.split(raw) if part.strip()))


def flag(value: object) -> bool | None:
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    s = (text(value) or "").casefold()
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise RowProblem(f"应填 是/否: {said(value)} (expected yes/no)")


def choice(value: object, options: dict[str, str], what_zh: str, what_en: str) -> str | None:
    """One of a fixed set, by any of its spellings (`options` maps casefolded spelling → stored value)."""
    if is_empty(value):
        return None
    s = unicodedata.normalize("NFKC", str(value)).strip().casefold()
    if s in options:
        return options[s]
    allowed = "/".join(dict.fromkeys(options.values()))
    raise RowProblem(f"{what_zh}不对: {said(value)} (bad {what_en}; expected {allowed})")

"""Dates in chat text, relative to "today": closing dates, plan days, spans.

Conventions (they matter for protection periods, so they are fixed here):
- a month without a day means the last day of that month ("12月" -> 12-31);
  月初/上旬 -> the 10th, 月中/中旬 -> the 20th, 月底/下旬 -> the last day;
- a date written without a year: what it means depends on what is being read.
  A closing date lies ahead, so one already past this year means next year
  ("3月" said in November is next March): ``roll_forward=True``, the default.
  A day someone names (a plan, a delegation) may be a mistake in the past, so
  it is the occurrence nearest today ("11月20日" said on 11-23 is three days
  ago, not next year; "1月3日" said on 12-28 is next week): ``roll_forward=
  False``, which also knows 昨天/前天, and the caller refuses what is past.
  An explicit year never rolls;
- a date that does not exist ("2月30日", "13月5日", "2026-02-30") is no date;
  :func:`scan_dates` reports where it was so the caller can say so instead
  of taking it for a name;
- "12.31" is Dec 31 (not followed by an amount or quantity unit; a closing
  date needs a two-digit day, since "12.5" next to an amount is 12.5万);
  元旦 -> Jan 1, 元旦前 -> Dec 31;
- 下周 / next week -> Sunday of next week; 下个月 -> last day of next month;
- 周三 / 星期三 / 礼拜三 -> the coming Wednesday, today if today is one;
  下周三 -> Wednesday of next week; 本周三 / 这周三 -> this week's, even if past;
- Q1..Q4 / 一季度 -> last day of that quarter, the next such quarter not yet over;
- 年底 / end of year -> Dec 31; 上半年 -> Jun 30, 下半年 -> Dec 31.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .date_patterns import LATIN, PATTERNS, NoSuchDate, add_months, month_end
from .normalize import fold

__all__ = ["DateHit", "DateScan", "NoSuchDate", "add_months", "date_at", "find_dates", "month_end",
           "parse_close_date", "scan_dates"]


@dataclass(frozen=True)
class DateHit:
    start: int
    end: int
    value: date


@dataclass(frozen=True)
class DateScan:
    hits: list[DateHit]                   # the dates, in text order
    invalid: list[tuple[int, int]]        # (start, end) of date-shaped text that is no date


def scan_dates(text: str, today: date, roll_forward: bool = True) -> DateScan:
    """Non-overlapping date expressions in text order (earliest, then longest
    wins), and where date-shaped text names no real day."""
    found: list[tuple[int, int, date | None]] = []
    has_latin = LATIN.search(text) is not None
    for pattern, handler, gate in PATTERNS:
        if (gate is None and not has_latin) or (gate and not any(ch in text for ch in gate)):
            continue
        for m in pattern.finditer(text):
            if m.end() == m.start():
                continue
            try:
                value = handler(m, today, roll_forward)
            except NoSuchDate:
                found.append((m.start(), m.end(), None))
                continue
            except (ValueError, OverflowError, TypeError, KeyError):
                value = None
            if value is not None:
                found.append((m.start(), m.end(), value))
    # A valid reading wins a tie with an invalid one of the same text.
    found.sort(key=lambda h: (h[0], -(h[1] - h[0]), h[2] is None))
    hits: list[DateHit] = []
    invalid: list[tuple[int, int]] = []
    last_end = -1
    for start, end, value in found:
        if start < last_end:
            continue
        if value is None:
            invalid.append((start, end))
        else:
            hits.append(DateHit(start, end, value))
        last_end = end
    return DateScan(hits, invalid)


def find_dates(text: str, today: date, roll_forward: bool = True) -> list[DateHit]:
    """All non-overlapping date expressions in text order (see :func:`scan_dates`)."""
    return scan_dates(text, today, roll_forward).hits


def date_at(text: str, pos: int, today: date, roll_forward: bool = True) -> DateHit | None:
    """Date starting right at ``pos`` (after a label like 预计签约:), if any."""
    window = text[pos:pos + 40]
    lead = len(window) - len(window.lstrip(" :"))
    for hit in find_dates(window, today, roll_forward):
        if hit.start == lead:
            return DateHit(pos + hit.start, pos + hit.end, hit.value)
        break
    return None


def parse_close_date(text: str, today: date) -> date | None:
    """First closing-date expression in ``text``, resolved against ``today``."""
    if not isinstance(text, str) or not text or not isinstance(today, date):
        return None
    try:
        hits = find_dates(fold(text), today)
    except Exception:  # a standalone helper must not raise on odd input
        return None
    return hits[0].value if hits else None

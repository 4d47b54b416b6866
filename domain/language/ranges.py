"""Date spans: "12月5日至12月12日", "12/5-12/12", "2026-12-05 to 2026-12-12", "明天".

Built on :mod:`dates`, whose conventions are for closing dates (a month
means its last day, a past year-less date means next year). A span needs a
first day too, and reads a few things differently:
- a whole week or month ("下周", "下个月", "12月") spans Monday..Sunday or
  the 1st..the last day; any other single date is that one day;
- an end without a month ("12月5日至12日") takes the start's month;
- a year-less end before its start is next year's ("12月28日至1月3日");
- a year-less range already under way is this year's, not next year's
  ("11月20日至11月30日" said on 11-23 started three days ago);
- ``roll_forward`` is passed to :mod:`dates`: a delegation reads its days
  with ``False`` (nearest occurrence), so a range already over stays in the
  past, where the handler refuses it, instead of silently moving a year on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .dates import DateHit, add_months, date_at, find_dates
from .numerals import to_int

# Between the two ends: "至", "到", "-", "~", "to", "until", or just a space
# ("12月5日 12月12日": two dates in a row can only be a range).
_JOIN = re.compile(r"\s*(?:至|到|~|～|-|—|–|(?i:to|until|till|through|thru)(?![A-Za-z]))\s*|\s+")
# An end that is a bare day of the start's month: "12月5日至12日".
_DAY_ONLY = re.compile(r"(?P<d>3[01]|[12]\d|0?[1-9]|[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*[日号]")
_WEEK_ONLY = re.compile(r"(?:下下|下|本|这)个?(?:周|星期|礼拜)|本星期|(?i:(?:this|next)\s+week)")
_MONTH_ONLY = re.compile(r"(?:\d{1,2}|十[一二]?|[一二三四五六七八九])\s*月份?|(?:下下|下|本|这)个?月|当月"
                         r"|(?i:(?:this|next)\s+month)")
_HAS_YEAR = re.compile(r"\d{4}|年")
_MAX_SPAN = timedelta(days=366)  # longer than this is not an absence but a typo


@dataclass(frozen=True)
class Span:
    start: int  # text offsets of the whole expression
    end: int
    first: date
    last: date


def first_day(text: str, hit: DateHit) -> date:
    """Where a single expression's span begins (its end is ``hit.value``)."""
    said = text[hit.start:hit.end].strip()
    if _WEEK_ONLY.fullmatch(said):
        return hit.value - timedelta(days=hit.value.weekday())
    if _MONTH_ONLY.fullmatch(said):
        return hit.value.replace(day=1)
    return hit.value


def _end_after(text: str, pos: int, start: DateHit, today: date, roll_forward: bool) -> DateHit | None:
    """The range end right after a joiner at ``pos``, or None when there is none."""
    join = _JOIN.match(text, pos)
    if not join:
        return None
    hit = date_at(text, join.end(), today, roll_forward)
    if hit is not None:
        return hit
    day = _DAY_ONLY.match(text, join.end())
    value = to_int(day.group("d")) if day else None
    if day is None or value is None:
        return None
    base = start.value if value >= start.value.day else add_months(start.value.replace(day=1), 1)
    try:
        return DateHit(day.start(), day.end(), base.replace(day=value))
    except ValueError:  # "2月5日至30日": no such day
        return None


def _resolve(text: str, first_hit: DateHit, last_hit: DateHit, today: date) -> tuple[date, date]:
    first, last = first_day(text, first_hit), last_hit.value
    first_said, last_said = text[first_hit.start:first_hit.end], text[last_hit.start:last_hit.end]
    if not _HAS_YEAR.search(first_said) and first.year == today.year + 1:
        try:
            back = first.replace(year=today.year)
        except ValueError:  # 2月29日
            back = first
        if back <= last and last - back <= _MAX_SPAN and last >= today:
            first = back
    if last < first and not _HAS_YEAR.search(last_said):
        try:
            last = last.replace(year=first.year + (1 if (last.month, last.day) < (first.month, first.day) else 0))
        except ValueError:
            pass
    return first, last


def find_span(text: str, today: date, roll_forward: bool = True) -> Span | None:
    """The first date or date range in ``text`` (already cleaned), or None."""
    hits = find_dates(text, today, roll_forward)
    if not hits:
        return None
    start = hits[0]
    end = _end_after(text, start.end, start, today, roll_forward)
    if end is None:
        return Span(start.start, start.end, first_day(text, start), start.value)
    first, last = _resolve(text, start, end, today)
    return Span(start.start, end.end, first, last)

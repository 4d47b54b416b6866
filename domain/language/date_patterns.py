"""The date expressions the parser knows: one regex and one handler each.

A handler gets (match, today, forward) and returns the date it names, None
when the text is no date after all, or raises NoSuchDate when the text is
date-shaped but names no real day ("2月30日"). What "forward" and the other
conventions mean is set out in :mod:`.dates`, which scans text with these.
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta

from .numerals import CN_SMALL_RE, to_int

_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:3[01]|[12]\d|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
_PERIOD = r"(?P<p>底|末|初|中旬|上旬|下旬|中|份)?"
_MD_TAIL = rf"(?:\s*(?P<d>{_DAY})\s*[日号]|{_PERIOD})?"
_YEAR_PART = r"(?P<yp>年底|年末|底|末|年初|初|上半年|下半年)"

_EN_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_EN_MON = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
           r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 6,
            "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}


class NoSuchDate(ValueError):
    """Date-shaped, but no such day ("2月30日")."""


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))


def _in_month(year: int, month: int, day: int | None, period: str | None) -> date | None:
    if not 1 <= year <= 9998:
        return None
    if not 1 <= month <= 12:
        raise NoSuchDate(f"month {month}")
    if day is not None:
        try:
            return date(year, month, day)
        except ValueError:  # 2月30日: not a date, better no answer than a wrong one
            raise NoSuchDate(f"{month}-{day}") from None
    if period in ("初", "上旬"):
        return date(year, month, 10)
    if period in ("中", "中旬"):
        return date(year, month, 20)
    return month_end(year, month)


def _year_less(month: int, day: int | None, period: str | None, today: date, forward: bool) -> date | None:
    """Year-less month/day. Forward: this year unless already past, then next
    year. Otherwise: whichever of last, this or next year is nearest today."""
    found = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            d = _in_month(year, month, day, period)
        except NoSuchDate:
            if not 1 <= month <= 12:
                raise
            continue        # 2月29日 outside a leap year
        if d is not None:
            found.append(d)
    if not found:
        raise NoSuchDate(f"{month}-{day}")
    if forward:
        ahead = [d for d in found if d >= today]
        return min(ahead) if ahead else None
    return min(found, key=lambda d: (abs((d - today).days), d))


def _year_part(year: int, part: str | None) -> date:
    if part in ("上半年",):
        return date(year, 6, 30)
    if part in ("年初", "初"):
        return date(year, 1, 31)
    return date(year, 12, 31)


def _rel_year(word: str, today: date) -> int:
    return today.year + {"今年": 0, "明年": 1, "来年": 1, "下一年": 1, "后年": 2}.get(word, 0)


def _quarter_end(year: int, q: int) -> date:
    return month_end(year, q * 3)


# ---- handlers: (match, today) -> date | None --------------------------------

def _h_iso(m: re.Match[str], today: date, forward: bool) -> date | None:
    return _in_month(int(m["y"]), int(m["m"]), int(m["d"]), None)


def _h_year_month(m: re.Match[str], today: date, forward: bool) -> date | None:
    return _in_month(int(m["y"]), int(m["m"]), None, None)


def _h_cn_year(m: re.Match[str], today: date, forward: bool) -> date | None:
    year = int(m["y"]) if m["y"] else _rel_year(m["ry"], today)
    if m["m"]:
        month = to_int(m["m"])
        day = to_int(m["d"]) if m["d"] else None
        return _in_month(year, month or 0, day, m["p"])
    return _year_part(year, m["yp"])


def _h_year_dot_month(m: re.Match[str], today: date, forward: bool) -> date | None:
    day = to_int(m["d"]) if m["d"] else None
    return _in_month(int(m["y"]), int(m["m"]), day, m["p"])


def _h_month(m: re.Match[str], today: date, forward: bool) -> date | None:
    month = to_int(m["m"])
    day = to_int(m["d"]) if m["d"] else None
    return _year_less(month or 0, day, m["p"], today, forward)


def _h_slash(m: re.Match[str], today: date, forward: bool) -> date | None:
    return _year_less(int(m["m"]), int(m["d"]), None, today, forward)


def _h_dot(m: re.Match[str], today: date, forward: bool) -> date | None:
    # Next to an amount "12.5" is more likely 12.5万 than Dec 5: a closing date
    # needs a two-digit day ("12.05", "12.31"); a plan or a delegation has no amounts.
    if forward and len(m["d"]) < 2:
        return None
    return _h_slash(m, today, forward)


def _h_rel_month(m: re.Match[str], today: date, forward: bool) -> date | None:
    word = m["rm"]
    offset = 2 if word.startswith("下下") else 1 if word.startswith("下") else 0
    base = add_months(today.replace(day=1), offset)
    day = to_int(m["d"]) if m["d"] else None
    return _in_month(base.year, base.month, day, m["p"])


def _h_bare_month_part(m: re.Match[str], today: date, forward: bool) -> date | None:
    d = _in_month(today.year, today.month, None, m["p"])
    if d is not None and d < today:
        nxt = add_months(today.replace(day=1), 1)
        d = _in_month(nxt.year, nxt.month, None, m["p"])
    return d


def _h_year_end(m: re.Match[str], today: date, forward: bool) -> date | None:
    return date(today.year, 12, 31)


def _h_half(m: re.Match[str], today: date, forward: bool) -> date | None:
    d = _year_part(today.year, m["half"])
    return d if d >= today else _year_part(today.year + 1, m["half"])


def _h_week(m: re.Match[str], today: date, forward: bool) -> date | None:
    word = m["w"]
    weeks = 2 if word.startswith("下下") else 1 if word.startswith("下") else 0
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
    return monday + timedelta(days=_WEEKDAY.get(m["wd"] or "末", 6))


def _h_weekday(m: re.Match[str], today: date, forward: bool) -> date | None:
    target = _WEEKDAY.get(m["wd"], 6)
    return today + timedelta(days=(target - today.weekday()) % 7)


def _h_day_word(m: re.Match[str], today: date, forward: bool) -> date | None:
    offset = _DAY_WORDS[m["dw"].lower()]
    if offset < 0 and forward:
        return None     # a closing date lies ahead: "昨天" says when something happened
    return today + timedelta(days=offset)


def _h_date_shaped(m: re.Match[str], today: date, forward: bool) -> date | None:
    """Only reports what the real patterns cannot read: "13月5日", "2月30号",
    "100月5日" or a month of twenty digits (meant as a date, never a name or a day),
    a decimal month ("1.5月3日"), each also after a year ("2026年12月35日",
    "2026.13月5日": the year's reading must not pass for the day's)."""
    if "." in m["m"] or len(m["m"]) > 2 or len(m["d"]) > 2:
        raise NoSuchDate(f"{m['m'][:8]}-{m['d'][:8]}")
    month, day = int(m["m"]), int(m["d"])
    _in_month(2000, month, day, None)       # a leap year: 2月29日 is left to the real patterns
    return None


def _h_no_date(m: re.Match[str], today: date, forward: bool) -> date | None:
    """Text that is surely meant as a day and surely none (a minus or exponent month)."""
    raise NoSuchDate(m.group(0))


def _h_new_year(m: re.Match[str], today: date, forward: bool) -> date | None:
    if m["before"]:
        return date(today.year, 12, 31)
    return today if (today.month, today.day) == (1, 1) else date(today.year + 1, 1, 1)


def _h_within(m: re.Match[str], today: date, forward: bool) -> date | None:
    n = to_int(m["n"])
    if n is None or n > 3650:
        return None
    unit = m["u"].lower()
    if "月" in unit or unit.startswith("month"):
        return add_months(today, n) if n <= 120 else None
    if unit in ("天", "日") or unit.startswith("day"):
        return today + timedelta(days=n)
    return today + timedelta(weeks=n)


def _h_quarter(m: re.Match[str], today: date, forward: bool) -> date | None:
    q = int(m["q"]) if m["q"] else to_int(m["qc"])
    if not q or not 1 <= q <= 4:
        return None
    if m["y"]:
        return _quarter_end(int(m["y"]), q)
    if m["ry"]:
        return _quarter_end(_rel_year(m["ry"], today), q)
    d = _quarter_end(today.year, q)
    return d if d >= today else _quarter_end(today.year + 1, q)


def _h_rel_quarter(m: re.Match[str], today: date, forward: bool) -> date | None:
    current = (today.month - 1) // 3 + 1
    nxt = m["rq"].lower() in ("下", "下个", "next")
    if nxt:
        return _quarter_end(today.year + 1, 1) if current == 4 else _quarter_end(today.year, current + 1)
    return _quarter_end(today.year, current)


def _h_en_month(m: re.Match[str], today: date, forward: bool) -> date | None:
    month = _EN_MONTHS.get(m["mon"][:3].lower())
    if month is None:
        return None
    day_text = m["d1"] or m["d2"]
    # "may" is also a verb: only a date with a prefix, a day or a year.
    if month == 5 and m["mon"].lower() == "may" and not (m["pre"] or day_text or m["y"]):
        return None
    day = int(day_text) if day_text else None
    if m["y"]:
        return _in_month(int(m["y"]), month, day, None)
    return _year_less(month, day, None, today, forward)


def _h_en_rel(m: re.Match[str], today: date, forward: bool) -> date | None:
    abbr = (m["abbr"] or "").lower()
    what = (m["what"] or m["what2"] or m["what3"] or {"eom": "month", "eoy": "year"}.get(abbr, "month")).lower()
    nxt = (m["rel"] or "").lower() == "next"
    if what == "week":
        return today + timedelta(days=6 - today.weekday() + (7 if nxt else 0))
    if what == "month":
        d = add_months(today, 1) if nxt else today
        return month_end(d.year, d.month)
    if what == "year":
        return date(today.year + (1 if nxt else 0), 12, 31)
    current = (today.month - 1) // 3 + 1
    if nxt:
        return _quarter_end(today.year + 1, 1) if current == 4 else _quarter_end(today.year, current + 1)
    return _quarter_end(today.year, current)


_DAY_WORDS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3, "昨天": -1, "昨日": -1,
              "前天": -2, "大前天": -3, "today": 0, "tomorrow": 1, "yesterday": -1}
# After "12.31": an amount or a quantity, not a date ("12.5万", "1.5亿", "8.5折", "2.5台").
_NOT_AFTER_DOT_DATE = r"(?![\d.%])(?!\s*(?:万|亿|千|百|元|块|折|台|套|个|件|箱|支|盒|米|公里|月|天|[wWkKmM]))"

LATIN = re.compile(r"[A-Za-z]")

Handler = Callable[[re.Match[str], date, bool], "date | None"]

# Each entry: (pattern, handler, gate). The gate lists characters one of which
# the pattern needs (None: some Latin letter). Skipping patterns that cannot
# match keeps long messages fast; otherwise about twenty regexes scan them.
PATTERNS: list[tuple[re.Pattern[str], Handler, str | None]] = [
    (re.compile(r"(?<!\d)(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})(?!\d)"), _h_iso, "-/."),
    (re.compile(r"(?<!\d)(?P<y>\d{4})[-/](?P<m>\d{1,2})(?![\d/\-.])"), _h_year_month, "-/"),
    (re.compile(rf"(?:(?<!\d)(?P<y>(?:19|20)\d\d)\s*年|(?P<ry>今年|明年|来年|后年|下一年))\s*"
                rf"(?:(?P<m>{_MONTH})\s*月{_MD_TAIL}|{_YEAR_PART})?"), _h_cn_year, "年"),
    # "2026.12月5日": a year, a dot, then a month (its year kept, never rolled).
    (re.compile(rf"(?<![\d.])(?P<y>(?:19|20)\d\d)\.(?P<m>1[0-2]|0?[1-9])\s*月{_MD_TAIL}"), _h_year_dot_month, "月"),
    # Not after a point: "1.5月3日" is no May, and after a year's the pattern above reads it.
    (re.compile(rf"(?<![\d.零〇一二两三四五六七八九十年])(?P<m>{_MONTH})\s*月{_MD_TAIL}"), _h_month, "月"),
    (re.compile(r"(?<![\d/.\-])(?P<m>1[0-2]|0?[1-9])/(?P<d>3[01]|[12]\d|0?[1-9])(?![\d/])"), _h_slash, "/"),
    (re.compile(r"(?<![\d.A-Za-z])(?P<m>1[0-2]|0?[1-9])\.(?P<d>3[01]|[12]\d|0?[1-9])" + _NOT_AFTER_DOT_DATE),
     _h_dot, "."),
    (re.compile(r"(?<![\d.])(?:(?:19|20)\d\d\s*年\s*|(?:19|20)\d\d\.)?"
                r"(?P<m>\d+\.\d+(?=月)|\d+)\s*月\s*(?P<d>\d+)\s*[日号]"), _h_date_shaped, "月"),
    # A month in exponent form ("1e400月"): a number nobody means as a month.
    (re.compile(r"(?<![\d.])\d+(?:\.\d+)?[eE][+-]?\d+\s*月"), _h_no_date, "月"),
    # "修改 RG… -5月-5日": a minus sign glued to a month, standing alone after a space or a
    # colon; not a dash between words ("北京协和医院-12月底", "签约日期-3月15日") or of a range
    # ("3-5月", "12月8日 - 12月10日").
    (re.compile(r"(?<=[\s:：=])(?<![日号月底初中末旬天份]\s)[-−－](?=\d)\d+\s*月(?:\s*[-−－]?\d+\s*[日号])?"),
     _h_no_date, "月"),
    (re.compile(r"元旦(?P<before>之?前)?"), _h_new_year, "旦"),
    (re.compile(rf"(?P<rm>本月|这个月|当月|下下个?月|下个?月)(?:\s*(?P<d>{_DAY})\s*[日号]|{_PERIOD})"),
     _h_rel_month, "月"),
    (re.compile(r"(?<![\d一二三四五六七八九十个上下本这当])月(?P<p>底|末|初|中旬|中)"), _h_bare_month_part, "月"),
    (re.compile(r"年底|年末|年内"), _h_year_end, "年"),
    (re.compile(r"(?P<half>上半年|下半年)"), _h_half, "半"),
    (re.compile(r"(?P<w>下下个?(?:周|星期|礼拜)|下个?(?:周|星期|礼拜)|本周|这周|这个?星期|这个?礼拜|本星期)"
                r"(?P<wd>[一二三四五六日天1-7末])?"), _h_week, "周期拜"),
    (re.compile(r"(?<![下这本个])(?:周|星期|礼拜)(?P<wd>[一二三四五六日天])"), _h_weekday, "周期拜"),
    (re.compile(r"(?P<dw>大后天|大前天|今天|今日|明天|明日|后天|昨天|昨日|前天)"), _h_day_word, "天日"),
    (re.compile(rf"(?P<n>\d{{1,4}}|{CN_SMALL_RE})\s*(?P<u>天|日|个?(?:星期|周|礼拜)|个月)\s*(?:之?内|以内|之?后)"),
     _h_within, "内后"),
    (re.compile(r"(?:(?P<y>(?:19|20)\d\d)\s*年?\s*|(?P<ry>今年|明年|后年)\s*|(?<![A-Za-z0-9]))"
                r"(?:[Qq](?P<q>[1-4])(?![0-9A-Za-z])|第?(?P<qc>[一二三四1-4])\s*季度)"), _h_quarter, "Qq季"),
    (re.compile(r"(?P<rq>本|这个?|下个?)季度"), _h_rel_quarter, "季"),
    # English
    (re.compile(rf"\b(?P<pre>end of |by |in |before |until |till )?(?:the )?"
                rf"(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?)?(?P<mon>{_EN_MON})\.?"
                rf"(?:\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?!\d))?(?:,?\s+(?P<y>\d{{4}}))?\b", re.IGNORECASE),
     _h_en_month, None),
    (re.compile(r"\b(?:end of\s+)?(?P<rel>this|next)\s+(?P<what>week|month|year|quarter)\b"
                r"|\bend of\s+(?:the\s+)?(?P<what2>month|year|quarter)\b"
                r"|\b(?P<what3>month|year|quarter)[- ]end\b|\b(?P<abbr>eom|eoy)\b", re.IGNORECASE), _h_en_rel, None),
    (re.compile(r"\b(?P<dw>today|tomorrow|yesterday)\b", re.IGNORECASE), _h_day_word, None),
    (re.compile(r"\b(?:in|within)\s+(?P<n>\d{1,3})\s+(?P<u>days?|weeks?|months?)\b", re.IGNORECASE),
     _h_within, None),
]

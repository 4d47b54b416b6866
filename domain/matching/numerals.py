"""Ordinals in names: 第一 / 第1 / 第01 all become 第1, so that spelling never
decides a match but the number always does (第一 vs 第六 are different
hospitals)."""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_NUM = "零〇一二两三四五六七八九十百千"

_ORDINAL_CN_RE = re.compile(f"第([{_CN_NUM}]+)")
_ORDINAL_AR_RE = re.compile(r"第0*([0-9]+)")
# 第N附属医院 and 附属第N医院 name the same hospital; keep one word order.
_ORDER_RE = re.compile(r"第([0-9]+)附属医院")
ORDINAL_RE = re.compile(r"第([0-9]+)")


def cn_to_int(s: str) -> int | None:
    """Chinese numeral to int: 一→1, 十一→11, 二十→20, 一百零一→101, 三〇一→301."""
    if not s or any(c not in _DIGITS and c not in _UNITS for c in s):
        return None
    if not any(c in _UNITS for c in s):
        # Digit by digit, as in 三〇一 (301).
        return int("".join(str(_DIGITS[c]) for c in s))
    total, current = 0, 0
    for c in s:
        if c in _DIGITS:
            current = _DIGITS[c]
        else:
            total += (current or 1) * _UNITS[c]
            current = 0
    return total + current


def int_to_cn(n: int) -> str:
    """Display form for reasons: 1→一, 12→十二, 21→二十一, 101→一百零一."""
    digits = "零一二三四五六七八九"
    if n < 0:
        return str(n)
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return digits[tens] + "十" + (digits[ones] if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        if rest == 0:
            return digits[hundreds] + "百"
        tail = int_to_cn(rest) if rest >= 10 else "零" + digits[rest]
        if 10 <= rest < 20:
            tail = "一" + tail
        return digits[hundreds] + "百" + tail
    return str(n)


def normalise_ordinals(s: str) -> tuple[str, list[str]]:
    """Rewrite ordinals to Arabic and 第N附属医院 to 附属第N医院.

    Returns the new text and the human-readable steps that applied."""
    steps: list[str] = []

    def _cn(m: re.Match[str]) -> str:
        n = cn_to_int(m.group(1))
        if n is None:
            return m.group(0)
        steps.append(f"第{m.group(1)}→第{n}")
        return f"第{n}"

    out = _ORDINAL_CN_RE.sub(_cn, s)

    def _ar(m: re.Match[str]) -> str:
        if m.group(0) != f"第{m.group(1)}":
            steps.append(f"{m.group(0)}→第{m.group(1)}")
        return f"第{m.group(1)}"

    out = _ORDINAL_AR_RE.sub(_ar, out)
    reordered = _ORDER_RE.sub(r"附属第\1医院", out)
    if reordered != out:
        steps.append("语序统一：第N附属医院→附属第N医院")
    return reordered, steps


def last_ordinal(s: str) -> str | None:
    """The institution's own number is the last 第N in its name."""
    found = ORDINAL_RE.findall(s)
    return found[-1] if found else None

"""Number words: Arabic digits with thousands separators and Chinese numerals.

Shared by amounts (二十万), quantities (十台) and dates (十二月).
"""
from __future__ import annotations

# Characters that may appear in a Chinese numeral (including financial forms).
CN_NUM_CHARS = "零〇一二两三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟点"
# A numeral has to start with a digit-ish char: "万达" or "千万" alone are words.
CN_NUM_START = "零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾"
CN_NUM_RE = f"[{CN_NUM_START}][{CN_NUM_CHARS}]{{0,15}}"
# Quantities and day/month numbers are small; no 万/亿/点.
CN_SMALL_RE = "[零〇一二两三四五六七八九十百壹贰叁肆伍陆柒捌玖拾佰]{1,6}"

_SMALL_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
                 "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn2an(text: str) -> float | None:
    try:
        import cn2an  # slow import; only paid when a Chinese numeral shows up

        value = cn2an.cn2an(text, "smart")
    except Exception:  # cn2an raises ValueError (and worse) on odd input
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def cn_to_number(text: str) -> float | None:
    """Chinese numeral (possibly mixed with digits) -> number, or None."""
    text = text.strip()
    if not text:
        return None
    value = _cn2an(text)
    if value is not None:
        return value
    # cn2an rejects decimals before a unit ("一点五亿", "零点八亿"): do the unit ourselves.
    for unit, factor in (("亿", 1e8), ("万", 1e4)):
        if text.endswith(unit) and len(text) > 1:
            head = _cn2an(text[:-1])
            if head is not None:
                return head * factor
    return None


def to_number(text: str) -> float | None:
    """'1,200,000' / '1.5' / '一百二十' / '两' -> float, else None."""
    text = text.strip().replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    if all(ch in CN_NUM_CHARS or ch.isdigit() or ch == "." for ch in text):
        return cn_to_number(text)
    return None


def to_int(text: str) -> int | None:
    """Small whole numbers for quantities, months and days ('十二' -> 12)."""
    text = text.strip()
    if text.isdigit() and text.isascii():
        return int(text)
    if len(text) == 1 and text in _SMALL_DIGITS:
        return _SMALL_DIGITS[text]
    value = to_number(text)
    if value is None or value != int(value) or value < 0:
        return None
    return int(value)

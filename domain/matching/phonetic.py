"""Homophone test for typo detection: 协合 for 协和, 古楼 for 鼓楼.

People type names with a pinyin IME, so the typical typo is a different
character with the same toneless pinyin.  Readings are compared per
character with all heteronyms (长 = chang/zhang), so context-dependent
phrase readings in pypinyin cannot hide a match.

The next most common typo is a near sound: front and back nasals (人名 for
人民, min/ming) and flat and curled initials (z/zh, c/ch, s/sh), the
distinctions many speakers do not make and pinyin IMEs offer to blur
("模糊音").  sounds_alike() accepts one such character in a difference.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, pinyin

# Curled initials → flat, back nasal finals → front: both sides of a pair map
# to one form.  Order matters: zh before z is irrelevant as only the curled
# forms are rewritten.
_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FINALS = (("ing", "in"), ("eng", "en"))


@lru_cache(maxsize=16384)
def readings(ch: str) -> frozenset[str]:
    """All toneless readings of one character (the character itself if none)."""
    if not ("\u3400" <= ch <= "\u9fff"):
        return frozenset({ch})
    got = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="default")
    found = {r for group in got for r in group if r}
    return frozenset(found or {ch})


def _blur(reading: str) -> str:
    for curled, flat in _INITIALS:
        if reading.startswith(curled):
            reading = flat + reading[len(curled):]
            break
    for back, front in _FINALS:
        if reading.endswith(back):
            return reading[: -len(back)] + front
    return reading


@lru_cache(maxsize=16384)
def near_readings(ch: str) -> frozenset[str]:
    return frozenset(_blur(r) for r in readings(ch))


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def homophones(a: str, b: str) -> bool:
    """Same length, different text, and every position can sound the same."""
    if not a or a == b or len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x != y and not (readings(x) & readings(y)):
            return False
        if x != y and not (_cjk(x) and _cjk(y)):
            return False
    return True


def sounds_alike(a: str, b: str) -> str | None:
    """"同音" for homophones, "音近" when exactly one differing character
    only sounds near (人名/人民), else None."""
    if homophones(a, b):
        return "同音"
    if not a or a == b or len(a) != len(b):
        return None
    near = 0
    for x, y in zip(a, b):
        if x == y or readings(x) & readings(y):
            continue
        if not (_cjk(x) and _cjk(y)) or not (near_readings(x) & near_readings(y)):
            return None
        near += 1
    return "音近" if near == 1 else None

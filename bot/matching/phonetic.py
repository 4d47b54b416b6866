"""Homophone test for typo detection: 协合 for 协和, 古楼 for 鼓楼.

People type names with a pinyin IME, so the typical typo is a different
character with the same toneless pinyin.  Readings are compared per
character with all heteronyms (长 = chang/zhang), so context-dependent
phrase readings in pypinyin cannot hide a match."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, pinyin


@lru_cache(maxsize=16384)
def readings(ch: str) -> frozenset[str]:
    """All toneless readings of one character (the character itself if none)."""
    if not ("\u3400" <= ch <= "\u9fff"):
        return frozenset({ch})
    got = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="default")
    found = {r for group in got for r in group if r}
    return frozenset(found or {ch})


def homophones(a: str, b: str) -> bool:
    """Same length, different text, and every position can sound the same."""
    if not a or a == b or len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x != y and not (readings(x) & readings(y)):
            return False
        if x != y and not ("\u3400" <= x <= "\u9fff" and "\u3400" <= y <= "\u9fff"):
            return False
    return True

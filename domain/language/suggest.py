"""What someone probably meant: a command word typed with the wrong character
(报被 for 报备, 定货 for 订货: the pinyin IME offers homophones first), a
letter O or I in a product code (A1OO for A100), and the short answers that
say yes or no to a question.

Only suggestions: the caller asks "did you mean …?" and acts on a yes.
"""
from __future__ import annotations

import re

from domain.matching.phonetic import sounds_alike

from .normalize import clean
from .vocabulary import UNKNOWN, Meaning, Vocabulary

YES_WORDS = frozenset({"是", "是的", "对", "对的", "嗯", "嗯嗯", "好", "好的", "行", "可以", "确认", "没错", "要",
                       "yes", "y", "ok", "okay", "sure", "yep", "yeah", "right", "correct", "confirm"})
NO_WORDS = frozenset({"不是", "不对", "否", "不", "不要", "不用", "错了", "no", "n", "nope", "not", "wrong"})
_TRAIL = " 。.!！~～,，"


def is_yes(text: str | None) -> bool:
    return (text or "").strip().strip(_TRAIL).lower() in YES_WORDS


def is_no(text: str | None) -> bool:
    return (text or "").strip().strip(_TRAIL).lower() in NO_WORDS


def _near_latin(a: str, b: str) -> bool:
    """One letter wrong, missing or extra in a word of five letters or more."""
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def command_typo(text: str, vocabulary: Vocabulary) -> tuple[str, Meaning] | None:
    """The message with its first word corrected, and what it then means, when
    the first word is a command word typed wrongly; None otherwise."""
    cleaned = clean(text).strip()
    if not cleaned:
        return None
    low = cleaned.lower()
    best: tuple[int, str, Meaning] | None = None
    for word, meaning in vocabulary.sorted_words():
        if meaning == UNKNOWN and word not in vocabulary.by_ref:
            continue
        typed = low[:len(word)]
        if word.isascii():
            head = re.match(r"[a-z]+", low)
            if not head or not _near_latin(head.group(), word) or " " in word:
                continue
            typed = head.group()
            fixed = word + cleaned[len(typed):]
        else:
            if len(word) < 2 or len(typed) < len(word) or typed == word or not sounds_alike(typed, word):
                continue
            fixed = word + cleaned[len(word):]
        if best is None or len(word) > best[0]:
            best = (len(word), fixed, meaning)
    return (best[1], best[2]) if best else None


# A product code with a letter where a digit belongs: A1OO, AIOO, B2O0.
_CODE_LIKE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,3})([0-9OoIl]{2,5})(?![A-Za-z0-9])")
_AS_DIGIT = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})


def code_typos(text: str, known: set[str]) -> list[tuple[str, str]]:
    """(as typed, the known code it means) for codes typed with O for 0 or I/l for 1."""
    out: list[tuple[str, str]] = []
    for m in _CODE_LIKE.finditer(text):
        digits = m.group(2).translate(_AS_DIGIT)
        fixed = (m.group(1) + digits).upper()
        if digits != m.group(2) and digits.isdigit() and fixed in known:
            out.append((m.group(0), fixed))
    return out

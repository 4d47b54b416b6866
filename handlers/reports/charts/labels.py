"""Labels: Chinese when the font can draw them, pinyin / English otherwise."""
from __future__ import annotations

import re
import unicodedata

from pypinyin import lazy_pinyin

from handlers.reports.charts.fonts import CjkFace
from handlers.reports.charts.words import STATUS_WORDS, WORDS

MAX_LABEL_CELLS = 14           # a Han character counts 2 cells, a Latin letter 1
MAX_TITLE_CELLS = 34

HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")
NAME_SEPARATORS = re.compile(r"[·•・.]")
# Punctuation and words that pinyin would spell badly ("至" → "zhi").
LATIN_REPLACEMENTS = {"至": " to ", "·": " - ", "•": " - ", "・": " - ", "—": "-", "–": "-",
                      "…": "...", "、": ", ", "。": ". ", "「": '"', "」": '"', "“": '"', "”": '"'}
COMPOUND_SURNAMES = frozenset({"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "慕容", "令狐", "公孙",
                               "夏侯", "尉迟", "长孙", "宇文", "司徒", "端木", "西门", "独孤", "南宫"})
# Surnames read differently from the everyday word ("曾" is zeng, not ceng).
SURNAME_READINGS = {"曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "查": "zha",
                    "朴": "piao", "乐": "yue", "缪": "miao", "翟": "zhai", "盖": "ge", "覃": "qin",
                    "尉迟": "yuchi", "长孙": "zhangsun"}


def latin_text(text: str) -> str:
    """Free text (title, period, unknown status) in ASCII: Han characters as pinyin syllables."""
    text = unicodedata.normalize("NFKC", text)       # full-width digits and brackets → ASCII
    for zh, latin in LATIN_REPLACEMENTS.items():
        text = text.replace(zh, latin)
    text = HAN_RUN.sub(lambda m: " " + " ".join(_syllables(m.group())) + " ", text)
    return _ascii_only(text)


def latin_name(name: str) -> str:
    """A person's name in pinyin, the way it is written in English: "王小明" → "Wang Xiaoming"."""
    name = name.strip()
    parts = [p for p in NAME_SEPARATORS.split(name) if p]
    if len(parts) > 1 and all(HAN_RUN.fullmatch(p) for p in parts):    # 迪丽热巴·迪力木拉提
        return _ascii_only(" ".join(_word(p) for p in parts))
    if HAN_RUN.fullmatch(name) and 2 <= len(name) <= 4:
        surname = name[:2] if len(name) > 2 and name[:2] in COMPOUND_SURNAMES else name[0]
        reading = SURNAME_READINGS.get(surname) or "".join(lazy_pinyin(surname))
        return _ascii_only(f"{reading.capitalize()} {_word(name[len(surname):])}")
    return latin_text(name)


def latin_status(word: str) -> str:
    return STATUS_WORDS.get(word) or latin_text(word)


def _syllables(han: str) -> list[str]:
    # The whole run at once, so pypinyin can use its phrase list for heteronyms.
    return [s.capitalize() for s in lazy_pinyin(han)]


def _word(han: str) -> str:
    return "".join(lazy_pinyin(han)).capitalize()


def _ascii_only(text: str) -> str:
    # Whatever pinyin could not spell (emoji, rare characters) would be tofu: drop it.
    text = " ".join(text.encode("ascii", "ignore").decode("ascii").split())
    return re.sub(r"\s+([,.)])", r"\1", text) or "?"


def cells(text: str) -> int:
    """Display width: wide (CJK) characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shorten(text: str, max_cells: int, ellipsis: str = "…") -> str:
    if cells(text) <= max_cells:
        return text
    room = max_cells - cells(ellipsis)
    kept = ""
    for ch in text:
        if cells(kept + ch) > room:
            break
        kept += ch
    return kept.rstrip() + ellipsis


class Labeller:
    """Writes every label for the font at hand: Chinese if it draws every
    character, otherwise pinyin / English. Deciding per label (not per
    picture) keeps a rare character in one name from costing the rest."""

    def __init__(self, face: CjkFace | None):
        self.face = face
        self.ellipsis = "…" if face else "..."

    def word(self, key: str, **facts: object) -> str:
        zh, en = WORDS[key]
        return (zh if self.face else en).format(**facts)

    def text(self, text: str, max_cells: int = MAX_TITLE_CELLS) -> str:
        return shorten(text if self._drawable(text) else latin_text(text), max_cells, self.ellipsis)

    def name(self, name: str) -> str:
        return shorten(name if self._drawable(name) else latin_name(name), MAX_LABEL_CELLS, self.ellipsis)

    def status(self, word: str) -> str:
        return shorten(word if self._drawable(word) else latin_status(word), MAX_LABEL_CELLS, self.ellipsis)

    def _drawable(self, text: str) -> bool:
        # ASCII is drawn by the Latin fallback font; everything else must be in the CJK face.
        return self.face is not None and all(ch.isascii() or ord(ch) in self.face.codepoints for ch in text)

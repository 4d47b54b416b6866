"""Finding a CJK font: a server may have none, and a font's name proves
nothing (a "last resort" font maps every Han character to one box). A face is
used only if its character map draws every fixed character of the picture.
"""
from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from matplotlib import font_manager
from matplotlib.font_manager import FontEntry
from matplotlib.ft2font import FT2Font

from handlers.reports.charts.words import REQUIRED_GLYPHS

# Families known to carry simplified Chinese, best first. Tried before any
# other installed font, but still only used if their character map agrees.
PREFERRED_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "SimHei", "Microsoft YaHei",
    "PingFang SC", "Hiragino Sans GB", "Noto Serif CJK SC", "AR PL UMing CN", "AR PL UKai CN",
)
LATIN_FONT = "DejaVu Sans"     # ships with matplotlib, so it is always there


@dataclass(frozen=True)
class CjkFace:
    """One face of an installed font that draws Chinese."""
    path: str
    index: int                 # face inside a .ttc collection
    family: str                # what matplotlib knows it by (selects the right .ttc face)
    codepoints: frozenset[int]


_FONT_LOCK = threading.Lock()


def cjk_font() -> str | None:
    """Path of the font file used for Chinese text, or None when there is none."""
    face = cjk_face()
    return face.path if face else None


@functools.cache
def cjk_face() -> CjkFace | None:
    """The installed face used for Chinese text (looked for once), or None."""
    with _FONT_LOCK:
        face = pick_cjk_face(font_manager.fontManager.ttflist)
        if face is None:
            _register_unseen_system_fonts()
            face = pick_cjk_face(font_manager.fontManager.ttflist)
        return face


def pick_cjk_face(entries: Iterable[FontEntry]) -> CjkFace | None:
    """The best face among *entries* whose character map has every required glyph."""
    for entry in _candidates(entries):
        if _has_glyphs(entry, REQUIRED_GLYPHS):
            return CjkFace(path=entry.fname, index=entry.index, family=entry.name,
                           codepoints=_codepoints(entry))
    return None


def _candidates(entries: Iterable[FontEntry]) -> list[FontEntry]:
    """Preferred families first (regular weight first), then every other font once."""
    unique = list({(e.fname, e.index, e.name): e for e in entries}.values())
    preferred = [e for e in unique if e.name in PREFERRED_FAMILIES]
    preferred.sort(key=lambda e: (PREFERRED_FAMILIES.index(e.name), abs(_weight(e) - 400)))
    others = [e for e in unique if e.name not in PREFERRED_FAMILIES]
    return preferred + others


def _weight(entry: FontEntry) -> int:
    weight = entry.weight
    return weight if isinstance(weight, int) else font_manager.weight_dict.get(weight, 400)


def _has_glyphs(entry: FontEntry, chars: Iterable[str]) -> bool:
    """True if the face draws each of *chars* with a glyph of its own."""
    try:
        font = FT2Font(entry.fname, face_index=entry.index)
    except (OSError, RuntimeError, ValueError):     # unreadable or not a TrueType/OpenType file
        return False
    # get_char_index is 0 for "no glyph"; cheaper than building the whole map.
    glyphs = [font.get_char_index(ord(ch)) for ch in chars]
    # Distinct characters need distinct glyphs: a "last resort" font (matplotlib
    # ships one) maps every Han character to one placeholder box, i.e. tofu.
    return all(glyphs) and len(set(glyphs)) == len(glyphs)


def _codepoints(entry: FontEntry) -> frozenset[int]:
    return frozenset(FT2Font(entry.fname, face_index=entry.index).get_charmap())


def _register_unseen_system_fonts() -> None:
    # matplotlib caches its font list on first use, so a font installed later
    # (apt-get install fonts-noto-cjk) stays invisible until that cache is
    # rebuilt. Tell it about system font files it has not seen.
    known = {e.fname for e in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path in known:
            continue
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue


def bold_weight(family: str) -> int:
    """The heaviest weight up to bold that ``family`` really has installed.
    Asking matplotlib for a weight a family lacks logs "Failed to find font
    weight bold" on every render (WenQuanYi Micro Hei has only a regular face)."""
    weights = [_weight(e) for e in font_manager.fontManager.ttflist if e.name == family]
    return max((w for w in weights if w <= 700), default=400)

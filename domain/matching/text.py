"""Surface normalisation of a raw name: script, width, brackets, spacing,
case.  Everything later in the pipeline works on the output of `simplify`,
so the rules here decide what "the same characters" means.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from opencc import OpenCC

# Built once: loading the conversion dictionaries costs ~10 ms.
_T2S = OpenCC("t2s")

# Every bracket style people paste from Word, Excel or WeChat becomes ().
_OPEN_BRACKETS = "（([［【〔｛{〈《「『"
_CLOSE_BRACKETS = "）)]］】〕｝}〉》」』"
_BRACKET_TABLE = str.maketrans(
    {**{c: "(" for c in _OPEN_BRACKETS}, **{c: ")" for c in _CLOSE_BRACKETS}}
)

# 〇 (U+3007) is the ideographic zero of 第三〇一医院; keep it with the CJK.
_CJK = r"\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_SPACE_RE = re.compile(r"\s+")
# A space next to a CJK character carries no meaning (北京 协和医院).
_CJK_SPACE_RE = re.compile(f"(?<=[{_CJK}()])\\s+|\\s+(?=[{_CJK}()])")
# What survives into the matching form: CJK, latin, digits, brackets, &, space.
_DROP_RE = re.compile(f"[^{_CJK}A-Z0-9()& ]")


@dataclass(frozen=True)
class Simplified:
    display: str          # readable form for NameParts.simplified
    text: str             # matching form: no symbols, no space next to CJK
    steps: tuple[str, ...]


def _fold_width(s: str) -> str:
    """Full-width ASCII and the ideographic space to their half-width forms."""
    out = []
    for ch in s:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            out.append(chr(code - 0xFEE0))
        elif code == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def has_cjk(s: str) -> bool:
    return _CJK_RE.search(s) is not None


@lru_cache(maxsize=8192)   # bounded: every worker holds one
def simplify(raw: str) -> Simplified:
    steps: list[str] = []
    s = raw if isinstance(raw, str) else str(raw)
    # NFC first so that composed/decomposed forms of a character agree.
    s = unicodedata.normalize("NFC", s)

    folded = _fold_width(s)
    if folded != s:
        steps.append("全角→半角")
    s = folded

    bracketed = s.translate(_BRACKET_TABLE)
    if bracketed != s:
        steps.append("括号统一")
    s = bracketed

    simp = _T2S.convert(s) if has_cjk(s) else s
    if simp != s:
        steps.append("繁→简")
    s = simp

    spaced = _SPACE_RE.sub(" ", s).strip()
    if spaced != s:
        steps.append("去掉多余空格")
    s = spaced

    upper = s.upper()
    if upper != s:
        steps.append("英文大写")
    s = upper
    display = s

    text = s.replace("'", "").replace("’", "")
    # Dots and commas separate latin words (CO.,LTD) -> space, then drop
    # every other symbol (emoji, quotes, middle dots) outright.
    text = re.sub(r"[.,;:/\\|_\-·•]+", " ", text)
    text = _DROP_RE.sub("", text)
    text = _CJK_SPACE_RE.sub("", text)
    text = _SPACE_RE.sub(" ", text).strip()
    text = text.replace("()", "")
    return Simplified(display=display, text=text, steps=tuple(steps))

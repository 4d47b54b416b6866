"""Text clean-up applied before any parsing.

Chat clients deliver the same command in many surface forms: traditional
characters from Taiwan/HK users, full-width digits from Chinese IMEs, an
``@bot`` mention in group chats, odd Unicode spaces (chat clients put U+2005 after a
mention). Folding all of that here lets every other module match one form.
"""
from __future__ import annotations

import re
import threading

# Full-width ASCII block U+FF01..U+FF5E maps 1:1 onto U+0021..U+007E; this
# also turns （）：，；？ into ( ) : , ; ? so brackets and separators are uniform.
_WIDTH_TABLE: dict[int, int | str | None] = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_WIDTH_TABLE.update({0x3000: " ", 0xFFE5: "¥", 0xFFE0: "¢", 0xFFE1: "£"})
# Zero-width characters sneak in from copy-paste and break keyword matching.
_WIDTH_TABLE.update(dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None))

# Above this length we skip OpenCC's phrase segmentation (tens of ms on 10k
# chars) and use the per-character table: such texts are never commands.
_OPENCC_MAX_LEN = 500

_HSPACE = re.compile(r"[^\S\n]+")
# Our own bot names may be glued to the command ("@渠道助手报备 ..."); any other
# mention needs a following space to tell where the name ends.
_BOT_MENTION = re.compile(r"@(?:渠道助手|机器人|qudao|bot)\s*", re.IGNORECASE)
_ANY_MENTION = re.compile(r"@[^\s@]{1,40}\s+")


class _T2S:
    """Lazily built traditional->simplified converter.

    OpenCC('t2s') is slow to construct and to run, so we build it once and
    derive a character table from it; the table tells us cheaply whether a
    text has anything to convert at all (the common case is that it doesn't).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cc = None
        self._table: dict[int, str] | None = None
        self._trad_re: re.Pattern[str] | None = None

    def _build(self) -> None:
        from opencc import OpenCC  # imported here: heavy, only needed once

        cc = OpenCC("t2s")
        ranges = (range(0x3400, 0x4DC0), range(0x4E00, 0xA000), range(0xF900, 0xFB00))
        chars = [chr(c) for r in ranges for c in r]
        # One convert() over newline-separated chars isolates each character,
        # so phrase rules cannot leak between neighbours.
        converted = cc.convert("\n".join(chars)).split("\n")
        table: dict[int, str] = {}
        if len(converted) == len(chars):
            table = {ord(a): b for a, b in zip(chars, converted) if a != b}
        # A character class of every convertible char: one C-level search
        # answers "anything to convert?" even on very long texts.
        trad = "".join(re.escape(chr(c)) for c in table) or "\x00"
        self._cc, self._table, self._trad_re = cc, table, re.compile(f"[{trad}]")

    def convert(self, text: str) -> str:
        if self._table is None:
            with self._lock:
                if self._table is None:
                    self._build()
        table = self._table or {}
        if self._trad_re is None or not self._trad_re.search(text):
            return text
        if self._cc is not None and len(text) <= _OPENCC_MAX_LEN:
            try:
                return self._cc.convert(text)
            except Exception:  # opencc on odd input (lone surrogates): fall back
                pass
        return text.translate(table)


_t2s = _T2S()


def to_simplified(text: str) -> str:
    return _t2s.convert(text)


def fold_width(text: str) -> str:
    return text.translate(_WIDTH_TABLE)


def fold(text: str) -> str:
    """Width + traditional folding only (for parse_amount / parse_close_date)."""
    return to_simplified(fold_width(text))


def collapse_whitespace(text: str) -> str:
    """Collapse runs of spaces per line, keep line breaks, drop blank lines.

    Line breaks are kept because they carry meaning: one order item or one
    ``label: value`` field per line.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (_HSPACE.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def strip_mentions(text: str) -> str:
    for _ in range(10):  # bounded: a message may start with several mentions
        m = _BOT_MENTION.match(text) or _ANY_MENTION.match(text)
        if not m:
            break
        text = text[m.end():].lstrip()
    return text


def clean(text: object) -> str:
    """Return the canonical form of a raw chat message (never raises on str)."""
    if not isinstance(text, str):
        return ""
    text = fold_width(text)
    text = to_simplified(text)
    text = collapse_whitespace(text)
    return strip_mentions(text)

"""Expansion of short forms: the admin's alias table and the built-in
abbreviations (data/lexicon.py).

Built-in expansions are deliberately narrow.  A wrong expansion is worse
than none: it can merge two customers that are really different, while a
missing one only downgrades a duplicate to "possible".  So every pattern
either names one institution (北医三院) or is guarded by what may follow it
(中大 is 中山大学 in 中大附一院 but 东南大学附属中大医院 is in Nanjing).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .data.lexicon import ABBREV_PATTERNS, ABBREV_START, ABBREV_WHOLE
from .text import simplify

_PATTERNS = tuple((re.compile(p), repl, label) for p, repl, label in ABBREV_PATTERNS)
# Longest short form first so 中国医大 wins over 医大-like prefixes.
_START = tuple(sorted(ABBREV_START, key=lambda row: -len(row[0])))


def expand_patterns(text: str) -> tuple[str, list[str]]:
    """Apply the context-free rewrites (卫健委, 附一院, 市一院, 省医 …)."""
    steps: list[str] = []
    for rx, repl, label in _PATTERNS:
        new = rx.sub(repl, text)
        if new != text:
            steps.append(f"缩写 {label}")
            text = new
    return text, steps


def expand_whole(text: str) -> tuple[str, str | None]:
    """Whole-name short forms (北医三院).  Runs before the pattern rewrites,
    which would otherwise read 北医三院 as 北医 + 三院."""
    whole = ABBREV_WHOLE.get(text)
    if whole:
        return whole, f"缩写 {text}→{whole}"
    return text, None


def expand_start(body: str) -> tuple[str, str | None]:
    """Expand an institution short form at the start of the body.

    Returns the new body and a step label, or the body unchanged and None."""
    whole = ABBREV_WHOLE.get(body)
    if whole:
        return whole, f"缩写 {body}→{whole}"
    for short, full, not_before, only_before in _START:
        if not body.startswith(short):
            continue
        rest = body[len(short):]
        if any(rest.startswith(w) for w in not_before):
            continue
        if only_before and not any(rest.startswith(w) for w in only_before):
            continue
        return full + rest, f"缩写 {short}→{full}"
    return body, None


def lookup_alias(aliases: Mapping[str, str] | None, *forms: str) -> str | None:
    """The admin's full name for any of `forms` (raw, display, matching form).

    Only whole names (or whole bracket contents) are looked up: an admin
    alias like 协和 must not rewrite the inside of 武汉协和医院.  Lookups are
    plain dict gets, so a large table costs nothing per call; keys written
    with traditional characters or odd spacing should be passed through
    prepare_aliases() once."""
    if not aliases:
        return None
    for form in forms:
        if not form:
            continue
        try:
            full = aliases.get(form)
        except Exception:  # an odd Mapping must not break matching
            full = None
        if isinstance(full, str) and full.strip():
            return full
    return None


def prepare_aliases(aliases: Mapping[str, str]) -> dict[str, str]:
    """Copy of an admin alias table keyed by matching form (simplified
    script, half width, no spaces), so that 吉大一院 / 吉大 一院 / 吉大壹院-style
    spelling variants of a key are all found."""
    out: dict[str, str] = {}
    for key, full in aliases.items():
        if isinstance(key, str) and isinstance(full, str) and key.strip() and full.strip():
            out[key] = full
            out.setdefault(simplify(key).text, full)
    return out

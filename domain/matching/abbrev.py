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


# --- short forms nobody listed ------------------------------------------------
# People shorten a university by the first characters of its words:
# 安徽|医科|大学 → 安医大, 青岛|大学 → 青大, 北京|外国语|大学 → 北外, and name
# its hospitals 附院, 一附院 or just 一院 after it (中山一院).  No list can hold
# them all, so when one name starts with a university and the other with a
# short form of that very university, the pair is read both ways.  Such a
# reading is never certain (南医大 is 南京医科大学 and 南方医科大学), so it
# only ever makes a pair "possible"; the curated ABBREV_START entries, whose
# guards know better (中大医院 is in Nanjing), are left to themselves.
_UNIVERSITY_RE = re.compile(
    r"^([\u4e00-\u9fff]{2,4}?)(医科|中医药|师范|理工|科技|交通|工业|农业|财经|外国语|政法|"
    r"石油|林业|药科|医学|电子科技|海洋|民族)?(大学|学院)")
_HOSPITAL_TAIL_RE = re.compile(r"^(附属)?(第[0-9]+)?(附属)?医院$")
_NTH_HOSPITAL_RE = re.compile(r"^([一二三四五六七八九十])院$")
_CURATED = frozenset(row[0] for row in ABBREV_START) | frozenset(ABBREV_WHOLE)


def _short_forms(stem: str, qualifier: str, kind: str) -> set[str]:
    stems = {stem[0], stem} | ({stem[:2]} if len(stem) >= 3 else set())
    quals = ({qualifier[0], qualifier} | ({"中医"} if qualifier == "中医药" else set())
             if qualifier else {""})
    kinds = {"大", ""} if kind == "大学" else {""}
    out = set()
    for s in stems:
        for q in quals:
            for k in kinds:
                # a lone first character (青) is no short form; the whole stem is (中山)
                if len(s + q + k) >= 2 and (q or k or s == stem):
                    out.add(s + q + k)
    return out - {stem + qualifier + kind}


def read_short_form(short_core: str, full_core: str) -> tuple[str, str, str] | None:
    """If `full_core` starts with a university and `short_core` with a short
    form of it followed by nothing or a hospital (附属医院, 第1医院, 一院),
    return (short form, university, `short_core` rewritten with the
    university's full name).  Else None."""
    m = _UNIVERSITY_RE.match(full_core)
    if not m or short_core.startswith(m.group(0)):
        return None
    for short in sorted(_short_forms(m.group(1), m.group(2) or "", m.group(3)), key=len, reverse=True):
        if not short_core.startswith(short) or short in _CURATED:
            continue
        rest = short_core[len(short):]
        nth = _NTH_HOSPITAL_RE.match(rest)
        if nth:
            rest = f"第{nth.group(1)}医院"
        if rest and not _HOSPITAL_TAIL_RE.match(rest) and not nth:
            continue
        return short, m.group(0), m.group(0) + rest
    return None


def university_short_forms(core: str) -> list[str]:
    """The unlisted short forms of the university `core` starts with
    (安徽医科大学… → 安医大, 安医 …), for filing the customer under them."""
    m = _UNIVERSITY_RE.match(core)
    if not m:
        return []
    return sorted(_short_forms(m.group(1), m.group(2) or "", m.group(3)) - _CURATED)


def short_form_prefixes(core: str) -> list[str]:
    """The starts of `core` that could be an unlisted university short form:
    those followed by nothing but a university hospital (青大|附属医院,
    中山|一院, 安医大|附属第1医院).  A plain 医院 after a name (恩众骨科|医院)
    is an ordinary hospital unless the start ends in 大 (青大|医院)."""
    if _UNIVERSITY_RE.match(core):
        return []
    out = []
    for k in range(2, min(5, len(core))):
        start, rest = core[:k], core[k:]
        if _NTH_HOSPITAL_RE.match(rest) or (
                _HOSPITAL_TAIL_RE.match(rest) and (rest != "医院" or start.endswith("大"))):
            out.append(start)
    return out

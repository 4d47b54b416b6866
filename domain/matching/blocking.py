"""The other names a customer is registered by, for filing it in the lookup
index (handlers/customer_search.py) under more than its full core:

- its body without the type word and its trade name: 北京协和 for 北京协和医院,
  迈瑞 for 深圳迈瑞生物医疗电子, also without the place (协和, 迈瑞: a lookup of a
  short name must find what it resembles, 查询 协和 above all);
- the name of the hospital after its parent institution: 北京朝阳医院 for
  首都医科大学附属北京朝阳医院, 北京协和医院 for 中国医学科学院北京协和医院;
- the short forms of the university it starts with: 青大 for 青岛大学附属医院.

Only names that still say something are kept: a generic body (人民, 市立) or a
numbered hospital without a name (第1医院) would file thousands of customers
under one token.
"""

from __future__ import annotations

import re

from .abbrev import short_form_prefixes, university_short_forms
from .bodies import trade_name
from .data.lexicon import GENERIC_BODIES
from .model import NameParts
from .parse import analyse

# After the last of these a name goes on with the hospital's own name.
_PARENT_RE = re.compile(r"附属|医学院|科学院|大学|学院")
_NUMBERED_RE = re.compile(r"第[0-9]+")

__all__ = ["short_form_prefixes", "shorter_names", "university_short_forms"]


def shorter_names(parts: NameParts) -> list[tuple[str, str | None, bool]]:
    """(core, place, also anywhere) triples; place None means the customer's
    own place.  A hospital's own name is also filed without its place (a
    registration of 协和医院 may mean 中国医学科学院北京协和医院), and so is a
    bare body or trade name that says something on its own (协和, 迈瑞; not
    市立 or 第1)."""
    core = parts.core
    if not core:
        return []
    found: list[tuple[str, str | None, bool]] = []
    parents = list(_PARENT_RE.finditer(core))
    parent = parents[-1] if parents else None
    if parent is None:
        body = _body(core, parts.type_word)
        if not _NUMBERED_RE.search(body):
            found += [(name, None, _telling(name, core)) for name in (body, trade_name(body))]
    elif parent.end() < len(core):
        # The hospital's own name, read as a name of its own: 北京朝阳医院 is
        # 医院 in 朝阳区, and a registration of it is looked up that way.
        sub = analyse(core[parent.end():])
        sub_body = _NUMBERED_RE.sub("", _body(sub.core, sub.type_word))
        if sub.core and ((sub.city or sub.region) or sub_body not in GENERIC_BODIES):
            # anywhere only if the name says something without its place
            found.append((sub.core, sub.city or sub.region, sub_body not in GENERIC_BODIES))
    return [(name, place, anywhere) for name, place, anywhere in dict.fromkeys(found)
            if name != core and (place or _telling(name, core))]


def _body(core: str, type_word: str | None) -> str:
    """The core without its type word (a legal form is not in the core)."""
    return core[: len(core) - len(type_word)] if type_word and core.endswith(type_word) else core


def _telling(name: str, core: str) -> bool:
    return (len(name) >= 2 and name != core and name not in GENERIC_BODIES
            and not _NUMBERED_RE.fullmatch(name))

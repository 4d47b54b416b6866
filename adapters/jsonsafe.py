"""JSON from outside, read safely: what the standard parser accepts but no
one should send us is refused with ``BadJson`` (a client error, never a 500).

- ``NaN``, ``Infinity``, ``-Infinity`` and numbers beyond a float's range
  (``1e999`` reads as infinity): no JSON column, date or sum can hold them.
- Nesting deeper than ``max_depth``: the standard parser recurses once per
  level and gives up with RecursionError near a thousand (caught here, it
  stops early and cheaply); anything that later walks, prints or stores a
  value a few hundred levels deep would recurse as well, so the parsed value's
  depth is measured too, without recursion.
- Lone surrogates (``"\\ud800"`` is valid JSON, but no UTF-8 can carry it, so
  PostgreSQL and any UTF-8 output would fail on it) become U+FFFD.
- NUL characters (``"\\u0000"``: no one types one, and a PostgreSQL text column
  refuses it, so a lead's contact or an alias carrying one failed its command)
  are dropped: "北京\\u0000协和医院" is 北京协和医院.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 32
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NUL_ESCAPE = re.compile(r"\\u0000")        # the only way JSON can carry a NUL


class BadJson(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise BadJson(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BadJson(f"{text[:40]} is out of range")
    return value


def depth(value: Any) -> int:
    """How deep lists and objects nest in ``value`` (a scalar: 0), iteratively."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def loads(body: bytes | str, max_depth: int = MAX_DEPTH) -> Any:
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError as exc:
        raise BadJson("not UTF-8") from exc
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except BadJson:
        raise
    except RecursionError as exc:
        raise BadJson(f"nested more than {max_depth} deep") from exc
    except ValueError as exc:
        raise BadJson(str(exc)) from exc
    if depth(value) > max_depth:
        raise BadJson(f"nested more than {max_depth} deep")
    dirty = _SURROGATE_ESCAPE.search(text) or _SURROGATE.search(text) or _NUL_ESCAPE.search(text)
    return _scrubbed(value) if dirty else value


def _scrub(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text).replace("\x00", "")


def _scrubbed(value: Any) -> Any:
    """``value`` with every string (keys too) scrubbed; depth is already bounded."""
    if isinstance(value, str):
        return _scrub(value)
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    if isinstance(value, dict):
        return {_scrub(k): _scrubbed(v) for k, v in value.items()}
    return value


def real(value: Any) -> float | None:
    """A number a client sent (or its text) as a float, else None: true/false are no
    numbers here, and an integer of hundreds of digits (JSON allows one) overflows
    a float. The caller still checks the range it needs."""
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None

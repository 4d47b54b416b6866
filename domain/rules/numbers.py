"""Numbers in a rule file, read strictly: a value that is not the number it should
be is a rule error that names the key, never a guess.

Python's own ``int()`` and ``float()`` guess: ``int(1.5)`` is 1, ``int(True)`` is 1,
``float(".nan")`` is a number that every comparison passes, and a word gets
"invalid literal for int() with base 10", which tells an ops person nothing. A
number quoted in YAML ("15") is still taken: that is what the file's writer meant.
"""
from __future__ import annotations

import math
import re
from typing import Any

from domain.rules.base import RuleError

_WHOLE = re.compile(r"\s*[+-]?\d+\s*")


def whole(value: Any, where: str) -> int:
    """15, 15.0 or "15"; not 十五, 1.5, true or nothing."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _WHOLE.fullmatch(value):
        return int(value)
    raise RuleError(f"{where} must be a whole number, not {value!r}")


def real(value: Any, where: str) -> float:
    """A finite number (12, 0.5, "0.5"); not a word, true, or .nan / .inf."""
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise RuleError(f"{where} must be a number, not {value!r}")
    return number

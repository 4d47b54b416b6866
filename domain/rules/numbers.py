"""Numbers and switches in a rule file, read strictly: a value that is not what it
should be is a rule error that names the key, never a guess.

Python's own conversions guess: ``int(1.5)`` is 1, ``int(True)`` is 1, ``bool("false")``
is True, ``float(".nan")`` is a number that every comparison passes, ``Decimal("十五")``
fails with ``[<class 'decimal.ConversionSyntax'>]``, and a word gets "invalid literal
for int() with base 10", which tells an ops person nothing. A number quoted in YAML
("15") is still taken: that is what the file's writer meant.

Whole numbers are at most ``MOST`` unless a caller says otherwise. Periods in days
are at most ``MOST_DAYS``, a century: some are added to today and some subtracted
from it (a cool-down looks that far back), and a million days before today is
before year 1 — a file that passed its check would then crash every command that
looks back.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.rules.base import RuleError

MOST = 1_000_000
MOST_DAYS = 36_600
_WHOLE = re.compile(r"\s*[+-]?\d+\s*")


def whole(value: Any, where: str, most: int = MOST) -> int:
    """15, 15.0 or "15"; not 十五, 1.5, true or nothing; at most ``most``."""
    whole_float = isinstance(value, float) and value.is_integer()
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif whole_float or (isinstance(value, str) and _WHOLE.fullmatch(value)):
        number = int(value)
    else:
        raise RuleError(f"{where} must be a whole number, not {value!r}")
    if number > most:
        raise RuleError(f"{where} must be at most {most:,}, not {number:,}")
    return number


# New rules are read strictly. A version stored before a limit was added is read as it
# was accepted (it ran; refusing it now would stop every command after an upgrade).
_STRICT: ContextVar[bool] = ContextVar("strict_rules", default=True)


@contextmanager
def as_stored() -> Iterator[None]:
    """Read a stored version with the limits it was accepted under."""
    token = _STRICT.set(False)
    try:
        yield
    finally:
        _STRICT.reset(token)


def strict() -> bool:
    """Whether the limits added since a version could have been stored apply."""
    return _STRICT.get()


def days(value: Any, where: str) -> int:
    """A period in whole days, at most a century (see above); a stored version, at most MOST."""
    return whole(value, where, MOST_DAYS if strict() else MOST)


def real(value: Any, where: str) -> float:
    """A finite number (12, 0.5, "0.5"); not a word, true, or .nan / .inf."""
    number: float | None = None
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            number = None
    if number is None or not math.isfinite(number):
        raise RuleError(f"{where} must be a number, not {value!r}")
    return number


def decimal(value: Any, where: str, kind: str = "a number such as 0.15") -> Decimal:
    """A finite number kept exact (0.15, "0.15", 1), for shares and discounts; ``kind``
    says in the error what was expected."""
    number = None
    if isinstance(value, (int, float, str, Decimal)) and not isinstance(value, bool):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        raise RuleError(f"{where} must be {kind}, not {value!r}")
    return number


def flag(value: Any, where: str) -> bool:
    """true or false (YAML's yes/no/on/off arrive as those); not "false" in quotes, 0 or 1."""
    if not isinstance(value, bool):
        raise RuleError(f"{where} must be true or false, not {value!r}")
    return value


def whole_list(value: Any, where: str) -> list[int]:
    """A list of whole numbers, such as [7, 1]; not one number or a string."""
    if not isinstance(value, (list, tuple)):
        raise RuleError(f"{where} must list whole numbers, such as [7, 1], not {value!r}")
    return [whole(x, where) for x in value]

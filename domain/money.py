"""Money is Decimal yuan to the fen, never a float.

Amounts arrive in whatever carried them: the parser's reading of a message (a
number, as JSON carries one), a JSON column, a rule file, a spreadsheet cell.
``money`` takes each through its text, so 1.1万 is 11000.00 and 0.1 stays 0.1,
not the double nearest to it, and rounds half up to the fen, as the Numeric(…, 2)
columns keep it. Sums, comparisons and what is stored are then exact.

JSON has numbers but no decimals: ``json_money`` is how an amount goes back into
a JSON document (verdict facts, payloads, kept terms): an integer when it is
whole, else the number with its fen, whose text (12.34) is exact.
"""
from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext

FEN = Decimal("0.01")
_YUAN = Decimal(1)
_DIGITS = 28           # decimal's default precision: enough for any real amount
# An amount read from a message can be absurd (a float reaches 1.8e308) and must
# still be said back to its sender, so arithmetic on amounts runs with precision
# to spare for its size. Past this many digits it is no amount at all: a rule file's
# 1e999999999 would otherwise ask for a billion digits.
MOST_DIGITS = 400
_ROUNDING = Context(prec=_DIGITS, rounding=ROUND_HALF_UP)
# ¥1000亿: no channel deal, lead, share of one or partner's receivables is larger; past
# it an amount typed or sent is a mistake to answer, not a figure to keep.
LARGEST_AMOUNT = Decimal("100000000000")


def money(value: object) -> Decimal:
    """An amount in yuan (int, str, Decimal, or a number read from JSON) → Decimal
    to the fen. A value that is no finite number is a ValueError."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"not an amount of money: {value!r}") from None
    if not amount.is_finite() or amount.adjusted() >= MOST_DIGITS:
        raise ValueError(f"not an amount of money: {value!r}")
    return _rounded(amount, FEN)


def whole_yuan(value: Decimal) -> Decimal:
    """The amount rounded half up to the yuan, as a sum is said ("¥1,234,568")."""
    return _rounded(value, _YUAN)


def room_for(amount: Decimal) -> AbstractContextManager:
    """Decimal arithmetic with digits to spare for ``amount`` (rounding half up).
    Every real amount fits the default precision: only an absurd one gets a context
    of its own (making one per call cost a reply's wording five times its time)."""
    return nullcontext() if amount.adjusted() + 4 <= _DIGITS else localcontext(_context(amount))


def _context(amount: Decimal) -> Context:
    # Four more than its digits before the point: the fen's two, and one for a carry.
    digits = amount.adjusted() + 4
    return _ROUNDING if digits <= _DIGITS else Context(prec=digits, rounding=ROUND_HALF_UP)


def _rounded(amount: Decimal, unit: Decimal) -> Decimal:
    return amount.quantize(unit, context=_context(amount))


def money_or_none(value: object) -> Decimal | None:
    """``money``, with nothing (None, "") staying nothing."""
    return None if value is None or value == "" else money(value)


def json_money(value: Decimal | None) -> int | float | None:
    """An amount for a JSON document: whole yuan as an integer, else with its fen."""
    if value is None:
        return None
    amount = money(value)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def plain(value: Decimal) -> str:
    """The amount's digits as a person would write them: 80, 1.5 (not 80.00, 8E+1)."""
    return f"{value.normalize():f}"

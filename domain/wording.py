"""How sentences are kept and said: every user-facing sentence is a pair
(Chinese, English) under a key, in the module of the layer or capability
that says it; ``Wording`` renders one in the reader's language. Money is
written the way Chinese business text writes it (¥80万)."""
from __future__ import annotations

from collections.abc import Mapping

from domain.money import money, room_for, whole_yuan

Table = Mapping[str, tuple[str, str]]


class Wording:
    """``t(key, lang, **facts)`` over one table, then the tables it may borrow
    from (a capability borrows the chat's general sentences). A key defined
    twice is a mistake, caught when the module loads."""

    def __init__(self, table: Table, *borrowed: Table):
        self.tables = (table, *borrowed)
        seen: set[str] = set()
        for tab in self.tables:
            clash = seen & set(tab)
            if clash:
                raise KeyError(f"text keys defined twice: {sorted(clash)}")
            seen |= set(tab)

    def __contains__(self, key: str) -> bool:
        return any(key in tab for tab in self.tables)

    def __call__(self, key: str, lang: str = "zh", **facts) -> str:
        for tab in self.tables:
            if key in tab:
                zh, en = tab[key]
                return (en if lang == "en" else zh).format(**facts)
        raise KeyError(key)


def pick(pair: tuple[str, str], lang: str = "zh") -> str:
    return pair[1] if lang == "en" else pair[0]


def sentences(messages, lang: str = "zh") -> str:
    """Join whole sentences into one: "A。；B。" would read as a stutter."""
    parts = [m.strip().rstrip("。.") for m in messages if m and m.strip()]
    if not parts:
        return ""
    return ("；".join(parts) + "。") if lang != "en" else ("; ".join(parts) + ".")


def unit_yuan(amount) -> str:
    """A unit price, to the yuan ("¥83,300"; cents only when there are any)."""
    if amount is None:
        return "-"
    value = money(amount)
    return f"¥{value:,.2f}" if value != value.to_integral_value() else f"¥{value:,.0f}"


def yuan(amount, lang: str = "zh") -> str:
    """A sum of money as people read it: ¥80万 (Chinese), ¥800,000 (English)."""
    if amount is None:
        return "-"
    value = money(amount)
    with room_for(value):
        if lang != "en" and value >= 10_000 and value % 100 == 0:
            digits = f"{value / 10_000:,.2f}".rstrip("0").rstrip(".")
            return f"¥{digits}万"
    return f"¥{whole_yuan(value):,}"


def yuan_exact(amount) -> str:
    """A sum to the fen, for statements and splits: ¥4,998.00 (Decimal in, never a float)."""
    if amount is None:
        return "-"
    return f"¥{money(amount):,.2f}"

"""Shared pieces of the domain.language parser tests: the pinned date and the field checker."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.language import Parsed

TODAY = date(2026, 11, 23)  # a Monday


def check(parsed: Parsed, expect: dict[str, Any]) -> None:
    """Compare the named fields of ``parsed`` with ``expect``.

    items: [[sku, qty], ...]; products: [(word, sku, qty), ...];
    close_date, plan_date, date_from, date_to: ISO string or None; intent may
    be a list of allowed values; missing_contains: items that must be in ``missing``.
    """
    for key, want in expect.items():
        if key == "intent" and isinstance(want, list):
            assert parsed.intent in want
        elif key == "items":
            assert [[i.sku, i.qty] for i in parsed.items] == [list(w) for w in want]
        elif key == "products":
            assert [(p.word, p.sku, p.qty) for p in parsed.products] == [tuple(w) for w in want]
        elif key in ("close_date", "plan_date", "date_from", "date_to"):
            assert getattr(parsed, key) == (date.fromisoformat(want) if want else None), key
        elif key in ("amount_yuan", "unit_price", "discount"):
            got = getattr(parsed, key)
            if want is None:
                assert got is None
            else:
                assert got == pytest.approx(want)
        elif key == "missing_contains":
            for item in want:
                assert item in parsed.missing
        else:
            assert getattr(parsed, key) == want, key

"""Every user-facing sentence of the orders and special-price area, Chinese first, English too."""
from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {}

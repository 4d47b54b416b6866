"""Every user-facing sentence of the visits and lifecycle area, Chinese first, English too."""
from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {}

"""What the imports capability offers the ops console: the kinds of file it
loads, a checked upload (dry run), the real import after it."""
from __future__ import annotations

from chat.registry import Registry
from handlers.imports import jobs


def install(registry: Registry) -> None:
    registry.operation("imports.kinds", jobs.kinds)
    registry.operation("imports.start", jobs.start)
    registry.operation("imports.confirm", jobs.confirm)
    registry.operation("imports.progress", jobs.progress)

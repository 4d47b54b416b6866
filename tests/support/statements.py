"""Counting the SQL statements a piece of work issues (SQLAlchemy's
``before_cursor_execute`` on the engine): every statement sent to the
database, whatever issued it (ORM flushes, Core statements, lazy loads)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine, event

_SPACE = re.compile(r"\s+")


@dataclass
class Statements:
    issued: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.issued)

    def short(self, width: int = 160) -> list[str]:
        """One line each, cut to ``width`` characters."""
        return [_SPACE.sub(" ", sql).strip()[:width] for sql in self.issued]

    def listing(self, width: int = 160) -> str:
        return "\n".join(f"{i:2d}. {line}" for i, line in enumerate(self.short(width), 1))


@contextmanager
def counting(engine: Engine) -> Iterator[Statements]:
    """``with counting(engine) as st: …``: ``st.issued`` lists what the block sent."""
    seen = Statements()

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.issued.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)

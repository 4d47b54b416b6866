"""A statement built once per process and run by many threads at once."""
from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from sqlalchemy import Executable, Row
from sqlalchemy.orm import Session


class SharedStatement:
    """SQLAlchemy (2.0.58) fills in some structures of an ORM statement lazily, on
    its first run. Two threads doing that at once can leave an aliased entity
    unreadable: ``NoSuchColumnError`` for a column that is there, every time a
    worker started two command threads that read claims (handlers/registration/
    claims.py) together; the command then failed and was retried a second later.
    So the first run is taken alone, rows and all; later runs need no lock."""

    def __init__(self, statement: Executable):
        self.statement = statement
        self._ready = False
        self._first = threading.Lock()

    def rows(self, session: Session, params: Mapping) -> Sequence[Row]:
        if self._ready:
            return session.execute(self.statement, params).all()
        with self._first:
            rows = session.execute(self.statement, params).all()
            self._ready = True
            return rows

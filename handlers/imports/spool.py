"""Parsed rows parked on disk between the two passes of an import.

The first pass must see the whole file before anything is written (a key may
repeat 80,000 rows later, and the later row wins); the second pass writes.
Re-reading an .xlsx costs as much as the first read (openpyxl parses ~10k
rows/s), while pickled batches in a temporary file come back at ~1M rows/s
and take no memory while parked.
"""
from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator


class Spool:
    def __init__(self, chunk: int):
        self.chunk = max(1, chunk)
        # Stays open across add() and chunks() until close(); removed by the OS when closed.
        self._file = tempfile.TemporaryFile()  # noqa: SIM115
        self._pending: list = []
        self.count = 0

    def add(self, row) -> None:
        self._pending.append(row)
        self.count += 1
        if len(self._pending) >= self.chunk:
            self._dump()

    def _dump(self) -> None:
        if self._pending:
            pickle.dump(self._pending, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._pending = []

    def chunks(self) -> Iterator[list]:
        """The rows in the order they were added, `chunk` at a time."""
        self._dump()
        self._file.seek(0)
        while True:
            try:
                yield pickle.load(self._file)
            except EOFError:
                return

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

"""Rows someone else already read: dicts keyed by header (csv.DictReader, a
list in a test, a generator in the benchmark). The same header matching as
a file, decided once per distinct set of keys (usually once in all)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import chain

from handlers.imports.cells import is_empty
from handlers.imports.columns import Binding, Column, bind


@dataclass
class DictRows:
    rows: Iterable[dict]
    encoding: str | None = None
    sheet: str | None = None
    path: None = None

    def records(self, columns: tuple[Column, ...]) -> tuple[Binding, Iterator[tuple[int, dict]]]:
        it = iter(self.rows)
        first = next(it, None)
        if first is None:
            return bind((), _optional(columns)), iter(())
        binding = bind(tuple(first), columns)      # FileProblem for a missing required key, as for a file
        return binding, _records(chain([first], it), _optional(columns))


def _records(rows: Iterator[dict], columns: tuple[Column, ...]) -> Iterator[tuple[int, dict]]:
    bindings: dict[tuple, Binding] = {}
    # Row 1 would be the header, as a spreadsheet shows it.
    for number, row in enumerate(rows, start=2):
        headers = tuple(row)
        binding = bindings.get(headers)
        if binding is None:
            binding = bindings[headers] = bind(headers, columns)
        values = tuple(row.values())
        if not all(is_empty(v) for v in values):
            yield number, binding.record(values)


def _optional(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """Later dicts may lack a key the first had; such a row then fails on its own."""
    return tuple(replace(c, required=False) for c in columns)

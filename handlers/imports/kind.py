"""What every kind of import (products, partners, …) provides to the runner.

A kind declares its columns, parses one row without the database (pass 1:
cell syntax, ranges, required values), names the row's natural keys (so a
repeated key is found before anything is written), and writes a batch of
good rows (pass 2: references that must exist, then the upsert).

The file is the truth for the columns it has: a present column with an empty
cell sets the default (empty credit limit → none, empty moq → 1); a column
the file lacks leaves the stored value alone. Natural-key columns are never
cleared that way.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from handlers.imports.columns import Binding, Column
from handlers.imports.problems import RowProblem
from handlers.imports.report import ImportReport


@dataclass
class Row:
    number: int                                       # as the spreadsheet shows it
    values: dict[str, Any] = field(default_factory=dict)   # model attribute → value, present columns only
    refs: dict[str, Any] = field(default_factory=dict)     # what pass 2 resolves: partner code/name, sku…


@dataclass
class Run:
    """One import's shared state, handed to every batch."""
    report: ImportReport
    binding: Binding
    now: datetime
    state: dict[str, Any] = field(default_factory=dict)   # what a kind loads once per run


class Kind(ABC):
    name: str = ""
    title_zh: str = ""
    title_en: str = ""
    columns: tuple[Column, ...] = ()

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def check_binding(self, binding: Binding) -> None:
        """Header rules beyond required columns (FileProblem)."""

    @abstractmethod
    def parse(self, number: int, cells: dict[str, Any]) -> Row:
        """One spreadsheet row, checked, as the kind's record (RowProblem when bad)."""

    @abstractmethod
    def keys(self, row: Row) -> tuple[Hashable, ...]:
        """The natural keys: a later row with any of the same keys supersedes this one."""

    def merge(self, earlier: Row, later: Row) -> Row:
        """Two rows for one record: what to write. The later row, whole: the file
        is the truth for its columns, an empty cell included."""
        return later

    def superseded(self, later: int) -> str:
        """The warning on a row that a later one replaced."""
        return duplicate_reason(later)

    def start(self, session: Session, run: Run) -> None:
        """Load what every batch needs (once per run)."""

    @abstractmethod
    def write(self, session: Session, rows: list[Row], run: Run) -> None:
        """Upsert one batch by natural key, counting what changed in ``run``."""

    def finish(self, factory: sessionmaker[Session], run: Run) -> None:
        """After the last batch of a real (not dry) run."""

    @abstractmethod
    def example(self, demo: dict) -> dict[str, object]:
        """One row for the template, taken from the demo organisation."""

    # ---- helpers for parse() ---------------------------------------------------

    def cell(self, cells: dict[str, Any], key: str, parse: Callable[[object], Any]) -> Any:
        """Parse one cell; a problem names the column it is in."""
        try:
            return parse(cells.get(key))
        except RowProblem as exc:
            raise RowProblem(labelled(self.column(key), str(exc))) from None

    def required(self, cells: dict[str, Any], key: str, parse: Callable[[object], Any]) -> Any:
        value = self.cell(cells, key, parse)
        if value is None or value == []:
            col = self.column(key)
            raise RowProblem(f"{col.header}为空 ({key} is empty)")
        return value


def labelled(col: Column, reason: str) -> str:
    """`不是数字: x (not a number)` → `信用额度 不是数字: x (credit_limit: not a number)`."""
    zh, sep, en = reason.partition(" (")
    return f"{col.header} {zh} ({col.key}: {en}" if sep else f"{col.header} {reason}"


def duplicate_reason(later: int, zh: str = "重复", en: str = "duplicate of") -> str:
    return f"与第 {later} 行{zh}，以第 {later} 行为准 ({en} row {later}; the later row wins)"


def later_wins(rows: list, key: Callable[[Any], Hashable], report: ImportReport,
               reason: Callable[[int], str] = duplicate_reason,
               merge: Callable[[Any, Any], Any] | None = None) -> list:
    """Rows of one batch that turn out to mean the same record only once
    resolved (a partner by code in one row, by name in another): keep the
    later (merged with the earlier, if `merge`), warn about the earlier.
    Pass 1 already did this for identical keys."""
    kept: dict[Hashable, Any] = {}
    for row in rows:
        k = key(row)
        earlier = kept.pop(k, None)
        if earlier is not None:
            report.warn(earlier.number, reason(row.number))
            if merge:
                row = merge(earlier, row)
        kept[k] = row
    return sorted(kept.values(), key=lambda r: r.number)


def apply(entity: object, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True when anything changed. Comparing
    first is what makes a re-run report "unchanged" and write nothing."""
    changed = False
    for attr, value in values.items():
        if getattr(entity, attr) != value:
            setattr(entity, attr, value)
            changed = True
    return changed


def upsert(session: Session, existing: object | None, model: type, values: dict[str, Any],
           report: ImportReport) -> object:
    """Create or update one record and count the outcome."""
    if existing is None:
        entity = model(**values)
        session.add(entity)
        report.count("imported")
        return entity
    report.count("updated" if apply(existing, values) else "unchanged")
    return existing

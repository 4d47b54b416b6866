"""The customer import as a function (for the benchmark and tests): the work
is done by the `customers` import kind, which also reads .xlsx files."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from domain.clock import Clock
from handlers.imports import DictRows, ImportReport, Table, kind_named, open_table, run_import

__all__ = ["ImportReport", "import_customers", "read_csv"]


def read_csv(path: Path | str) -> Table:
    """A CSV (UTF-8 with or without BOM, or GB18030) or an .xlsx, ready to import."""
    return open_table(path)


def import_customers(factory: sessionmaker[Session], rows: Table | Iterable[dict],
                     progress: Callable[[int], None] | None = None, batch: int = 5000, *,
                     dry_run: bool = False, clock: Clock | None = None) -> ImportReport:
    """Import customers from a file (`read_csv`) or from dicts keyed by header.
    `progress(rows)` is called after each written batch."""
    source = rows if isinstance(rows, Table) else DictRows(rows)
    report_progress = (lambda phase, n: progress(n) if phase == "write" else None) if progress else None
    return run_import(factory, kind_named("customers"), source, dry_run=dry_run, batch=batch,
                      progress=report_progress, clock=clock)

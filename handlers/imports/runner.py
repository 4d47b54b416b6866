"""One import run, the same for every kind.

Pass 1 reads the whole file once: every row is parsed and checked on its own
(no database), bad rows are listed, good ones parked in a spool, and each
natural key remembers the last row that had it. Pass 2 writes the parked
rows in batches; a row whose key a later row repeats is skipped with a
warning (the later row wins), so the result does not depend on batch
boundaries and a re-run finds every record unchanged.

Each batch is its own transaction, so a 100k-row import that stops half way
keeps what it wrote and a re-run completes it. A dry run does all the same
work in one transaction and rolls it back.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from chat import audit
from domain.clock import Clock
from handlers.imports.columns import Binding, Column
from handlers.imports.kind import Kind, Run
from handlers.imports.problems import RowProblem
from handlers.imports.reader import Skipped
from handlers.imports.report import ImportReport
from handlers.imports.spool import Spool

DEFAULT_BATCH = 1000
# progress(phase, rows): phase "read" during pass 1, "write" during pass 2.
Progress = Callable[[str, int], None]


class Source(Protocol):
    encoding: str | None
    sheet: str | None

    def records(self, columns: tuple[Column, ...]) -> tuple[Binding, Iterator[tuple[int, dict | Skipped]]]: ...


def run_import(factory: sessionmaker[Session], kind: Kind, source: Source, *, dry_run: bool = False,
               batch: int = DEFAULT_BATCH, progress: Progress | None = None, clock: Clock | None = None,
               record_audit: bool = True, actor: str = "import") -> ImportReport:
    """Import `source` as `kind`. FileProblem (raised before anything is written)
    when the file or its header can't be used; everything else is in the report.
    ``actor``: who the audit trail names (a console user; "import" from the CLI)."""
    started = time.monotonic()
    batch = max(1, batch)
    path = getattr(source, "path", None)
    report = ImportReport(kind=kind.name, source=path.name if path else None, encoding=source.encoding,
                          sheet=source.sheet, dry_run=dry_run)
    binding, records = source.records(kind.columns)
    kind.check_binding(binding)
    if binding.ignored:
        report.note(f"忽略的列: {'、'.join(binding.ignored)} (columns not used)")
    for note in binding.notes:
        report.note(note)
    run = Run(report, binding, (clock.now() if clock else datetime.now(UTC)))
    with Spool(batch) as spool:
        superseded = _check_rows(kind, records, spool, report, batch, progress)
        with _Transactions(factory, dry_run) as tx:
            with tx.batch() as s:
                kind.start(s, run)
            _write_rows(kind, spool, superseded, tx, run, progress)
            if record_audit and not dry_run:
                with tx.batch() as s:
                    _audit(s, run, actor)
    if not dry_run:
        kind.finish(factory, run)
    report.finish(time.monotonic() - started)
    return report


def _no_nul(kind: Kind, cells: dict) -> None:
    """A NUL in any cell is a row problem here, for every kind and column: PostgreSQL's
    text refuses one, and at the write it stopped the whole import mid-way."""
    for key, value in cells.items():
        if isinstance(value, str) and "\x00" in value:
            header = next((c.header for c in kind.columns if c.key == key), key)
            raise RowProblem(f"{header}含有不可见的 NUL 字符，请删除后重新导入 "
                             f"({key} holds a NUL character; remove it and import again)")


def _check_rows(kind: Kind, records: Iterator[tuple[int, dict]], spool: Spool, report: ImportReport,
                batch: int, progress: Progress | None) -> dict[int, int]:
    """Pass 1. Returns {row: the later row that supersedes it}."""
    # Keys are remembered by hash: a million customer names then cost ~100 MB
    # instead of ~200 MB. A collision of 64-bit hashes (odds ~1e-8 at a million
    # rows) could only mark a row superseded, reported as such, never merge data.
    last_row: dict[int, int] = {}
    superseded: dict[int, int] = {}
    for number, cells in records:
        if isinstance(cells, Skipped):
            report.warn(number, str(cells))
            continue
        report.rows += 1
        try:
            _no_nul(kind, cells)
            row = kind.parse(number, cells)
        except RowProblem as exc:
            report.error(number, str(exc))
        else:
            for key in kind.keys(row):
                h = hash(key)
                earlier = last_row.get(h)
                if earlier is not None and earlier != number:
                    superseded[earlier] = number
                last_row[h] = number
            spool.add(row)
        if progress and report.rows % batch == 0:
            progress("read", report.rows)
    if progress:
        progress("read", report.rows)
    return superseded


def _write_rows(kind: Kind, spool: Spool, superseded: dict[int, int], tx: _Transactions, run: Run,
                progress: Progress | None) -> None:
    """Pass 2."""
    done = 0
    # Superseded rows wait here for the row that supersedes them, which the
    # kind may merge them into (customers do). Holds only duplicates.
    waiting: dict[int, list] = {}
    for chunk in spool.chunks():
        live = []
        for row in chunk:
            for earlier in waiting.pop(row.number, ()):
                row = kind.merge(earlier, row)
            later = superseded.get(row.number)
            if later is None:
                live.append(row)
            else:
                run.report.warn(row.number, kind.superseded(later))
                waiting.setdefault(later, []).append(row)
        if live:
            with tx.batch() as s:
                kind.write(s, live, run)
        done += len(chunk)
        if progress:
            progress("write", done)


def _audit(session: Session, run: Run, actor: str) -> None:
    """One event per run: the trail shows that (and how much) an import changed
    master data, without an event per row."""
    report = run.report
    audit.record(session, at=run.now, actor=actor, action=f"import.{report.kind}", entity_type="import",
                 entity_id=(report.source or report.kind)[:64], after=report.counts())


class _Transactions:
    """A transaction per batch; for a dry run one transaction, rolled back."""

    def __init__(self, factory: sessionmaker[Session], dry_run: bool):
        self.factory = factory
        self.shared: Session | None = None
        if dry_run:
            self.shared = factory()
            self.shared.begin()

    @contextmanager
    def batch(self) -> Iterator[Session]:
        if self.shared is None:
            with self.factory() as s, s.begin():
                yield s
            return
        yield self.shared
        self.shared.flush()
        # Flushed rows stay in the open transaction; dropping the objects keeps a
        # dry run over a large file from holding every record it touched.
        self.shared.expunge_all()

    def __enter__(self) -> _Transactions:
        return self

    def __exit__(self, *exc) -> None:
        if self.shared is not None:
            self.shared.rollback()
            self.shared.close()

"""Command line for master-data imports: `import`, `import-template`, and the
older `import-customers` (now an alias of `import customers`).

    python -m bot import KIND FILE [--sheet NAME] [--dry-run] [--batch N]
    python -m bot import-template KIND|all [-o FILE]

stderr: progress after every batch, then the bad rows (at most 200 lines and
a count). stdout: one JSON summary. Exit 0: all rows good; 1: some rows bad
(the good ones were imported); 2: the file can't be read or lacks a column.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import TextIO

from bot.cli.base import database, settings

# Kept here rather than read from handlers.imports so that registering the
# subcommands doesn't import the models for every command (a test checks
# that the two lists agree).
KIND_NAMES = ("products", "partners", "users", "prices", "stock", "customers", "plans", "leads", "targets")
MAX_LISTED = 200
DEFAULT_BATCH = 1000
CUSTOMER_BATCH = 5000          # what import-customers always used (benchmarked)


def add_commands(sub) -> None:
    p = sub.add_parser("import", help="load master data from .xlsx/.csv: " + ", ".join(KIND_NAMES),
                       description="Validate every row, list the bad ones with their row numbers, import the good "
                                   "ones (re-running changes nothing).")
    p.add_argument("kind", metavar="KIND", choices=KIND_NAMES, help=" | ".join(KIND_NAMES))
    _file_arguments(p, DEFAULT_BATCH)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("import-customers", help="same as: import customers FILE")
    _file_arguments(p, CUSTOMER_BATCH)
    p.set_defaults(func=cmd_import, kind="customers")

    p = sub.add_parser("import-template", help="write a blank file to fill in for an import")
    p.add_argument("kind", metavar="KIND", choices=(*KIND_NAMES, "all"),
                   help=" | ".join(KIND_NAMES) + " | all (every kind's CSV into config/templates or -o DIR)")
    p.add_argument("-o", "--output", help="FILE.xlsx (default KIND-template.xlsx) or FILE.csv")
    p.set_defaults(func=cmd_import_template)


def _file_arguments(p: argparse.ArgumentParser, batch: int) -> None:
    p.add_argument("file", help=".xlsx, .xlsm or .csv (UTF-8 or GB18030)")
    p.add_argument("--sheet", help="the workbook's sheet to read (default: the first)")
    p.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    p.add_argument("--batch", type=int, default=batch, help=f"rows per transaction (default {batch})")


def cmd_import(args) -> int:
    from handlers.imports import FileProblem, kind_named, open_table, run_import
    kind = kind_named(args.kind)
    try:
        table = open_table(args.file, args.sheet)     # before the database: a bad file costs nothing
    except FileProblem as exc:
        return _cannot_read(args.file, exc)
    _, factory, clock = database(settings())
    print(f"{kind.title_zh} ({kind.name}) ← {table.path.name}, {table.describe()}"
          f"{' · 试运行 (dry run)' if args.dry_run else ''}", file=sys.stderr, flush=True)
    progress = ProgressLine(sys.stderr, dry_run=args.dry_run)
    try:
        report = run_import(factory, kind, table, dry_run=args.dry_run, batch=args.batch, progress=progress,
                            clock=clock)
    except (FileProblem, OSError, UnicodeDecodeError) as exc:
        progress.end()
        return _cannot_read(args.file, exc)
    progress.end()
    print_outcome(report, sys.stderr)
    print(json.dumps(report.counts(), ensure_ascii=False))
    return 1 if report.errors else 0


def _cannot_read(file: str, exc: Exception) -> int:
    print(f"无法导入 {file}: {exc} (cannot import this file; nothing was written)", file=sys.stderr)
    return 2


class ProgressLine:
    """`12,000 rows read · 8,400 rows/s` after every batch. On a terminal the
    line rewrites itself; into a log each report is its own line."""

    def __init__(self, out: TextIO, dry_run: bool = False):
        self.out, self.dry_run = out, dry_run
        self.live = out.isatty()
        self.phase, self.started, self.shown = None, time.monotonic(), False

    def __call__(self, phase: str, rows: int) -> None:
        if phase != self.phase:
            self.end()
            self.phase, self.started = phase, time.monotonic()
        elapsed = time.monotonic() - self.started
        done = "rows read" if phase == "read" else ("rows checked" if self.dry_run else "rows saved")
        # A rate over a few milliseconds says nothing; small files just show the count.
        line = f"{rows:,} {done}" + (f" · {rows / elapsed:,.0f} rows/s" if elapsed >= 0.05 else "")
        print(("\r" + line) if self.live else line, end="" if self.live else "\n", file=self.out, flush=True)
        self.shown = True

    def end(self) -> None:
        if self.live and self.shown:
            print(file=self.out, flush=True)
        self.shown = False


def print_outcome(report, out: TextIO) -> None:
    for text in report.notes:
        print(f"注意 (note): {text}", file=out)
    _listed(report.errors, "", "bad rows", out)
    _listed(report.warnings, " (warning)", "warnings", out)
    if report.dry_run:
        print("试运行，未写入任何数据 (dry run: nothing was written)", file=out)
    if not (report.imported or report.updated):
        print(f"没有任何变化，{report.unchanged} 条未变 (nothing changed: {report.unchanged} unchanged)", file=out)
    out.flush()


def _listed(items: list[tuple[int, str]], label: str, what: str, out: TextIO) -> None:
    for number, reason in items[:MAX_LISTED]:
        print(f"row {number}{label}: {reason}", file=out)
    if len(items) > MAX_LISTED:
        print(f"… and {len(items) - MAX_LISTED} more {what} (共 {len(items)} 行)", file=out)


def cmd_import_template(args) -> int:
    from handlers.imports import kind_named
    from handlers.imports.templates import TEMPLATE_DIR, write_csv_templates, write_template
    if args.kind == "all":
        for path in write_csv_templates(Path(args.output) if args.output else TEMPLATE_DIR):
            print(path)
        return 0
    path = Path(args.output or f"{args.kind}-template.xlsx")
    if path.suffix.lower() not in (".xlsx", ".csv"):
        print(f"模板只能是 .xlsx 或 .csv: {path} (a template is .xlsx or .csv)", file=sys.stderr)
        return 2
    print(write_template(kind_named(args.kind), path))
    return 0

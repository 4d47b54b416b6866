"""Customer master data from CSV: validate every row, import the good ones
idempotently (by credit code, else by canonical name key), report the bad
ones with their row numbers, file every customer in the candidate index.

Rows are handled in batches: one query finds which keys already exist, one
multi-row INSERT adds the new customers, one adds their tokens. A million
rows take minutes (docs/benchmarks.md).
"""
from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.matching import analyse, region_of
from handlers.customer_search import CREDIT_CODE, alias_key, tokens_for
from models import Customer, CustomerAlias, CustomerToken

MAX_NAME_CHARS = 100
STATS_AFTER_ROWS = 10_000
COLUMNS = ("name", "address", "credit_code", "aliases")


@dataclass
class ImportReport:
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    aliases: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Row:
    number: int
    name: str
    address: str | None
    credit_code: str | None
    aliases: list[str]
    key: str = ""
    city: str | None = None
    region: str | None = None
    tokens: list[str] = field(default_factory=list)


def read_csv(path: Path) -> Iterator[dict]:
    """UTF-8 (with or without BOM, as Excel writes it) CSV with a header row."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def _validate(number: int, raw: dict) -> tuple[_Row | None, str | None]:
    name = (raw.get("name") or raw.get("客户名称") or "").strip()
    if not name:
        return None, "客户名称为空 (name is empty)"
    if len(name) > MAX_NAME_CHARS:
        return None, f"客户名称超过 {MAX_NAME_CHARS} 字 (name too long)"
    code = (raw.get("credit_code") or raw.get("统一社会信用代码") or "").strip().upper() or None
    if code and not CREDIT_CODE.fullmatch(code):
        return None, f"统一社会信用代码格式不对: {code} (bad credit code)"
    aliases = [a.strip() for a in (raw.get("aliases") or raw.get("别名") or "").split("|") if a.strip()]
    if any(len(a) > MAX_NAME_CHARS for a in aliases):
        return None, "别名过长 (alias too long)"
    address = (raw.get("address") or raw.get("地址") or "").strip() or None
    return _Row(number, name, address[:300] if address else None, code, aliases), None


def _analyse(row: _Row) -> None:
    parts = analyse(row.name)
    row.key, row.city, row.tokens = parts.key, parts.city, tokens_for(parts)
    row.region = (region_of(row.address) if row.address else None) or parts.region


def import_customers(factory: sessionmaker[Session], rows: Iterable[dict],
                     progress: Callable[[int], None] | None = None, batch: int = 5000) -> ImportReport:
    report, started, seen, buf = ImportReport(), time.monotonic(), 0, []
    for number, raw in enumerate(rows, start=2):        # row 1 is the header, as a spreadsheet shows it
        seen += 1
        row, error = _validate(number, raw)
        if error:
            report.errors.append((number, error))
        else:
            buf.append(row)
        if len(buf) >= batch:
            _write(factory, buf, report)
            buf = []
            if progress:
                progress(seen)
    if buf:
        _write(factory, buf, report)
    if progress:
        progress(seen)
    if report.imported >= STATS_AFTER_ROWS:
        _refresh_statistics(factory)
    report.seconds = time.monotonic() - started
    return report


def _refresh_statistics(factory: sessionmaker[Session]) -> None:
    """Right after a bulk load PostgreSQL plans without statistics (autovacuum
    gets to it later); give the planner numbers now."""
    with factory() as s, s.begin():
        if s.bind.dialect.name == "postgresql":
            s.execute(text("ANALYZE customers, customer_tokens, customer_aliases"))
        else:
            s.execute(text("PRAGMA optimize"))


def _write(factory: sessionmaker[Session], rows: list[_Row], report: ImportReport) -> None:
    for row in rows:
        _analyse(row)
    now = datetime.now(timezone.utc)
    with factory() as s, s.begin():
        keys = {r.key for r in rows}
        codes = {r.credit_code for r in rows if r.credit_code}
        existing = {c.name_key: c for c in s.execute(select(Customer).where(Customer.name_key.in_(keys))).scalars()}
        by_code = {c.credit_code: c for c in s.execute(select(Customer).where(Customer.credit_code.in_(codes))).scalars()} \
            if codes else {}
        fresh: dict[str, _Row] = {}
        for row in rows:
            known = (by_code.get(row.credit_code) if row.credit_code else None) or existing.get(row.key)
            if known is not None:
                changed = _update(known, row)
                report.updated += changed
                report.skipped += not changed
            elif row.key in fresh:
                report.skipped += 1          # the same customer twice in one file
            else:
                fresh[row.key] = row
        if fresh:
            # Core executemany, then one keyed SELECT for the ids: the ORM's bulk
            # INSERT … RETURNING spends quadratic time splicing rows back together.
            s.execute(insert(Customer.__table__), [
                {"name": r.name, "name_key": r.key, "region": r.region, "city": r.city, "address": r.address,
                 "credit_code": r.credit_code, "source": "import", "created_at": now} for r in fresh.values()
            ])
            ids = s.execute(select(Customer.id, Customer.name_key).where(Customer.name_key.in_(fresh))).all()
            token_rows = [{"token": tok, "customer_id": cid} for cid, key in ids for tok in fresh[key].tokens]
            if token_rows:
                s.execute(insert(CustomerToken.__table__), token_rows)
            report.imported += len(ids)
        report.aliases += _aliases(s, rows, now)


def _update(customer: Customer, row: _Row) -> bool:
    changed = False
    for attr in ("address", "credit_code"):
        value = getattr(row, attr)
        if value and getattr(customer, attr) != value:
            setattr(customer, attr, value)
            changed = True
    if row.region and customer.region != row.region:
        customer.region, changed = row.region, True
    return changed


def _aliases(s: Session, rows: list[_Row], now: datetime) -> int:
    wanted = {alias: row.name for row in rows for alias in row.aliases}
    if not wanted:
        return 0
    have = set(s.execute(select(CustomerAlias.alias).where(CustomerAlias.alias.in_(wanted))).scalars())
    new = [{"alias": a, "alias_key": alias_key(a), "full_name": full, "created_by": "import", "created_at": now}
           for a, full in wanted.items() if a not in have]
    if new:
        s.execute(insert(CustomerAlias.__table__), new)
    return len(new)

"""The timed parts of the benchmark: the import, the lookups, the full scan.

Each lookup records wall time, this process's CPU time and the time the
garbage collector spent inside it, so a slow call can be attributed to the
database server, to our own code or to a collection that happened to land in it.
"""
from __future__ import annotations

import gc
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .common import emit, loadavg, log
from .queries import Query
from .report import pct


class GcClock:
    """Time spent in the cyclic garbage collector, so a slow lookup can be told
    apart from a lookup that merely had a gen-2 collection land inside it."""

    def __init__(self):
        self.seconds, self._t0 = 0.0, None
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        elif self._t0 is not None:
            self.seconds += time.perf_counter() - self._t0
            self._t0 = None


GC = GcClock()


def clear_caches() -> None:
    """Empty every lru_cache in the matcher and the lookup module: a lookup pass
    should see what a newly started worker sees, not what the importer (same
    process) or an earlier pass left behind."""
    prefixes = ("domain.matching", "handlers.customers.search", "handlers.customers.tokens", "handlers.customers.reads")
    for name, module in list(sys.modules.items()):
        if module is None or not name.startswith(prefixes):
            continue
        for obj in vars(module).values():
            if callable(getattr(obj, "cache_clear", None)) and hasattr(obj, "cache_info"):
                obj.cache_clear()


class Progress:
    """Importer callback: a line every 50,000 rows (or at the end) with the rate so far."""

    def __init__(self, db: str, total: int):
        self.db, self.total, self.t0, self.last = db, total, time.perf_counter(), 0

    def __call__(self, done: int) -> None:
        if done - self.last < 50_000 and done < self.total:
            return
        self.last = done
        dt = time.perf_counter() - self.t0
        log(f"  [{self.db}] imported {done:,}/{self.total:,} rows, {dt:.0f}s, {done / dt:,.0f} rows/s")


def run_import(db: str, factory, csv_path: Path, n: int) -> dict:
    from handlers.imports.customer_entry import import_customers, read_csv
    load0, t0, cpu0 = loadavg(), time.perf_counter(), time.process_time()
    report = import_customers(factory, read_csv(csv_path), progress=Progress(db, n))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    rec = {"measure": "import", "db": db, "rows": n, "seconds": round(wall, 1),
           "rows_per_s": round(n / wall), "report_seconds": round(report.seconds, 1),
           "client_cpu_s": round(cpu, 1), "load_before": load0, "load_after": loadavg(),
           "imported": report.imported, "updated": report.updated, "skipped": report.skipped,
           "aliases": getattr(report, "aliases", None), "errors": len(report.errors),
           "first_errors": report.errors[:5]}
    emit(rec)
    return rec


@dataclass
class Timed:
    q: Query
    ms: float
    cpu_ms: float             # this process's CPU: wall >> cpu means waiting (DB server, other load)
    gc_ms: float              # garbage collection inside the call
    verdict: str
    score: float
    matched: str | None
    reason: str


@dataclass
class LookupRun:
    db: str
    label: str                # fresh | analyzed
    first: Timed | None = None
    timed: list[Timed] = field(default_factory=list)
    load_before: float = 0.0
    load_after: float = 0.0


def one_lookup(factory, q: Query, alone: bool = False) -> Timed:
    """One lookup in a fresh session. As a registration runs it (``alone`` False):
    the command's transaction is already open — it has read its sender — and is
    committed at the end, as every chat command's is (on PostgreSQL that keeps the
    connection's prepared statements; a rollback would drop them). ``alone``: the
    lookup is the session's first statement, so it also pays the pool checkout,
    its liveness ping and BEGIN, and the session ends in a rollback."""
    from sqlalchemy import select

    from handlers.customers.search import lookup
    from models import User
    with factory() as session:
        if not alone:
            session.execute(select(User.id).where(User.external_id == "bench-sender")).first()
        gc0, cpu0, t0 = GC.seconds, time.process_time(), time.perf_counter()
        m = lookup(session, q.text)
        ms = (time.perf_counter() - t0) * 1e3
        cpu_ms, gc_ms = (time.process_time() - cpu0) * 1e3, (GC.seconds - gc0) * 1e3
        matched = m.matched.name if m.matched is not None else None
        if not alone:
            session.commit()
    return Timed(q, ms, cpu_ms, gc_ms, m.verdict, float(m.score), matched, m.reason)


def run_lookups(db: str, label: str, factory, queries: list[Query], detail, alone: bool = False) -> LookupRun:
    clear_caches()
    run = LookupRun(db, label)
    run.load_before = loadavg()
    run.first = one_lookup(factory, queries[0], alone)
    emit({"measure": "lookup_first_call", "db": db, "pass": label, "ms": round(run.first.ms, 2),
          "query": queries[0].text})
    t0 = time.perf_counter()
    for i, q in enumerate(queries[1:], 1):
        t = one_lookup(factory, q, alone)
        run.timed.append(t)
        if detail:
            detail.write(json.dumps({"db": db, "pass": label, "ms": round(t.ms, 3), "cpu_ms": round(t.cpu_ms, 3),
                                     "gc_ms": round(t.gc_ms, 3), "kind": q.kind, "how": q.how,
                                     "query": q.text, "source": q.source, "verdict": t.verdict,
                                     "score": round(t.score, 3), "matched": t.matched,
                                     "reason": t.reason}, ensure_ascii=False) + "\n")
        if i % 500 == 0:
            log(f"  [{db} {label}] {i}/{len(queries) - 1} lookups, {time.perf_counter() - t0:.0f}s")
    run.load_after = loadavg()
    return run


def run_scan(names: list[str], queries: list[Query]) -> dict:
    """The plain alternative: score every known name against the query."""
    from rapidfuzz import fuzz, process
    ms = []
    for i, q in enumerate(queries):
        t0 = time.perf_counter()
        best = process.extractOne(q.text, names, scorer=fuzz.WRatio)
        ms.append((time.perf_counter() - t0) * 1e3)
        log(f"  [scan] {i + 1}/{len(queries)} {ms[-1]:.0f} ms  {q.text} -> {best[0] if best else None}")
    ms.sort()
    rec = {"measure": "full_scan_rapidfuzz", "names": len(names), "calls": len(ms),
           "p50_ms": round(pct(ms, .5), 1), "p99_ms": round(pct(ms, .99), 1), "max_ms": round(ms[-1], 1)}
    emit(rec)
    return rec

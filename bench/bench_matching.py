"""Duplicate detection at scale: import N customers, then time the project's
lookup against a brute-force rapidfuzz scan of every name.

Run:  .venv/bin/python bench/bench_matching.py --n 1000000 --db both
Options: --db sqlite|postgres|both  --queries 2000  --scan-queries 20  --seed 7
         --keep (leave the PostgreSQL database in place for a closer look)
         --detail /tmp/file.jsonl (every lookup's timing and verdict, one JSON line each)

Per database:
  1. a fresh database: SQLite file under /tmp, or a PostgreSQL database
     `qudao_bench` created on 127.0.0.1 (and dropped at the end);
     schema from models.db.make_engine + upgrade_schema;
  2. the generated CSV (bench/gen_customers.py, same seed) imported with
     handlers.imports.customer_entry.import_customers -- timed, progress on stderr;
  3. a query set: 40% exact existing names, 30% spelling variants of existing
     names (traditional characters, full-width brackets, city prefix added or
     removed, 第一→第1, legal suffix dropped), 30% new names (the generator's
     next names after the first N: certainly not in the set);
  4. handlers.customers.search.lookup per query, each in a fresh session:
     latency p50/p95/p99/max and verdict counts per query kind; the first
     call is reported on its own (it fills caches) and left out of the
     percentiles.  Two passes, each with its own query set (same mix) and the
     matcher's in-process caches emptied first, as in a freshly started worker:
     "fresh" right after the import (PostgreSQL has no planner statistics yet
     unless autovacuum got there), "analyzed" after an explicit ANALYZE (the
     steady state a running deployment reaches).
Then rapidfuzz.process.extractOne(query, all_names, scorer=fuzz.WRatio) over
the in-memory list for --scan-queries queries: the plain alternative.

stdout: one JSON line per measurement, then a markdown table.
stderr: progress.

This file holds the CLI and the order of the steps (which is also the order of
the output lines); the steps themselves live in bench/matchbench/.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, only bench/ is on sys.path; the repo root makes both the
# project (bot.*, handlers.*) and this directory's modules (bench.*) importable.
sys.path.insert(0, str(ROOT))

from bench.matchbench.common import emit, log  # noqa: E402
from bench.matchbench.databases import (  # noqa: E402
    analyze,
    fresh_database,
    server_version,
    table_counts,
)
from bench.matchbench.measure import run_import, run_lookups, run_scan  # noqa: E402
from bench.matchbench.queries import DataSet, Query, build_dataset, build_queries, split  # noqa: E402
from bench.matchbench.report import (  # noqa: E402
    code_fingerprint,
    lookup_summary,
    machine,
    markdown,
    slowest,
)

# --- one database end to end --------------------------------------------------

# (statistics, how a lookup runs), each pass with its own queries. "command": as a
# registration runs it, inside the chat command's open transaction, committed at the
# end; "alone": a session of its own (adds the pool checkout, its ping and BEGIN).
PASSES = (("fresh", "command"), ("analyzed", "command"), ("analyzed", "alone"))


def bench_db(db: str, args, data: DataSet, query_sets: list[list[Query]], detail) -> dict:
    from models.db import make_session_factory
    with fresh_database(db, args.n, args.keep) as engine:
        factory = make_session_factory(engine)
        version = server_version(engine)
        log(f"[{db}] {version}: importing {args.n:,} rows from {data.csv_path}")
        imp = run_import(db, factory, data.csv_path, args.n)
        counts = table_counts(engine)
        emit({"measure": "tables_after_import", "db": db, **counts})
        passes = []
        for (label, how), queries in zip(PASSES, query_sets):
            if label == "analyzed" and how == "command":
                analyze(engine)
            label = label if how == "command" else f"{label}, alone"
            log(f"[{db}] {len(queries)} lookups, {label}")
            run = run_lookups(db, label, factory, queries, detail, alone=how == "alone")
            passes.append({"label": label, "lookup": lookup_summary(run), "slowest": slowest(run)})
        return {"db": db, "version": version, "import": imp, "tables": counts, "passes": passes}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="customer lookup at scale vs a rapidfuzz full scan")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--scan-queries", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    ap.add_argument("--detail", default=None, help="JSONL file for every lookup")
    args = ap.parse_args(argv)

    mach = machine()
    emit(mach)
    for module in ("handlers.imports.customer_entry", "handlers.customers.search"):
        importlib.import_module(module)     # load the measured code now, then fingerprint it
    code = code_fingerprint()
    emit(code)
    data = build_dataset(args.n, args.seed, len(PASSES) * split(args.queries)[2])
    query_sets = [build_queries(data, args.queries, args.seed, part) for part in range(len(PASSES))]
    queries = query_sets[0]
    emit({"measure": "query_set", "per_pass": len(queries), **Counter(q.kind for q in queries),
          "variants": dict(Counter(q.how for q in queries if q.how))})
    dbs = {"sqlite": ["sqlite"], "postgres": ["postgresql"], "both": ["sqlite", "postgresql"]}[args.db]
    # The detail file is written to across the lookups of every database, and closed below.
    detail = open(args.detail, "w", encoding="utf-8") if args.detail else None  # noqa: SIM115
    results = [bench_db(db, args, data, query_sets, detail) for db in dbs]
    if code_fingerprint()["files_sha1"] != code["files_sha1"]:
        emit({"measure": "warning", "text": "measured code changed on disk during the run"})
    if detail:
        detail.close()
    scan = run_scan(data.names, queries[: args.scan_queries]) if args.scan_queries else None
    print()
    print(markdown(args, mach, results, scan))


if __name__ == "__main__":
    main()

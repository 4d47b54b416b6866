"""Statistics and reporting: percentiles, the per-pass summary records, the
machine and code fingerprints, and the closing markdown table.

The figures go into docs/benchmarks.md, so every record says what was measured
(machine, load, commit and a hash of the measured files) next to the numbers.
"""
from __future__ import annotations

import hashlib
import math
import os
import platform
import sqlite3
import subprocess
import time
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from .common import ROOT, emit, loadavg
from .queries import VARIANTS

if TYPE_CHECKING:       # measure imports pct from here: no import at run time
    from .measure import LookupRun

SLOWEST = 12          # slowest lookups listed per database


def pct(sorted_ms: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_ms:
        return float("nan")
    return sorted_ms[min(len(sorted_ms) - 1, max(0, math.ceil(p * len(sorted_ms)) - 1))]


def lookup_summary(run: LookupRun) -> dict:
    ms = sorted(t.ms for t in run.timed)
    rec = {"measure": "lookup", "db": run.db, "pass": run.label, "calls": len(ms),
           "p50_ms": round(pct(ms, .50), 2), "p95_ms": round(pct(ms, .95), 2),
           "p99_ms": round(pct(ms, .99), 2), "max_ms": round(ms[-1], 2),
           "first_call_ms": round(run.first.ms, 2),
           "cpu_p50_ms": round(pct(sorted(t.cpu_ms for t in run.timed), .5), 2),
           "cpu_p99_ms": round(pct(sorted(t.cpu_ms for t in run.timed), .99), 2),
           "calls_with_gc_over_50ms": sum(t.gc_ms > 50 for t in run.timed),
           "load_before": run.load_before, "load_after": run.load_after,
           "verdicts": dict(Counter(t.verdict for t in run.timed))}
    for kind in ("exact", "variant", "new"):
        sub = sorted(t.ms for t in run.timed if t.q.kind == kind)
        rec[f"{kind}_p50_ms"], rec[f"{kind}_p99_ms"] = round(pct(sub, .5), 2), round(pct(sub, .99), 2)
        rec[f"{kind}_verdicts"] = dict(Counter(t.verdict for t in run.timed if t.q.kind == kind))
    rec["variant_verdicts_by_how"] = {
        how: dict(Counter(t.verdict for t in run.timed if t.q.how == how)) for how in VARIANTS}
    emit(rec)
    return rec


def slowest(run: LookupRun) -> list[dict]:
    out = []
    for t in sorted(run.timed, key=lambda t: t.ms, reverse=True)[:SLOWEST]:
        out.append({"measure": "slow_lookup", "db": run.db, "pass": run.label, "ms": round(t.ms, 2),
                    "cpu_ms": round(t.cpu_ms, 2), "gc_ms": round(t.gc_ms, 2), "kind": t.q.kind,
                    "how": t.q.how, "query": t.q.text, "verdict": t.verdict,
                    "matched": t.matched, "reason": t.reason})
        emit(out[-1])
    return out


def machine() -> dict:
    with open("/proc/cpuinfo") as cpuinfo:
        cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo
                    if line.startswith("model name")), platform.processor())
    with open("/proc/meminfo") as meminfo:
        mem_kb = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return {"measure": "machine", "cpus": os.cpu_count(), "cpu": cpu, "mem_gib": round(mem_kb / 2**20),
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform(), "date": date.today().isoformat(), "load": loadavg()}


MEASURED_CODE = ("handlers/customer_search.py", "handlers/customer_tokens.py", "handlers/customer_reads.py",
                 "handlers/customer_import.py", "handlers/imports", "bot/matching",
                 "migrations/versions", "models/org.py")


def code_fingerprint() -> dict:
    """Which code was measured: the lookup is being worked on, so a figure is
    only meaningful next to the commit and a hash of the files it ran."""
    files = sorted(p for spec in MEASURED_CODE for p in (
        [ROOT / spec] if (ROOT / spec).is_file() else (ROOT / spec).rglob("*.py")))
    digest = hashlib.sha1()
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())

    def git(*args: str) -> str:      # read-only git queries
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    dirty = git("status", "--porcelain", "--", *MEASURED_CODE).splitlines()
    return {"measure": "code", "commit": git("rev-parse", "--short", "HEAD"),
            "files_sha1": digest.hexdigest()[:12], "uncommitted_files": len(dirty),
            "newest_mtime": time.strftime("%H:%M:%S", time.localtime(max(p.stat().st_mtime for p in files)))}


def markdown(args, mach: dict, results: list[dict], scan: dict | None) -> str:
    lines = [
        f"Machine: {mach['cpus']} CPUs ({mach['cpu']}), {mach['mem_gib']} GiB, Python {mach['python']}, "
        f"SQLite {mach['sqlite']}" + "".join(f", {r['db']} {r['version']}" for r in results if r["db"] == "postgresql"),
        f"Customers: {args.n:,} (seed {args.seed}); lookups: {args.queries} "
        "(40% exact, 30% variants, 30% new)", "",
        "| database | import s | rows/s | lookup pass | p50 | p95 | p99 | max | first call "
        "| verdicts (dup/possible/distinct) |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        i = r["import"]
        for p in r["passes"]:
            lk, v = p["lookup"], p["lookup"]["verdicts"]
            lines.append(f"| {r['db']} | {i['seconds']:,.1f} | {i['rows_per_s']:,} | {p['label']} | "
                         f"{lk['p50_ms']} ms | {lk['p95_ms']} ms | {lk['p99_ms']} ms | {lk['max_ms']} ms | "
                         f"{lk['first_call_ms']} ms | {v.get('duplicate', 0)}/{v.get('possible', 0)}/"
                         f"{v.get('distinct', 0)} |")
    if scan:
        lines += ["", f"rapidfuzz `extractOne(…, scorer=fuzz.WRatio)` over all {scan['names']:,} names, "
                  f"{scan['calls']} queries: p50 {scan['p50_ms']:,} ms, p99 {scan['p99_ms']:,} ms"]
        for r in results:
            for p in r["passes"]:
                ratio = scan["p50_ms"] / p["lookup"]["p50_ms"]
                lines.append(f"- full-scan p50 / {r['db']} lookup p50 ({p['label']}) = {ratio:,.0f}×")
    return "\n".join(lines)

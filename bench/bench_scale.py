"""Month-end scale benchmark (issue 16): the ack path against its floor, an
open-loop ack at a steady rate, registrations end to end across processes,
64-way contention on one customer, and the month-end order burst.

Quick run (small sizes, a few minutes):
    .venv/bin/python bench/bench_scale.py
The issue's sizes (on a quiet machine; ~25 minutes at the goals, far longer before:
e2e feeds 90,000 registrations, 5 minutes at 300/s):
    .venv/bin/python bench/bench_scale.py --full
Some parts only, sizes of your own:
    .venv/bin/python bench/bench_scale.py --parts ack,openloop --ack-n 10000 --open-rate 800

Needs the local PostgreSQL (a fresh database per part, dropped afterwards
unless --keep-db; QUDAO_BENCH_PG_ADMIN) and Redis (db 8, flushed;
QUDAO_BENCH_REDIS). Prints a markdown table and writes everything measured
(figures, checks, machine facts) as JSON into bench/results/. Exit 1 if a
check failed (something lost, duplicated, sent beyond the platform's limit,
the wrong holder), 0 otherwise: the goals' figures are reported, not enforced.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scale import procs  # noqa: E402
from bench.scale.env import machine_facts, run_id  # noqa: E402
from bench.scale.parts import PARTS, Run, scratch_dir  # noqa: E402

RESULTS = ROOT / "bench" / "results"

QUICK = {"ack_n": 3000, "open_rate": 1000, "open_seconds": 5, "e2e_n": 1000, "contention_n": 16,
         "month_orders": 200, "month_dealers": 20, "month_seconds": 60}
FULL = {"ack_n": 40000, "open_rate": 1000, "open_seconds": 60, "e2e_n": 90000, "contention_n": 64,
        "month_orders": 10000, "month_dealers": 500, "month_seconds": 600}
SIZE_HELP = {"ack_n": "requests per ack run (floor and Qudao)", "open_rate": "open-loop requests per second",
             "open_seconds": "open-loop duration", "e2e_n": "registrations fed end to end",
             "contention_n": "simultaneous claims on one customer", "month_orders": "month-end orders",
             "month_dealers": "month-end dealers (P-BENCH-### partners seeded)",
             "month_seconds": "month-end window in seconds"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--parts", default=",".join(PARTS),
                   help=f"comma-separated, any of {','.join(PARTS)} (default: all)")
    p.add_argument("--full", action="store_true", help="the issue's sizes (each size option still wins)")
    for key, default in QUICK.items():
        p.add_argument("--" + key.replace("_", "-"), dest=key, type=int, default=None,
                       help=f"{SIZE_HELP[key]} (quick {default}, --full {FULL[key]})")
    p.add_argument("--processing", default=None,
                   help="the web's QUDAO_PROCESSING: workers (the web only acknowledges; worker processes "
                        "process), thread (today's background runner in the web) or inline. Default: "
                        "$QUDAO_PROCESSING, else workers if the worker command runs, else thread")
    p.add_argument("--workers", type=int, default=2, help="worker processes in e2e/contention/month_end "
                   "(processing=workers; default 2)")
    p.add_argument("--worker-cmd", default=None, help="the worker command (default: python -m bot worker)")
    p.add_argument("--web-workers", type=int, default=2, help="gunicorn -w (default 2)")
    p.add_argument("--web-threads", type=int, default=4, help="gunicorn --threads (default 4)")
    p.add_argument("--connections", type=int, default=16, help="closed-loop connections (default 16)")
    p.add_argument("--warmup", type=int, default=200,
                   help="requests sent (not measured) before the ack and open-loop runs of each server (default 200)")
    p.add_argument("--e2e-dealers", type=int, default=0,
                   help="e2e from this many dealers of as many P-BENCH-### partners instead of the issue's three "
                        "北京 dealers (default 0: those three): how the rate moves when the per-partner lock "
                        "(the quota) is spread")
    p.add_argument("--quota", type=_quota, default=None,
                   help="the partners' open-registration quota in the bench's rules: none (default; the issue's "
                        "runs lift it, so claims count nothing) or a number (each claim counts its partner's open "
                        "registrations)")
    p.add_argument("--month-tap-delay", type=float, default=1.0,
                   help="seconds a month-end dealer takes to tap 确认下单 after the card arrives (default 1)")
    p.add_argument("--settle-timeout", type=float, default=60,
                   help="seconds without progress before a part stops waiting for processing (default 60)")
    p.add_argument("--quiet-wait", type=float, default=60,
                   help="before each part: a PostgreSQL CHECKPOINT, then up to this many seconds waiting for "
                        "the machine to be quiet, so one part's aftermath is not timed in the next (default 60; "
                        "0: neither)")
    p.add_argument("--keep-db", action="store_true", help="keep the bench databases (qudao_bench_*)")
    p.add_argument("--keep-work", action="store_true", help="keep the scratch directory (logs, requests)")
    p.add_argument("--out", default=None, help="JSON file (default bench/results/scale-<run id>.json)")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.e2e_dealers < 0:
        p.error("--e2e-dealers must be 0 (the issue's three dealers) or more")
    unknown = [x for x in args.parts.split(",") if x and x not in PARTS]
    if unknown:
        p.error(f"unknown part(s): {', '.join(unknown)}; choose from {', '.join(PARTS)}")
    return args


def _quota(text: str) -> int | None:
    if text.strip().lower() == "none":
        return None
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("a quota is a positive number, or none")
    return value


def sizes_of(args: argparse.Namespace) -> dict:
    sizes = dict(FULL if args.full else QUICK)
    for key in QUICK:
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    sizes["settle_timeout"] = args.settle_timeout
    sizes["month_tap_delay"] = args.month_tap_delay
    sizes["e2e_dealers"] = args.e2e_dealers
    sizes["quota"] = args.quota
    sizes["warmup"] = args.warmup
    sizes["quiet_wait"] = args.quiet_wait
    return sizes


def choose_processing(args: argparse.Namespace, worker_cmd: str, log) -> str:
    if args.processing:
        return args.processing
    if os.environ.get("QUDAO_PROCESSING"):
        return os.environ["QUDAO_PROCESSING"]
    if procs.worker_command_available(worker_cmd):
        return "workers"
    log(f"note: `{worker_cmd}` does not run here: processing=thread (the web's background runner)")
    return "thread"


def table(report: dict) -> str:
    lines = ["| | requests/s | p50 | p99 | notes |", "|---|---:|---:|---:|---|"]
    for name in report["parts"]:
        part = report["parts"][name]
        for row in part.get("rows", []):
            lines.append("| " + " | ".join(str(x) for x in row) + " |")
        if "error" in part:
            lines.append(f"| {name}: FAILED | – | – | – | {part['error'].splitlines()[-1][:200]} |")
    m = report["machine"]
    lines.append("")
    lines.append(f"Machine: {m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB; PostgreSQL {m['postgresql']}, "
                 f"Redis {m['redis']}, Python {m['python']}; {m['date']}, commit {m['commit']}; "
                 f"load average at start {m['load_avg_1m_at_start']}.")
    failed = [f"{name}.{check}" for name, part in report["parts"].items()
              for check, v in part.get("checks", {}).items() if not v.get("ok")]
    lines.append("Checks: " + ("all passed." if not failed else "FAILED: " + ", ".join(failed)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    worker_cmd = args.worker_cmd or procs.default_worker_cmd()
    processing = choose_processing(args, worker_cmd, log)
    work = scratch_dir()
    rid = run_id()
    run = Run(run_id=rid, work=work, processing=processing, worker_cmd=worker_cmd, workers=args.workers,
              web_workers=args.web_workers, web_threads=args.web_threads, connections=args.connections,
              keep_db=args.keep_db, sizes=sizes_of(args), log=log)
    report = {"run_id": rid, "machine": machine_facts(), "processing": processing,
              "worker_cmd": worker_cmd if processing == "workers" else None,
              "workers": args.workers if processing == "workers" else 0, "sizes": run.sizes,
              "web": f"gunicorn -w {args.web_workers} --threads {args.web_threads}"
                     + (" -c deploy/gunicorn.conf.py" if procs.DEPLOY_CONFIG.exists() else ""), "parts": {}}
    log(f"bench run {rid}: processing={processing}, scratch {work}")
    failed = False
    try:
        for name in [x for x in args.parts.split(",") if x]:
            t0 = time.time()
            try:
                report["parts"][name] = PARTS[name](run)
            except Exception:  # one part's failure is reported, the others still run
                report["parts"][name] = {"error": traceback.format_exc()}
                log(traceback.format_exc())
                failed = True
            report["parts"][name]["part_seconds"] = round(time.time() - t0, 1)
            failed |= any(not v.get("ok") for v in report["parts"][name].get("checks", {}).values())
    finally:
        run.close()
    out = Path(args.out) if args.out else RESULTS / f"scale-{rid}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    report["table"] = table(report)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(report["table"])
    print(f"\nJSON: {out}")
    if args.keep_work:
        print(f"scratch (logs, requests): {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""How long a registration holds its partner's row lock under the e2e load (issue 16).

Every registration of a partner waits for that lock, so with the issue's three
partners the end-to-end rate is at most three divided by the hold. This runs
``bench_scale.py``'s e2e part with workers that time the hold
(``bench/scale/lock_hold.py``) and prints, per registration: the wall time the
lock is held (the statement taking it returned → COMMIT sent: since stop 25 that
statement is the command's last, the bump of the partner's claim number), the
worker thread's CPU in it, each statement's round trip in it, and apart the
locking statement's own round trip, the wait for the lock included.

    .venv/bin/python bench/lock_hold.py [--e2e-n 12000] [--e2e-dealers 0]

Needs what bench_scale.py needs (the local PostgreSQL and Redis). Writes the
figures as JSON into bench/results/. Exit 1 if the e2e's checks failed or no
registration was timed.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_scale  # noqa: E402
from bench.scale.env import PYTHON, run_id  # noqa: E402


def merged(folder: Path) -> dict:
    """The workers' totals added up."""
    out = {"registrations": 0, "wall_s": 0.0, "cpu_s": 0.0, "statements_s": 0.0, "locking_s": 0.0, "rolled_back": 0,
           "statements": {}}
    for path in folder.glob("*.json"):
        part = json.loads(path.read_text())
        for key in ("registrations", "wall_s", "cpu_s", "statements_s", "locking_s", "rolled_back"):
            out[key] += part[key]
        for sql, figures in part["statements"].items():
            total = out["statements"].setdefault(sql, {"count": 0, "s": 0.0})
            total["count"] += figures["count"]
            total["s"] += figures["s"]
    return out


def table(hold: dict) -> str:
    n = hold["registrations"]
    ms = lambda seconds: f"{seconds / n * 1000:.1f} ms"   # noqa: E731
    rows = ["| while the partner's lock is held | per registration |", "|---|---:|",
            f"| wall time, lock taken → COMMIT sent | {ms(hold['wall_s'])} |",
            f"| of it the worker thread's CPU | {ms(hold['cpu_s'])} |",
            f"| of it in statements' round trips | {ms(hold['statements_s'])} |",
            f"| (before it: the locking statement, the wait for the lock included) | {ms(hold['locking_s'])} |"]
    rows.append(f"| runs rolled back at the lock and run again (RunAgain, a deadlock) | {hold['rolled_back']} "
                f"({hold['rolled_back'] / n:.1%}) |")
    for sql, figures in sorted(hold["statements"].items(), key=lambda kv: -kv[1]["s"]):
        rows.append(f"| `{sql}…` ({figures['count'] / n:.1f} per registration) | {ms(figures['s'])} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--e2e-n", type=int, default=12000, help="registrations fed (default 12000)")
    p.add_argument("--e2e-dealers", type=int, default=0, help="as bench_scale.py (default 0: the three 北京 dealers)")
    args = p.parse_args(argv)
    rid = run_id()
    with tempfile.TemporaryDirectory(prefix="qudao-lock-hold-") as folder:
        os.environ["BENCH_LOCK_HOLD_DIR"] = folder     # the workers inherit it
        e2e_json = bench_scale.RESULTS / f"lock-hold-e2e-{rid}.json"
        status = bench_scale.main(["--parts", "e2e", "--e2e-n", str(args.e2e_n), "--e2e-dealers",
                                   str(args.e2e_dealers), "--out", str(e2e_json),
                                   "--worker-cmd", f"{shlex.quote(PYTHON)} -m bench.scale.lock_hold"])
        hold = merged(Path(folder))
    if not hold["registrations"]:
        print("no registration was timed", file=sys.stderr)
        return 1
    print(table(hold))
    out = bench_scale.RESULTS / f"lock-hold-{rid}.json"
    out.write_text(json.dumps({"run": rid, "e2e": str(e2e_json), "hold": hold}, indent=1))
    print(f"JSON: {out}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())

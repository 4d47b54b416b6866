"""What every part of ``bench/bench_scale.py`` stands on: the run (``Run``), one
part's Qudao (``Stack``: a fresh database, Redis, the counting fake platform,
gunicorn, workers), the load generator's plumbing, reading the bench database,
and waiting for the inbox to settle."""
from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.scale import procs
from bench.scale.env import (
    PYTHON,
    ROOT,
    drop_database,
    flush_redis,
    free_port,
    fresh_database,
    libpq_url,
    percentile,
    settle,
    sqlalchemy_url,
)
from bench.scale.fake import CountingFake
from bench.scale.load import write_requests
from bench.scale.wire import CallbackSigner, registrations

HOST = "127.0.0.1"


@dataclass
class Run:
    run_id: str
    work: Path                  # logs, requests files (a temporary directory)
    processing: str             # the web's QUDAO_PROCESSING: workers | thread | inline
    worker_cmd: str
    workers: int                # worker processes (processing == "workers")
    web_workers: int = 2
    web_threads: int = 4
    connections: int = 16
    keep_db: bool = False
    sizes: dict = field(default_factory=dict)
    log: callable = print

    template: str | None = None

    @property
    def uses_workers(self) -> bool:
        return self.processing == "workers" and self.workers > 0

    def template_db(self) -> str:
        """The run's template database: migrated and seeded with the demo
        organisation once; every part gets a fresh copy of it (milliseconds)."""
        if self.template is None:
            from sqlalchemy.orm import Session

            from bot.seed import seed_demo
            from domain.clock import Clock
            from models.db import make_engine, upgrade_schema
            name = fresh_database(self.run_id, "tpl")
            # What `python -m bot migrate` and `seed-demo` do, without starting two more
            # interpreters (the schema through Alembic, the demo organisation).
            engine = make_engine(sqlalchemy_url(name))
            try:
                upgrade_schema(engine)
                with Session(engine) as s, s.begin():
                    seed_demo(s, Clock("Asia/Shanghai"))
            finally:
                engine.dispose()
            self.template = name
        return self.template

    def close(self) -> None:
        if self.template is not None and not self.keep_db:
            drop_database(self.template)


# ---------------------------------------------------------------- plumbing

def run_load(run: Run, name: str, requests: list[bytes], port: int, mode: str, **opts) -> subprocess.Popen:
    """Start the load generator (a process of its own) on prepared requests."""
    req_file = run.work / f"{name}.requests"
    write_requests(str(req_file), requests)
    spec = {"host": HOST, "port": port, "requests": str(req_file), "mode": mode,
            "out": str(run.work / f"{name}.result.json"), **opts}
    spec_file = run.work / f"{name}.spec.json"
    spec_file.write_text(json.dumps(spec), encoding="utf-8")
    return subprocess.Popen([PYTHON, "-m", "bench.scale.load", str(spec_file)], cwd=ROOT,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def load_result(run: Run, name: str, proc: subprocess.Popen, timeout: float | None = None) -> dict:
    if proc.wait(timeout) != 0:
        raise RuntimeError(f"load generator {name} failed ({proc.returncode})")
    return json.loads((run.work / f"{name}.result.json").read_text(encoding="utf-8"))


def summarise(res: dict) -> dict:
    lat = res["latencies_ms"]
    ok = res["statuses"].get("200", 0)
    return {"sent": res["sent"], "ok": ok, "non_200": {k: v for k, v in res["statuses"].items() if k != "200"},
            "errors": res["errors"], "elapsed_s": round(res["elapsed_s"], 3),
            "requests_per_s": round(ok / res["elapsed_s"], 1) if res["elapsed_s"] else None,
            "p50_ms": percentile(lat, 50), "p99_ms": percentile(lat, 99), "max_ms": max(lat) if lat else None}


class Db:
    """Reads the bench database directly (psycopg), never through the app."""

    def __init__(self, name: str):
        import psycopg
        self.conn = psycopg.connect(libpq_url(name), autocommit=True)

    def rows(self, sql: str, params=None) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def one(self, sql: str, params=None):
        return self.conn.execute(sql, params).fetchone()[0]

    def inbox_counts(self) -> dict[str, int]:
        # ("gap" rows, where a branch has them, are tombstones of ids never used: no message.)
        return dict(self.rows("SELECT status, count(*) FROM inbox WHERE status <> 'gap' GROUP BY status"))

    def close(self) -> None:
        self.conn.close()


class Stack:
    """One part's Qudao: a fresh database (migrated, demo organisation, optional
    bench dealers), Redis db flushed, the counting fake API, gunicorn, workers."""

    def __init__(self, run: Run, part: str, bench_dealers: int = 0, start_workers: bool = True):
        self.run, self.part = run, part
        self.db_name = fresh_database(run.run_id, part, template=run.template_db())
        flush_redis()
        if run.sizes.get("quiet_wait", 0) > 0:      # the part before (its checkpoint, teardown) is not timed here
            settle(run.log, timeout=run.sizes["quiet_wait"])
        self.fake = CountingFake()
        self.web = None
        self.workers: list[procs.Proc] = []
        self.db: Db | None = None
        try:
            self.env = procs.qudao_env(sqlalchemy_url(self.db_name), self.fake.base_url, run.processing,
                                       procs.bench_rules_file(run.work, run.sizes.get("quota")))
            log = run.work / f"{part}-setup.log"
            if bench_dealers:
                seed_bench_dealers(run, self.db_name, bench_dealers, log)
            self.port = free_port()
            self.web = procs.gunicorn("wsgi:app", self.port, self.env, run.work / f"{part}-web.log",
                                      run.web_workers, run.web_threads, f"{part} web", config=procs.DEPLOY_CONFIG)
            if start_workers and run.uses_workers:
                self.workers = procs.workers(run.worker_cmd, run.workers, self.env, run.work)
            self.db = Db(self.db_name)
        except BaseException:
            self.close()
            raise

    def alive_check(self) -> None:
        for p in [self.web, *self.workers]:
            if p is not None and not p.alive():
                raise RuntimeError(f"{p.name} exited ({p.p.returncode}); see {p.log}")

    def close(self) -> None:
        for p in self.workers:
            p.stop()
        if self.web is not None:
            self.web.stop()
        if self.db is not None:
            self.db.close()
        self.fake.close()
        if not self.run.keep_db:
            drop_database(self.db_name)


def seed_bench_dealers(run: Run, db_name: str, n: int, log: Path) -> None:
    """P-BENCH-### partners (北京, 超声/监护, gold, a credit line no bench order
    reaches) and one dealer each: the demo organisation's file with them added,
    loaded by the demo loader (idempotent on what the template already has)."""
    import yaml
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from bot.seed import DEMO_FILE, seed_demo
    from domain.clock import Clock
    org = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    for i in range(1, n + 1):
        name = f"压测经销商{i:03d}号医疗器械有限公司"
        org["partners"].append({"name": name, "code": f"P-BENCH-{i:03d}", "regions": ["北京市"],
                                "product_lines": ["超声", "监护"], "tier": "gold",
                                "address": "北京市朝阳区建国路88号", "credit_limit": 1_000_000_000})
        org["users"].append({"userid": bench_dealer(i), "name": f"压测{i:03d}", "role": "dealer",
                             "partner": name})
    path = run.work / "org-bench.yaml"
    path.write_text(yaml.safe_dump(org, allow_unicode=True), encoding="utf-8")
    engine = create_engine(sqlalchemy_url(db_name))
    try:
        with Session(engine) as s, s.begin():
            counts = seed_demo(s, Clock("Asia/Shanghai"), path)
    finally:
        engine.dispose()
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"bench organisation loaded: {counts}\n")


def bench_dealer(i: int) -> str:
    return f"bench_dealer_{i:03d}"


def replies_check(db: Db) -> dict:
    """Every processed message has its reply (outbox rows keyed ``in:<inbox id>:n``)."""
    # The inbox id is cut out of the key so the join is an equality (a hash join):
    # a LIKE per pair made the check quadratic, minutes at 40,000 messages.
    per = db.rows("SELECT i.id, count(o.inbox_id) FROM inbox i LEFT JOIN "
                  "(SELECT split_part(idem_key, ':', 2) AS inbox_id FROM outbox WHERE idem_key LIKE 'in:%') o "
                  "ON o.inbox_id = i.id::text WHERE i.status <> 'gap' GROUP BY i.id")
    dist: dict[int, int] = {}
    for _id, n in per:
        dist[n] = dist.get(n, 0) + 1
    return {"messages": len(per), "without_reply": dist.get(0, 0),
            "replies_per_message": {str(k): v for k, v in sorted(dist.items())}}


def outbox_counts(db: Db) -> dict[str, int]:
    return dict(db.rows("SELECT status, count(*) FROM outbox GROUP BY status"))


def warm_up(run: Run, name: str, port: int, start: int) -> int:
    """Requests (not measured) that get every web process past its first calls
    (imports, connection pools); how many were answered 200."""
    n = run.sizes.get("warmup", 0)
    if not n:
        return 0
    reqs = registrations(CallbackSigner(), HOST, port, n, start=start)
    return load_result(run, name, run_load(run, name, reqs, port, "closed",
                                           connections=run.connections))["statuses"].get("200", 0)


# ---------------------------------------------------------------- waiting

def wait_processed(run: Run, stack: Stack, expected: int, samples: list, timeout: float,
                   feeding: subprocess.Popen | None = None, every: float = 0.25) -> None:
    """Poll the inbox every ``every`` s until ``expected`` rows are settled (done or
    dead), no progress for ``timeout`` s, or the feeder died. Samples: (t, done, new, dead)."""
    last_progress, last_done = time.time(), -1
    while True:
        c = stack.db.inbox_counts()
        now = time.time()
        done, new, dead = c.get("done", 0), c.get("new", 0), c.get("dead", 0)
        samples.append((now, done, new, dead))
        if done != last_done:
            last_done, last_progress = done, now
        fed = feeding is None or feeding.poll() is not None
        if fed and done + dead >= expected:
            return
        if now - last_progress > timeout:
            run.log(f"  no progress for {timeout:.0f} s: {c}")
            return
        stack.alive_check()
        time.sleep(every)


def rate_between(samples: list, total: int, lo: float, hi: float) -> float | None:
    """Processed per second between the moments lo and hi (fractions) of ``total`` were done."""
    t_lo = next((t for t, d, _, _ in samples if d >= lo * total), None)
    t_hi = next((t for t, d, _, _ in samples if d >= hi * total), None)
    if t_lo is None or t_hi is None or t_hi <= t_lo:
        return None
    return round((hi - lo) * total / (t_hi - t_lo), 1)


def worst_minute(samples: list, total: int, lo: float = 0.1, hi: float = 0.9, window: float = 60.0) -> float | None:
    """The slowest processing rate over any ``window`` s between the moments lo and hi
    of ``total`` were done (what "sustained" has to mean); None for a shorter run."""
    inner = [(t, d) for t, d, _, _ in samples if lo * total <= d <= hi * total]
    worst = None
    j = 0
    for i, (t, d) in enumerate(inner):
        j = max(j, i)
        while j < len(inner) and inner[j][0] < t + window:
            j += 1
        if j == len(inner):
            break
        rate = (inner[j][1] - d) / (inner[j][0] - t)
        worst = rate if worst is None else min(worst, rate)
    return round(worst, 1) if worst is not None else None

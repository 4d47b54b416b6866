"""The five parts of ``bench/bench_scale.py``. Each takes the run's ``Run``
(options, directories) and returns a dict: its figures, its checks (each
``{"ok": bool, ...}``) and the rows it adds to the markdown table."""
from __future__ import annotations

import asyncio
import json
import random
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.scale import procs
from bench.scale.env import (
    PYTHON,
    ROOT,
    drop_database,
    flush_redis,
    fmt_ms,
    fmt_n,
    free_port,
    fresh_database,
    libpq_url,
    percentile,
    settle,
    sqlalchemy_url,
)
from bench.scale.fake import CountingFake
from bench.scale.load import Conn, write_requests
from bench.scale.wire import BEIJING_DEALERS, CallbackSigner, contention, http_post, registrations

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
                                       procs.bench_rules_file(run.work))
            log = run.work / f"{part}-setup.log"
            if bench_dealers:
                self._seed_bench_dealers(bench_dealers, log)
            self.port = free_port()
            self.web = procs.gunicorn("wsgi:app", self.port, self.env, run.work / f"{part}-web.log",
                                      run.web_workers, run.web_threads, f"{part} web", config=procs.DEPLOY_CONFIG)
            if start_workers and run.uses_workers:
                self.workers = procs.workers(run.worker_cmd, run.workers, self.env, run.work)
            self.db = Db(self.db_name)
        except BaseException:
            self.close()
            raise

    def _seed_bench_dealers(self, n: int, log: Path) -> None:
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
        path = self.run.work / "org-bench.yaml"
        path.write_text(yaml.safe_dump(org, allow_unicode=True), encoding="utf-8")
        engine = create_engine(sqlalchemy_url(self.db_name))
        try:
            with Session(engine) as s, s.begin():
                counts = seed_demo(s, Clock("Asia/Shanghai"), path)
        finally:
            engine.dispose()
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"bench organisation loaded: {counts}\n")

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


def bench_dealer(i: int) -> str:
    return f"bench_dealer_{i:03d}"


def replies_check(db: Db) -> dict:
    """Every processed message has its reply (outbox rows keyed ``in:<inbox id>:n``)."""
    per = db.rows("SELECT i.id, count(o.id) FROM inbox i LEFT JOIN outbox o "
                  "ON o.idem_key LIKE 'in:' || i.id || ':%' WHERE i.status <> 'gap' GROUP BY i.id")
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


# ---------------------------------------------------------------- ack

def part_ack(run: Run) -> dict:
    n = run.sizes["ack_n"]
    signer = CallbackSigner()
    out: dict = {"n": n, "connections": run.connections, "web": f"gunicorn -w {run.web_workers} "
                 f"--threads {run.web_threads}", "processing": run.processing}
    # The floor.
    port = free_port()
    floor = procs.gunicorn("bench.scale.floor_app:app", port, {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
                           run.work / "floor.log", run.web_workers, run.web_threads, "floor")
    try:
        warm_up(run, "ack-floor-warmup", port, start=n)
        reqs = registrations(signer, HOST, port, n)
        run.log(f"ack: floor, {n} requests, {run.connections} connections")
        out["floor"] = summarise(load_result(run, "ack-floor", run_load(run, "ack-floor", reqs, port, "closed",
                                                                      connections=run.connections)))
    finally:
        floor.stop()
    # Qudao's /wecom/callback (no worker processes: only the ack is measured).
    stack = Stack(run, "ack", start_workers=False)
    try:
        warmed = warm_up(run, "ack-qudao-warmup", stack.port, start=n)
        reqs = registrations(signer, HOST, stack.port, n)
        run.log(f"ack: qudao ({run.processing}), {n} requests")
        q = summarise(load_result(run, "ack-qudao", run_load(run, "ack-qudao", reqs, stack.port, "closed",
                                                          connections=run.connections)))
        stored = sum(stack.db.inbox_counts().values()) - warmed
        out["qudao"] = q
        out["checks"] = {"durable": {"ok": stored == q["ok"], "acked": q["ok"], "inbox_rows": stored},
                         "no_errors": {"ok": not q["errors"] and not q["non_200"] and not out["floor"]["errors"]
                                       and not out["floor"]["non_200"]}}
    finally:
        stack.close()
    f, q = out["floor"], out["qudao"]
    share = (q["requests_per_s"] / f["requests_per_s"] * 100) if f["requests_per_s"] else None
    out["share_of_floor_pct"] = round(share, 1) if share is not None else None
    out["rows"] = [
        ["ack floor: wechatpy verify + decrypt + parse, empty 200", fmt_n(f["requests_per_s"]),
         fmt_ms(f["p50_ms"]), fmt_ms(f["p99_ms"]), f"{f['ok']:,} of {n:,} (closed loop, {run.connections} conn.)"],
        [f"Qudao `/wecom/callback` ack ({run.processing})",
         f"{fmt_n(q['requests_per_s'])} ({fmt_n(share)}%)", fmt_ms(q["p50_ms"]), fmt_ms(q["p99_ms"]),
         f"{q['ok']:,} of {n:,}; inbox rows {out['checks']['durable']['inbox_rows']:,}"],
    ]
    return out


# ---------------------------------------------------------------- open loop

def part_openloop(run: Run) -> dict:
    rate, duration = run.sizes["open_rate"], run.sizes["open_seconds"]
    n = int(rate * duration)
    stack = Stack(run, "openloop", start_workers=False)
    try:
        warm_up(run, "openloop-warmup", stack.port, start=n)
        reqs = registrations(CallbackSigner(), HOST, stack.port, n)
        run.log(f"openloop: {rate}/s for {duration} s")
        res = load_result(run, "openloop", run_load(run, "openloop", reqs, stack.port, "open", rate=rate,
                                                    max_connections=run.sizes.get("open_max_conn", 256)))
        s = summarise(res)
        # Answered requests over the whole time, from the first due time to the last answer.
        s["achieved_per_s"] = s["requests_per_s"]
        s["scheduled_s"] = round(res["scheduled_s"], 3)
        s["late_starts"] = res["late_starts"]
        s["connections_opened"] = res["connections_opened"]
        errors = sum(s["errors"].values()) + sum(s["non_200"].values())
        out = {"rate": rate, "seconds": duration, "processing": run.processing, **s,
               "checks": {"no_errors": {"ok": errors == 0, "errors": errors}}}
    finally:
        stack.close()
    out["rows"] = [[f"Qudao ack, open loop {rate:,}/s for {duration} s", f"{fmt_n(out['achieved_per_s'])} achieved",
                    fmt_ms(out["p50_ms"]), fmt_ms(out["p99_ms"]), f"errors {errors:,}; max {fmt_ms(out['max_ms'])}"]]
    return out


# ---------------------------------------------------------------- end to end

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


def part_e2e(run: Run) -> dict:
    n = run.sizes["e2e_n"]
    stack = Stack(run, "e2e")
    try:
        reqs = registrations(CallbackSigner(), HOST, stack.port, n)
        run.log(f"e2e: {n} registrations, processing={run.processing}, workers={len(stack.workers)}")
        samples: list = []
        t0 = time.time()
        feeder = run_load(run, "e2e", reqs, stack.port, "closed", connections=run.connections)
        wait_processed(run, stack, n, samples, run.sizes.get("settle_timeout", 60), feeder)
        raw = load_result(run, "e2e", feeder)
        acked = summarise(raw)
        t0 = raw["start"]       # the first request (not the load generator's start-up)
        t_end = next((t for t, d, _, _ in samples if d >= n), samples[-1][0])
        c = stack.db.inbox_counts()
        done = c.get("done", 0)
        regs = dict(stack.db.rows("SELECT status, count(*) FROM registrations GROUP BY status"))
        rep = replies_check(stack.db)
        # Replies wait for WeCom's 30 a minute per member (three dealers): give the
        # first minute's worth time to arrive, then what reached the fake and that
        # nothing was sent beyond the limit (the rest stays in the outbox, paced).
        first_minute = min(n, 30 * len(BEIJING_DEALERS))
        deadline = time.time() + run.sizes.get("settle_timeout", 60) / 2
        while stack.fake.state.pacing()["delivered"] < first_minute and time.time() < deadline:
            time.sleep(0.2)
        pacing = stack.fake.state.pacing()
        out = {"n": n, "processing": run.processing, "workers": len(stack.workers), "acked": acked,
               "inbox": c, "registrations": regs, "replies": rep, "outbox": outbox_counts(stack.db),
               "platform": pacing, "elapsed_s": round(t_end - t0, 2),
               # New customers below the tier threshold are approved at once (the accepted
               # path the issue's figures are about); a name the matcher finds like an
               # earlier one is asked about instead: how many took the accepted path.
               "accepted_path_share": round(regs.get("approved", 0) / n * 100, 2) if n else None,
               "processed_per_s": round(done / (t_end - t0), 1) if t_end > t0 else None,
               "sustained_per_s_10_90": rate_between(samples, n, 0.1, 0.9),
               "worst_minute_per_s_10_90": worst_minute(samples, n),
               "samples": [(round(t - t0, 2), d, nw, dd) for t, d, nw, dd in samples[::4]]}
        out["checks"] = {
            "all_acked": {"ok": acked["ok"] == n, "acked": acked["ok"]},
            "nothing_lost": {"ok": done == n and c.get("new", 0) == 0 and c.get("dead", 0) == 0, **c},
            "one_reply_each": {"ok": rep["without_reply"] == 0 and set(rep["replies_per_message"]) == {"1"},
                               **rep},
            "platform_limit": {"ok": pacing["dropped"] == 0 and pacing["max_sends_in_60s"] <= pacing[
                "limit_per_minute"], "dropped": pacing["dropped"], "max_sends_in_60s": pacing["max_sends_in_60s"]},
            "replies_reach_platform": {"ok": pacing["delivered"] >= first_minute,
                                       "delivered": pacing["delivered"], "expected_at_least": first_minute},
        }
    finally:
        stack.close()
    out["rows"] = [[f"end to end: {n:,} registrations ({run.processing}, {out['workers']} workers)",
                    f"{fmt_n(out['processed_per_s'], 1)} processed/s",
                    "–", "–", f"10–90%: {fmt_n(out['sustained_per_s_10_90'], 1)}/s, worst minute "
                    f"{fmt_n(out['worst_minute_per_s_10_90'], 1)}/s; "
                    f"done {done:,}/{n:,}; no reply {rep['without_reply']:,}; "
                    f"approved at once {out['accepted_path_share']}%"]]
    return out


# ---------------------------------------------------------------- contention

def part_contention(run: Run) -> dict:
    n = run.sizes["contention_n"]
    customer = run.sizes.get("contention_customer", "北京协和医院")
    stack = Stack(run, "contention")
    try:
        claims = contention(CallbackSigner(), HOST, stack.port, n, customer)
        senders = [u for u, _ in claims]
        run.log(f"contention: {n} simultaneous claims on {customer}")
        t0 = time.time()
        feeder = run_load(run, "contention", [r for _, r in claims], stack.port, "closed", connections=n)
        samples: list = []
        # Polled often: the figure is a couple of seconds, and a sample's interval is its error.
        wait_processed(run, stack, n, samples, run.sizes.get("settle_timeout", 60), feeder, every=0.02)
        raw = load_result(run, "contention", feeder)
        acked = summarise(raw)
        t0 = raw["start"]       # the claims went out (not the load generator's start-up)
        t_processed = next((t for t, d, _, _ in samples if d >= n), None)
        # Everyone told: every claim's reply sent, and each dealer got at least one
        # message per claim of theirs at the platform.
        deadline = time.time() + run.sizes.get("settle_timeout", 60)
        per_dealer = {u: senders.count(u) for u in set(senders)}
        t_told = None
        while time.time() < deadline:
            unsent = stack.db.one("SELECT count(*) FROM outbox WHERE idem_key LIKE 'in:%' AND status <> 'sent'")
            if unsent == 0 and all(stack.fake.state.delivered_to(u) >= k for u, k in per_dealer.items()):
                t_told = time.time()
                break
            time.sleep(0.02)
        holders = stack.db.rows(
            "SELECT r.number, u.external_id, r.received_at, r.status FROM registrations r "
            "JOIN users u ON u.id = r.submitter_id JOIN customers c ON c.id = r.customer_id "
            "WHERE c.name = %s AND r.status IN ('pending', 'approved')", (customer,))
        earliest = stack.db.rows("SELECT sender, received_at FROM inbox WHERE status <> 'gap' "
                                 "ORDER BY received_at, id LIMIT 1")
        regs = dict(stack.db.rows("SELECT status, count(*) FROM registrations GROUP BY status"))
        rep = replies_check(stack.db)
        c = stack.db.inbox_counts()
        out = {"n": n, "customer": customer, "processing": run.processing, "workers": len(stack.workers),
               "acked": acked, "inbox": c, "registrations": regs, "replies": rep,
               "processed_s": round(t_processed - t0, 3) if t_processed else None,
               "all_told_s": round(t_told - t0, 3) if t_told else None,
               "holders": [[h[0], h[1], h[2].isoformat(), h[3]] for h in holders],
               "earliest": [earliest[0][0], earliest[0][1].isoformat()] if earliest else None}
        one = len(holders) == 1
        earliest_wins = one and bool(earliest) and holders[0][2] == earliest[0][1]
        out["checks"] = {
            "all_acked": {"ok": acked["ok"] == n, "acked": acked["ok"]},
            "exactly_one_holder": {"ok": one, "holders": len(holders)},
            "holder_is_earliest_received": {"ok": earliest_wins},
            "everyone_told": {"ok": t_told is not None and rep["without_reply"] == 0},
        }
    finally:
        stack.close()
    out["rows"] = [[f"contention: {n} simultaneous claims on one customer", "–", "–", "–",
                    f"processed in {fmt_n(out['processed_s'], 2)} s, all told in {fmt_n(out['all_told_s'], 2)} s; "
                    f"holders {len(out['holders'])}; earliest wins: {'yes' if earliest_wins else 'NO'}"]]
    return out


# ---------------------------------------------------------------- month end

class Mailbox:
    """What the fake platform delivered, per member, awaitable from asyncio."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.entries: dict[str, list[dict]] = {}
        self.events: dict[str, asyncio.Event] = {}

    def hook(self, entry: dict) -> None:   # called in the fake server's threads
        self.loop.call_soon_threadsafe(self._add, entry)

    def _add(self, entry: dict) -> None:
        self.entries.setdefault(entry["userid"], []).append(entry)
        ev = self.events.get(entry["userid"])
        if ev is not None:
            ev.set()

    def mark(self, user: str) -> int:
        return len(self.entries.get(user, ()))

    async def wait(self, user: str, after: int, pred, timeout: float) -> dict | None:
        ev = self.events.setdefault(user, asyncio.Event())
        deadline = time.monotonic() + timeout
        while True:
            for e in self.entries.get(user, ())[after:]:
                if pred(e):
                    return e
            ev.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                await asyncio.wait_for(ev.wait(), left)
            except TimeoutError:
                return None


async def _month_end_drive(run: Run, stack: Stack, dealers: list[str], n: int, seconds: float) -> dict:
    loop = asyncio.get_running_loop()
    box = Mailbox(loop)
    stack.fake.state.listener = box.hook
    signer = CallbackSigner()
    pool: asyncio.Queue[Conn] = asyncio.Queue()
    for _ in range(min(64, len(dealers))):
        pool.put_nowait(Conn(HOST, stack.port))
    statuses: dict[int, int] = {}
    reply_timeout = run.sizes.get("reply_timeout", 120)
    tap_delay = run.sizes.get("month_tap_delay", 1.0)

    async def post(inner: str) -> None:
        path, body = signer.sealed(inner)
        conn = await pool.get()
        try:
            status = await conn.request(http_post(HOST, stack.port, path, body), 30)
        except Exception:  # an error is counted as status 0
            status = 0
        finally:
            pool.put_nowait(conn)
        statuses[status] = statuses.get(status, 0) + 1

    results: list[dict] = []
    start = time.time() + 1.0
    rng = random.Random(20)

    async def dealer(user: str, turns: list[float]) -> None:
        for due in turns:
            await asyncio.sleep(max(0.0, due - time.time()))
            rec = {"user": user, "due": due}
            results.append(rec)
            mark = box.mark(user)
            await post(signer.text_xml(user, f"订货 A100*{rng.randint(1, 3)}"))
            first = await box.wait(user, mark, lambda e: True, reply_timeout)
            card = await box.wait(user, mark, lambda e: e["msgtype"] == "template_card", reply_timeout)
            rec["first_reply_s"] = first["time"] - due if first else None
            if card is None:
                rec["lost"] = "no order card"
                continue
            rec["card_s"] = card["time"] - due
            payload = card["payload"]
            task_id = payload.get("task_id")
            key = next((b["key"] for b in payload.get("button_list", []) if b.get("text") == "确认下单"), None)
            if not task_id or not key:
                rec["lost"] = "card without a confirm button"
                continue
            # A person reads the card before tapping (--month-tap-delay; 0 taps at once).
            await asyncio.sleep(tap_delay)
            code = stack.fake.state.issue_response_code(task_id, [user], "click")
            mark = box.mark(user)
            tap = time.time()
            await post(signer.click_xml(user, task_id, key, code))
            told = await box.wait(user, mark, lambda e: e["msgtype"] != "template_card", reply_timeout)
            rec["confirm_reply_s"] = told["time"] - tap if told else None
            rec["turn_done_s"] = told["time"] - due if told else None
            if told is None:
                rec["lost"] = "no answer to the confirmation tap"

    per_dealer: dict[str, list[float]] = {u: [] for u in dealers}
    for k in range(n):
        per_dealer[dealers[k % len(dealers)]].append(start + k * seconds / n)
    await asyncio.gather(*(dealer(u, turns) for u, turns in per_dealer.items()))
    while not pool.empty():
        pool.get_nowait().close()
    stack.fake.state.listener = None
    return {"results": results, "statuses": statuses, "start": start}


def part_month_end(run: Run) -> dict:
    n, n_dealers, seconds = run.sizes["month_orders"], run.sizes["month_dealers"], run.sizes["month_seconds"]
    stack = Stack(run, "month_end", bench_dealers=n_dealers)
    try:
        dealers = [bench_dealer(i) for i in range(1, n_dealers + 1)]
        run.log(f"month_end: {n} orders from {n_dealers} dealers in {seconds} s")
        t0 = time.time()
        drive = asyncio.run(_month_end_drive(run, stack, dealers, n, seconds))
        samples: list = []
        inbox_total = sum(stack.db.inbox_counts().values())
        wait_processed(run, stack, inbox_total, samples, 30)
        res = drive["results"]
        first = [r["first_reply_s"] * 1000 for r in res if r.get("first_reply_s") is not None]
        turn = [r["turn_done_s"] * 1000 for r in res if r.get("turn_done_s") is not None]
        confirm = [r["confirm_reply_s"] * 1000 for r in res if r.get("confirm_reply_s") is not None]
        lost = [r for r in res if r.get("lost")]
        orders = dict(stack.db.rows("SELECT status, count(*) FROM orders GROUP BY status"))
        pacing = stack.fake.state.pacing()
        c = stack.db.inbox_counts()
        # A dealer hears back within a minute of its turn (the order's first reply)
        # and of its tap (the confirmation's answer).
        slow = sum(1 for r in res if r.get("first_reply_s") is None or r["first_reply_s"] > 60
                   or r.get("confirm_reply_s") is None or r["confirm_reply_s"] > 60)
        out = {"orders": n, "dealers": n_dealers, "seconds": seconds, "processing": run.processing,
               "tap_delay_s": run.sizes.get("month_tap_delay", 1.0),
               "outbox": outbox_counts(stack.db),
               "workers": len(stack.workers), "elapsed_s": round(time.time() - t0, 1),
               "callback_statuses": {str(k): v for k, v in drive["statuses"].items()},
               "inbox": c, "orders_by_status": orders, "platform": pacing,
               "first_reply_ms": {"p50": percentile(first, 50), "p99": percentile(first, 99),
                                  "max": max(first) if first else None},
               "confirm_reply_ms": {"p50": percentile(confirm, 50), "p99": percentile(confirm, 99),
                                    "max": max(confirm) if confirm else None},
               "turn_done_ms": {"p50": percentile(turn, 50), "p99": percentile(turn, 99),
                                "max": max(turn) if turn else None},
               "lost": [{k: r[k] for k in ("user", "lost")} for r in lost[:20]], "lost_count": len(lost)}
        out["checks"] = {
            "no_failed_sends": {"ok": out["outbox"].get("failed", 0) == 0, "failed": out["outbox"].get("failed", 0)},
            "nothing_lost": {"ok": not lost and orders.get("confirmed", 0) == n and c.get("new", 0) == 0
                             and c.get("dead", 0) == 0, "confirmed": orders.get("confirmed", 0),
                             "lost": len(lost)},
            "callbacks_ok": {"ok": set(drive["statuses"]) == {200}},
            "platform_limit": {"ok": pacing["dropped"] == 0 and pacing["max_sends_in_60s"] <= pacing[
                "limit_per_minute"], "dropped": pacing["dropped"], "max_sends_in_60s": pacing["max_sends_in_60s"]},
            "reply_within_a_minute": {"ok": slow == 0, "over_60s_or_missing": slow},
        }
    finally:
        stack.close()
    fr = out["first_reply_ms"]
    out["rows"] = [[f"month end: {n:,} orders from {n_dealers} dealers in {seconds} s ({run.processing})", "–",
                    fmt_ms(fr["p50"]), fmt_ms(fr["p99"]),
                    f"reply max {fmt_ms(fr['max'])}, confirmation answer p99 "
                    f"{fmt_ms(out['confirm_reply_ms']['p99'])}; confirmed {orders.get('confirmed', 0):,}/{n:,}; "
                    f"max {pacing['max_sends_in_60s']}/min to one member (limit {pacing['limit_per_minute']}), "
                    f"dropped {pacing['dropped']}"]]
    return out


PARTS = {"ack": part_ack, "openloop": part_openloop, "e2e": part_e2e, "contention": part_contention,
         "month_end": part_month_end}


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="qudao-bench-"))

"""The five parts of ``bench/bench_scale.py``. Each takes the run's ``Run``
(options, directories) and returns a dict: its figures, its checks (each
``{"ok": bool, ...}``) and the rows it adds to the markdown table. What they
stand on is in ``stack.py``; the month-end part is in ``month_end.py``."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.scale import procs
from bench.scale.env import ROOT, fmt_ms, fmt_n, free_port, machine_busy_s
from bench.scale.month_end import part_month_end
from bench.scale.stack import (
    HOST,
    Run,
    Stack,
    bench_dealer,
    load_result,
    outbox_counts,
    rate_between,
    replies_check,
    run_load,
    summarise,
    wait_processed,
    warm_up,
    worst_minute,
)
from bench.scale.wire import BEIJING_DEALERS, CallbackSigner, contention, registrations

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
        busy = machine_busy_s()
        out["floor"] = summarise(load_result(run, "ack-floor", run_load(run, "ack-floor", reqs, port, "closed",
                                                                      connections=run.connections)))
        out["floor"]["machine_cpu_ms"] = _cpu_per_request(busy, out["floor"]["ok"])
    finally:
        floor.stop()
    # Qudao's /wecom/callback (no worker processes: only the ack is measured).
    stack = Stack(run, "ack", start_workers=False)
    try:
        warmed = warm_up(run, "ack-qudao-warmup", stack.port, start=n)
        reqs = registrations(signer, HOST, stack.port, n)
        run.log(f"ack: qudao ({run.processing}), {n} requests")
        busy = machine_busy_s()
        q = summarise(load_result(run, "ack-qudao", run_load(run, "ack-qudao", reqs, stack.port, "closed",
                                                          connections=run.connections)))
        q["machine_cpu_ms"] = _cpu_per_request(busy, q["ok"])
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
         fmt_ms(f["p50_ms"]), fmt_ms(f["p99_ms"]), f"{f['ok']:,} of {n:,} (closed loop, {run.connections} conn.); "
         f"machine {_fmt_cpu(f['machine_cpu_ms'])} a request"],
        [f"Qudao `/wecom/callback` ack ({run.processing})",
         f"{fmt_n(q['requests_per_s'])} ({fmt_n(share)}%)", fmt_ms(q["p50_ms"]), fmt_ms(q["p99_ms"]),
         f"{q['ok']:,} of {n:,}; inbox rows {out['checks']['durable']['inbox_rows']:,}; "
         f"machine {_fmt_cpu(q['machine_cpu_ms'])} a request"],
    ]
    return out


def _cpu_per_request(busy_before: float, answered: int) -> float | None:
    """The whole machine's CPU (the servers, PostgreSQL, the load generator) per
    answered request since ``busy_before``: what an acknowledgement costs, beside how
    fast the run went (a run whose rate dropped on an unsaturated machine shows here)."""
    busy = machine_busy_s() - busy_before
    return round(1000 * busy / answered, 3) if answered and busy > 0 else None


def _fmt_cpu(ms: float | None) -> str:
    return "–" if ms is None else f"{ms:.2f} ms"


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
        s["slow_seconds"] = slow_seconds(res["latencies_ms"], res["due_s"], SLOW_MS)
        s["inbox_vacuumed"] = stack.db.one("SELECT autovacuum_count + autoanalyze_count FROM pg_stat_user_tables "
                                           "WHERE relname = 'inbox'")
        errors = sum(s["errors"].values()) + sum(s["non_200"].values())
        out = {"rate": rate, "seconds": duration, "processing": run.processing, **s,
               "checks": {"no_errors": {"ok": errors == 0, "errors": errors}}}
    finally:
        stack.close()
    slow = sum(n for _second, n, _worst in out["slow_seconds"])
    out["rows"] = [[f"Qudao ack, open loop {rate:,}/s for {duration} s", f"{fmt_n(out['achieved_per_s'])} achieved",
                    fmt_ms(out["p50_ms"]), fmt_ms(out["p99_ms"]),
                    f"errors {errors:,}; max {fmt_ms(out['max_ms'])}; over {SLOW_MS} ms: {slow:,} requests in "
                    f"{len(out['slow_seconds'])} of {duration} s"]]
    return out


SLOW_MS = 50          # the goal's p99


def slow_seconds(latencies_ms: list[float], due_s: list[float], over_ms: float) -> list[list]:
    """[second of the run, requests due then that took over ``over_ms``, the worst] for each
    second that had any: whether the tail is spread out or a few stalls."""
    seconds: dict[int, list[float]] = {}
    for ms, due in zip(latencies_ms, due_s, strict=True):
        if ms > over_ms:
            seconds.setdefault(int(due), []).append(ms)
    return [[sec, len(v), round(max(v), 1)] for sec, v in sorted(seconds.items())]


# ---------------------------------------------------------------- end to end

def part_e2e(run: Run) -> dict:
    n, spread = run.sizes["e2e_n"], run.sizes.get("e2e_dealers", 0)
    stack = Stack(run, "e2e", bench_dealers=spread)
    dealers = tuple(bench_dealer(i) for i in range(1, spread + 1)) if spread else BEIJING_DEALERS
    try:
        reqs = registrations(CallbackSigner(), HOST, stack.port, n, dealers=dealers)
        run.log(f"e2e: {n} registrations from {len(dealers)} dealers, processing={run.processing}, "
                f"workers={len(stack.workers)}")
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
        first_minute = min(n, 30 * len(dealers))
        deadline = time.time() + run.sizes.get("settle_timeout", 60) / 2
        while stack.fake.state.pacing()["delivered"] < first_minute and time.time() < deadline:
            time.sleep(0.2)
        pacing = stack.fake.state.pacing()
        out = {"n": n, "dealers": len(dealers), "processing": run.processing, "workers": len(stack.workers),
               "acked": acked,
               "inbox": c, "registrations": regs, "replies": rep, "outbox": outbox_counts(stack.db),
               "platform": pacing, "elapsed_s": round(t_end - t0, 2),
               # New customers below the tier threshold are approved at once (the accepted
               # path the figures are about); a name the matcher finds like an
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
    who = f", {out['dealers']} dealers of as many partners" if spread else ""
    out["rows"] = [[f"end to end: {n:,} registrations ({run.processing}, {out['workers']} workers{who})",
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


PARTS = {"ack": part_ack, "openloop": part_openloop, "e2e": part_e2e, "contention": part_contention,
         "month_end": part_month_end}


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="qudao-bench-"))

"""The month-end part of ``bench/bench_scale.py``: bench dealers take turns over a
window, each sends an order, taps 确认下单 on its card and waits for the answer;
how long each dealer waited, and what the platform received."""
from __future__ import annotations

import asyncio
import random
import time

from bench.scale.env import fmt_ms, machine_busy_s, percentile
from bench.scale.load import Conn
from bench.scale.stack import HOST, Run, Stack, bench_dealer, outbox_counts, wait_processed
from bench.scale.wire import CallbackSigner, http_post


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
        t0, busy0 = time.time(), machine_busy_s()
        drive = asyncio.run(_month_end_drive(run, stack, dealers, n, seconds))
        samples: list = []
        inbox_total = sum(stack.db.inbox_counts().values())
        wait_processed(run, stack, inbox_total, samples, 30)
        # The whole machine's CPU over the burst (servers, workers, PostgreSQL, Redis and
        # the bench's dealers and fake platform), per order: it tells a cheaper order
        # from a faster VM, which the reply times alone can't.
        busy, wall = machine_busy_s() - busy0, time.time() - t0
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
               "workers": len(stack.workers), "elapsed_s": round(wall, 1),
               "machine_ms_per_order": round(busy * 1000 / n, 2), "machine_cores_busy": round(busy / wall, 2),
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
                    f"dropped {pacing['dropped']}; machine {out['machine_ms_per_order']} ms an order "
                    f"({out['machine_cores_busy']} cores busy)"]]
    return out

"""Where the CPU goes, per request and per command, in one process (issue 16).

No HTTP server and no load generator: the WSGI apps are called directly with
prepared WeCom callbacks, so the figures are the app's own CPU. Three parts:

- ``ack``: CPU per callback of the floor (``bench/scale/floor_app.py``) and of
  Qudao's ``/wecom/callback`` (web only acknowledges: QUDAO_PROCESSING=workers);
- ``commands``: CPU and SQL statements per registration processed by a worker
  (sequencer, claim, command, audit, replies written to the outbox), the
  outbox delivered to the counting fake API separately;
- ``contention``: the same for 64 claims on one customer (北京协和医院) from
  three dealers, acknowledged first, then decided by one worker;
- ``orders``: CPU and statements per order of the month-end burst (bench dealers
  each send ``订货 A100*k``, then tap 确认下单 on the card they were sent): the
  orders, the confirmations and the deliveries of their replies, each apart;
- ``--profile``: a cProfile of each part, the top functions by own time.

    .venv/bin/python bench/profile_paths.py [-n 2000] [--profile]

Needs the local PostgreSQL and Redis (like bench_scale.py: a fresh database,
dropped afterwards; Redis db 8 flushed).
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scale import procs  # noqa: E402
from bench.scale.env import drop_database, flush_redis, fresh_database, machine_busy_s, run_id, sqlalchemy_url  # noqa: E402
from bench.scale.fake import CountingFake  # noqa: E402
from bench.scale.stack import Run, bench_dealer, seed_bench_dealers  # noqa: E402
from bench.scale.wire import CallbackSigner, contention, http_post, registrations  # noqa: E402


def _environ(raw: bytes) -> dict:
    """A WSGI environ for one prepared request (request line, headers, body)."""
    head, body = raw.split(b"\r\n\r\n", 1)
    line = head.split(b"\r\n", 1)[0].decode()
    _, target, _ = line.split(" ")
    path, _, query = target.partition("?")
    return {"REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_TYPE": "text/xml",
            "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": True,
            "wsgi.run_once": False, "wsgi.version": (1, 0), "HTTP_HOST": "127.0.0.1:8000"}


@dataclass
class Driven:
    """Per request: wall time, this process's CPU, the whole machine's CPU (ms)."""
    wall_ms: float
    cpu_ms: float
    machine_ms: float
    profile: cProfile.Profile | None


def _drive(app, requests: list[bytes], profile: bool) -> Driven:
    statuses = []

    def start_response(status, headers, exc_info=None):
        statuses.append(status)

    envs = [_environ(r) for r in requests]
    prof = cProfile.Profile() if profile else None
    wall, cpu, busy = time.perf_counter(), time.process_time(), machine_busy_s()
    if prof:
        prof.enable()
    for env in envs:
        for _ in app(env, start_response):
            pass
    if prof:
        prof.disable()
    wall, cpu, busy = time.perf_counter() - wall, time.process_time() - cpu, machine_busy_s() - busy
    bad = [s for s in statuses if not s.startswith("200")]
    if bad:
        raise RuntimeError(f"{len(bad)} callbacks refused, e.g. {bad[0]}")
    each = 1000 / len(requests)
    return Driven(wall * each, cpu * each, busy * each, prof)


def _top(prof: cProfile.Profile, n: int = 25) -> str:
    """The top functions by own time, then the project's own by cumulative time."""
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(n)
    stats.sort_stats("cumulative").print_stats(str(ROOT) + r"/(?!\.venv)", n * 2)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", type=int, default=2000, help="callbacks and registrations (default 2000)")
    p.add_argument("--profile", action="store_true", help="print the top functions of each part")
    p.add_argument("--parts", default="ack,commands,contention", help="any of ack,commands,contention,orders")
    p.add_argument("--dealers", type=int, default=0,
                   help="bench dealers for the orders part (default: -n, one order each, as in the month-end burst)")
    args = p.parse_args(argv)
    parts = set(args.parts.split(","))

    work = Path(tempfile.mkdtemp(prefix="qudao-profile-"))
    run = Run(run_id=run_id(), work=work, processing="workers", worker_cmd="", workers=0)
    db = fresh_database(run.run_id, "prof", template=run.template_db())
    if "orders" in parts:
        args.dealers = args.dealers or args.n
        seed_bench_dealers(run, db, args.dealers, work / "seed.log")
    fake = CountingFake()
    try:
        flush_redis()
        env = procs.qudao_env(sqlalchemy_url(db), fake.base_url, "workers", procs.bench_rules_file(work))
        os.environ.update(env)
        signer = CallbackSigner(env)
        reqs = registrations(signer, "127.0.0.1", 8000, args.n + 200)
        warm, reqs = reqs[:200], reqs[200:]

        from bench.scale import floor_app
        from bot import create_app
        app = create_app()
        if "ack" in parts:
            _drive(floor_app.app, warm, False)
            floor = _drive(floor_app.app, reqs, args.profile)
            _drive(app, warm, False)
            qudao = _drive(app, reqs, args.profile)
            print(f"ack, per callback: floor {floor.cpu_ms:.3f} ms CPU ({floor.wall_ms:.3f} wall, machine "
                  f"{floor.machine_ms:.3f}); Qudao {qudao.cpu_ms:.3f} ms CPU ({qudao.wall_ms:.3f} wall, machine "
                  f"{qudao.machine_ms:.3f} with PostgreSQL and Redis); ratio {floor.cpu_ms / qudao.cpu_ms:.0%}")
            if args.profile:
                print(_top(qudao.profile))
        elif "commands" in parts:
            _drive(app, warm + reqs, False)
        if "commands" in parts:
            _commands(app, args.n + 200, args.profile)
        if "contention" in parts:
            _contention(app, signer, args.profile)
        if "orders" in parts:
            _orders(app, signer, fake, args.n, args.dealers, args.profile)
    finally:
        fake.close()
        drop_database(db)
        run.close()
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _commands(app, n: int, profile: bool) -> None:
    from sqlalchemy import event

    from chat.runner import Worker
    from chat.wakeup import Signal
    runner = app.extensions["qudao"].runner
    # A worker without its own delivery (as with a delivery thread beside it): commands only.
    worker = Worker(runner.inbox, runner.sequencer, runner.deliverer, runner.waker, name="prof",
                    outbox_signal=Signal(), sequences=True)
    engine = runner.inbox._engine
    statements = [0]
    event.listen(engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(0, statements[0] + 1))
    while worker.processed < 200:          # warm-up: caches, prepared statements
        worker.run_once()
    statements[0] = 0
    prof = cProfile.Profile() if profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    while worker.processed < n and worker.run_once():
        pass
    if prof:
        prof.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    k = worker.processed - 200
    print(f"commands: {k} registrations, {cpu / k * 1000:.2f} ms CPU each ({wall / k * 1000:.2f} wall), "
          f"{statements[0] / k:.1f} statements each")
    if prof:
        print(_top(prof, 40))
    prof = cProfile.Profile() if profile else None
    d_wall, d_cpu = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    sent = runner.deliverer.drain()
    if prof:
        prof.disable()
    d_wall, d_cpu = time.perf_counter() - d_wall, time.process_time() - d_cpu
    each = 1000 / max(sent, 1)
    print(f"outbox: {sent} sends, {d_cpu * each:.2f} ms CPU each ({d_wall * each:.2f} wall; the fake platform "
          f"answers in this process, so its CPU is counted too)")
    if prof:
        print(_top(prof, 40))



def _contention(app, signer: CallbackSigner, profile: bool, n: int = 64) -> None:
    from sqlalchemy import event

    from chat.runner import Worker
    from chat.wakeup import Signal
    runner = app.extensions["qudao"].runner
    _drive(app, [req for _user, req in contention(signer, "127.0.0.1", 8000, n, "北京协和医院")], False)
    worker = Worker(runner.inbox, runner.sequencer, runner.deliverer, runner.waker, name="race",
                    outbox_signal=Signal(), sequences=True)
    statements = [0]
    event.listen(runner.inbox._engine, "before_cursor_execute",
                 lambda *a, **k: statements.__setitem__(0, statements[0] + 1))
    before = worker.processed
    prof = cProfile.Profile() if profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    while worker.run_once():
        pass
    if prof:
        prof.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    k = worker.processed - before
    print(f"contention: {k} claims on one customer decided in {wall * 1000:.0f} ms ({cpu / k * 1000:.2f} ms CPU, "
          f"{statements[0] / k:.1f} statements each)")
    if prof:
        print(_top(prof, 40))



def _timed(work, profile: bool) -> tuple[float, float, int, cProfile.Profile | None]:
    """Run ``work()`` (it returns how many it did): CPU and wall seconds, the count, the profile."""
    prof = cProfile.Profile() if profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if prof:
        prof.enable()
    done = work()
    if prof:
        prof.disable()
    return time.process_time() - cpu, time.perf_counter() - wall, done, prof


def _orders(app, signer: CallbackSigner, fake, n: int, dealers: int, profile: bool) -> None:
    """The month-end burst's commands in one process: ``n`` orders from the bench
    dealers taking turns, processed; their replies delivered; every order's card
    tapped (确认下单), processed; those answers delivered. Each step measured apart."""
    import random

    from sqlalchemy import event, text

    from chat.runner import Worker
    from chat.wakeup import Signal
    runner = app.extensions["qudao"].runner
    engine = runner.inbox._engine
    worker = Worker(runner.inbox, runner.sequencer, runner.deliverer, runner.waker, name="orders",
                    outbox_signal=Signal(), sequences=True)
    statements = [0]
    event.listen(engine, "before_cursor_execute", lambda *a, **k: statements.__setitem__(0, statements[0] + 1))
    rng = random.Random(20)
    users = [bench_dealer(i % dealers + 1) for i in range(n)]

    def request(inner: str) -> bytes:
        return http_post("127.0.0.1", 8000, *signer.sealed(inner))

    def process() -> int:
        before = worker.processed
        while worker.run_once():
            pass
        return worker.processed - before

    def deliver() -> int:
        return runner.deliverer.drain(max_rounds=100_000)      # until nothing is due

    def step(label: str, work, unit: str) -> None:
        statements[0] = 0
        cpu, wall, done, prof = _timed(work, profile)
        each = 1000 / max(done, 1)
        print(f"{label}: {done} {unit}, {cpu * each:.2f} ms CPU each ({wall * each:.2f} wall), "
              f"{statements[0] / max(done, 1):.1f} statements each")
        if prof:
            print(_top(prof, 40))

    _drive(app, [request(signer.text_xml(u, f"订货 A100*{rng.randint(1, 3)}")) for u in users], False)
    step("orders placed", process, "orders")
    step("their replies delivered", deliver, "sends")
    taps, seen = [], set()
    for user in dict.fromkeys(users):
        for card in fake.state.cards_for(user):
            key = next((b["key"] for b in card.card.get("button_list", []) if b.get("text") == "确认下单"), None)
            if key and card.task_id not in seen:
                seen.add(card.task_id)
                code = fake.state.issue_response_code(card.task_id, [user], "click")
                taps.append(request(signer.click_xml(user, card.task_id, key, code)))
    if len(taps) != n:
        raise RuntimeError(f"{len(taps)} order cards to tap, {n} orders sent")
    _drive(app, taps, False)
    step("confirmations", process, "taps")
    step("their answers delivered", deliver, "sends")
    with engine.connect() as c:
        by_status = dict(c.execute(text("SELECT status, count(*) FROM orders GROUP BY status")).all())
    print(f"orders by status: {by_status}")
    if by_status.get("confirmed") != n:
        raise RuntimeError(f"not every order was confirmed: {by_status}")


if __name__ == "__main__":
    sys.exit(main())

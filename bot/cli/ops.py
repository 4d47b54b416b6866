"""Operations commands: the scheduler and worker processes, integration tokens, order export, partner statements."""
from __future__ import annotations

import argparse
import gc
import json
import signal
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.base import database, problem, settings, whole_in

MAX_INTEGRATION_NAME = 60      # integrations.name


def cmd_scheduler(args) -> int:
    from bot.app import create_app
    from chat.scheduling import build_scheduler
    config = settings()
    # The simulator lives inside `serve`; this process sends through it.
    config = config.with_simulator_at(args.sim_port)
    # The scheduler does timed work only: messages are for the web processes' threads or the workers.
    config = config.with_(scheduler="off", processing="workers")
    app = create_app(config)
    q = app.extensions["qudao"]
    sched = build_scheduler(q, ttl_s=config.scheduler_lease_s)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    sched.start()
    print(f"scheduler {sched.lease.holder} started; it works while it holds the lease "
          f"(a second one stands by)", flush=True)
    stop.wait()
    sched.stop()
    q.runner.stop()
    return 0


def cmd_worker(args) -> int:
    """Process the inbox and deliver the outbox until SIGTERM/SIGINT (then finish
    the commands under way and give back what was claimed and not started)."""
    from bot.app import create_app
    config = settings().with_simulator_at(args.sim_port).with_(scheduler="off", processing="workers")
    app = create_app(config)
    q = app.extensions["qudao"]
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    # Start-up and the warm-up build what lives as long as the process (the app, the
    # parser's tables): collected once, then frozen before any work starts, so a full
    # collection never walks it on a command's time (and no command's objects are frozen).
    q.runner.warm()
    gc.collect()
    gc.freeze()
    workers = q.runner.start_workers(args.threads)
    print(f"worker {workers[0].name.rsplit('/', 1)[0]} started: {args.threads} thread(s), "
          f"wake-ups by {q.runner.waker.remote}", flush=True)
    stop.wait()
    q.runner.stop()
    print(f"worker stopped after {sum(w.processed for w in workers)} message(s)", flush=True)
    q.engine.dispose()
    return 0


def cmd_integration(args) -> int:
    from sqlalchemy import select

    from chat.integrations import new_token, token_hash
    from models import Integration
    _, factory, clock = database(settings())
    with factory() as s, s.begin():
        if args.action == "list":
            for row in s.execute(select(Integration).order_by(Integration.name)).scalars():
                state = "revoked" if row.revoked_at else "active"
                used = row.last_used_at.isoformat(timespec="seconds") if row.last_used_at else "never"
                print(f"{row.name}\t{state}\tcreated {row.created_at:%Y-%m-%d}\tlast used {used}")
            return 0
        if not args.name or len(args.name) > MAX_INTEGRATION_NAME:
            return problem(f"需要一个名称（最多 {MAX_INTEGRATION_NAME} 个字符）",
                           f"a name of at most {MAX_INTEGRATION_NAME} characters is required")
        row = s.execute(select(Integration).where(Integration.name == args.name)).scalar_one_or_none()
        if args.action == "revoke":
            if row is None or row.revoked_at:
                problem(f"没有有效的对接 {args.name}", f"no active integration {args.name}")
                return 1
            row.revoked_at = clock.now()
            print(f"revoked {args.name}")
            return 0
        token = new_token()
        if row is None:
            s.add(Integration(name=args.name, token_hash=token_hash(token), created_at=clock.now()))
        else:   # a new token replaces a lost or revoked one
            row.token_hash, row.revoked_at, row.created_at = token_hash(token), None, clock.now()
    print(f"token for {args.name} (shown once; send it as 'Authorization: Bearer <token>'):\n{token}")
    return 0


def cmd_export_orders(args) -> int:
    from handlers.orders.export import EXPORTABLE, export_orders, to_csv, to_xlsx
    statuses = [x for x in args.status.split(",") if x]
    if any(x not in EXPORTABLE for x in statuses):
        return problem(f"状态只能是 {', '.join(EXPORTABLE)}", f"status must be among {', '.join(EXPORTABLE)}")
    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            since = None
        if since is None or not 1900 <= since.year <= 9998:
            return problem("--since 应为 1900–9998 年间的日期或时间，例如 2026-12-01",
                           "--since must be a date or ISO time in 1900..9998, e.g. 2026-12-01")
    _, factory, clock = database(settings())
    if since is not None:
        since = since.replace(tzinfo=since.tzinfo or clock.tz).astimezone(UTC)
    # Exporting stamps the orders as taken by the ERP: the file is written before
    # the stamps are committed, so a file that could not be written stamps nothing.
    with factory() as s, s.begin():
        rows = export_orders(s, clock, statuses, since)
        if args.output and args.output.endswith(".xlsx"):
            Path(args.output).write_bytes(to_xlsx(rows))
        elif args.output:
            Path(args.output).write_text(to_csv(rows, for_people=True), encoding="utf-8")
        else:
            sys.stdout.write(to_csv(rows))
    print(json.dumps({"lines": len(rows), "orders": len({r["order_number"] for r in rows})}), file=sys.stderr)
    return 0


def cmd_statements(args) -> int:
    """One XLSX statement per partner with splits or approved rebates in the month."""
    import re

    from domain.rules import RuleStore
    from handlers.earnings.statements import filename, statements, workbook
    if not re.fullmatch(r"(19|2\d)\d\d-(0[1-9]|1[0-2])", args.month or ""):
        return problem("--month 应为 YYYY-MM（1900–2999 年），例如 2026-12",
                       "--month must be YYYY-MM in 1900..2999, e.g. 2026-12")
    _, factory, clock = database(settings())
    out = Path(args.output or f"statements-{args.month}")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with factory() as s:
        rules = RuleStore(clock).active(s)
        for st in statements(s, clock, rules, args.month):
            path = out / filename(st)
            path.write_bytes(workbook(st, clock, rules))
            written.append({"partner": st.partner.name, "file": str(path), "splits": str(st.split_total),
                            "rebates": str(st.rebate_total), "split_lines": len(st.splits),
                            "rebate_lines": len(st.rebates)})
    print(json.dumps({"month": args.month, "statements": written}, ensure_ascii=False))
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("statements", help="monthly statements per partner (splits and rebates) as XLSX files")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("-o", "--output", help="directory for the files (default: statements-YYYY-MM)")
    p.set_defaults(func=cmd_statements)
    p = sub.add_parser("scheduler", help="run the timed work (one active process; more stand by)")
    p.add_argument("--sim-port", type=whole_in(1, 65535), default=8000,
                   help="with the simulator: the port `serve` listens on")
    p.set_defaults(func=cmd_scheduler)
    p = sub.add_parser("worker", help="process accepted messages and deliver replies (QUDAO_PROCESSING=workers)")
    p.add_argument("--threads", type=whole_in(1, 64), default=2, help="commands processed at once in this process")
    p.add_argument("--sim-port", type=whole_in(1, 65535), default=8000,
                   help="with the simulator: the port `serve` listens on")
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("integration", help="tokens for the ERP API: add NAME | revoke NAME | list")
    p.add_argument("action", choices=("add", "revoke", "list"))
    p.add_argument("name", nargs="?")
    p.set_defaults(func=cmd_integration)
    p = sub.add_parser("export-orders", help="confirmed orders (one row per line) as CSV or XLSX")
    p.add_argument("--status", default="confirmed", help="comma-separated: confirmed,shipped,delivered,cancelled")
    p.add_argument("--since", help="only orders changed since this date/time")
    p.add_argument("-o", "--output", help="FILE.csv or FILE.xlsx (default: CSV on stdout)")
    p.set_defaults(func=cmd_export_orders)

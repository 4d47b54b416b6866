"""Command line: serve, seed-demo, parse, match, migrate, rules, audit-verify."""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from datetime import date
from pathlib import Path
from typing import TextIO


def _settings():
    from bot.settings import load_settings
    return load_settings()


def _database(settings):
    from bot.app import prepare_database
    from domain.clock import Clock
    from models.db import make_engine, make_session_factory
    clock = Clock(settings.timezone)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    prepare_database(engine, factory, clock, settings)
    return engine, factory, clock


def cmd_serve(args) -> int:
    from werkzeug.serving import make_server

    from bot.app import create_app
    settings = _settings()
    if settings.simulator and not settings.wecom_api_base:
        settings = settings.with_(wecom_api_base=f"http://127.0.0.1:{args.port}/sim/cgi-bin/")
    app = create_app(settings)
    server = make_server(args.host, args.port, app, threaded=True)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"Qudao is running on http://{shown}:{args.port}/  (WeCom callback: /wecom/callback)", flush=True)
    if settings.simulator:
        print(f"Open the chat simulator: http://{shown}:{args.port}/sim/", flush=True)
    if settings.scheduler == "embedded":
        print("Timed work (reminders, expiry, digests) runs in this process", flush=True)
    print(f"Database: {settings.database_url.split('@')[-1]}   Redis: {'on' if settings.redis_url else 'off'}",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        q = app.extensions["qudao"]
        if q.scheduler is not None:
            q.scheduler.stop()
        q.runner.stop()
    return 0


def cmd_seed_demo(args) -> int:
    from bot.seed import seed_demo
    _, factory, clock = _database(_settings())
    with factory() as s, s.begin():
        counts = seed_demo(s, clock)
    print("demo organisation loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def cmd_migrate(args) -> int:
    _database(_settings())
    print("schema is up to date")
    return 0


def cmd_rules_load(args) -> int:
    from domain.rules import RuleStore
    from domain.rules.model import RuleError
    settings = _settings()
    _, factory, clock = _database(settings)
    try:
        with factory() as s, s.begin():
            row = RuleStore(clock).load_file(s, Path(args.file or settings.rules_file))
    except (RuleError, OSError) as exc:
        print(f"rules not loaded: {exc}", file=sys.stderr)
        return 2
    print(f"active rule set: version {row.version} from {row.source}")
    return 0


def cmd_audit_verify(args) -> int:
    from chat.audit import verify_chain
    _, factory, _ = _database(_settings())
    with factory() as s:
        report = verify_chain(s)
    print(json.dumps(report.__dict__, ensure_ascii=False))
    return 0 if report.ok else 1


def run_parse(lines: TextIO, out: TextIO) -> None:
    from bot.language import parse_message
    for raw in lines:
        if not raw.strip():
            continue
        try:
            req = json.loads(raw)
            today = date.fromisoformat(req["now"]) if req.get("now") else None
            p = parse_message(str(req.get("text", "")), today=today)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            out.write(json.dumps({"error": f"bad input line: {exc}"}, ensure_ascii=False) + "\n")
            continue
        out.write(json.dumps({
            "intent": p.intent, "action": p.action, "customer": p.customer, "department": p.department,
            "amount_yuan": p.amount_yuan, "items": [{"sku": i.sku, "qty": i.qty} for i in p.items],
            "products": [{"word": m.word, "sku": m.sku, "qty": m.qty} for m in p.products],
            "close_date": p.close_date.isoformat() if p.close_date else None, "ref": p.ref, "note": p.note,
            "unit_price": p.unit_price, "discount": p.discount, "missing": p.missing,
            "plan_date": p.plan_date.isoformat() if p.plan_date else None, "customers": p.customers,
            "target": p.target, "date_from": p.date_from.isoformat() if p.date_from else None,
            "date_to": p.date_to.isoformat() if p.date_to else None, "amount_doubt": p.amount_doubt,
            "bad_date": p.bad_date, "removed": p.removed,
            "bad_quantities": [{"word": b.word, "sku": b.sku, "said": b.text} for b in p.bad_quantities],
        }, ensure_ascii=False) + "\n")
        out.flush()


def cmd_parse(args) -> int:
    run_parse(sys.stdin, sys.stdout)
    return 0


def cmd_match(args) -> int:
    if args.lookup:
        return _match_lookup()
    from domain.matching import prepare_aliases
    from domain.matching.cli import run_match
    table = None
    if args.db:
        from sqlalchemy import select

        from models import CustomerAlias
        _, factory, _ = _database(_settings())
        with factory() as s:
            table = prepare_aliases(dict(s.execute(select(CustomerAlias.alias, CustomerAlias.full_name)).all()))
    for result in run_match(sys.stdin, aliases=table or None):
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


def _match_lookup() -> int:
    """One name per line → what a registration of it would be matched to, and why."""
    from handlers.customers.search import lookup
    _, factory, _ = _database(_settings())
    for raw in sys.stdin:
        name = raw.strip()
        if not name or name.startswith("#"):
            continue
        with factory() as s:
            started = time.perf_counter()
            m = lookup(s, name)
            ms = (time.perf_counter() - started) * 1000
            sys.stdout.write(json.dumps({"name": name, **m.to_dict(), "ms": round(ms, 2)}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)   # its per-start plugin chatter hides our lines
    logging.getLogger("apscheduler").setLevel(logging.WARNING)   # a line per job run, every few seconds
    parser = argparse.ArgumentParser(prog="python -m bot", description="Qudao 渠道助手")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="serve the bot (creates the schema on an empty database)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)
    sub.add_parser("seed-demo", help="load the demo organisation").set_defaults(func=cmd_seed_demo)
    sub.add_parser("migrate", help="create/upgrade the schema").set_defaults(func=cmd_migrate)
    p = sub.add_parser("rules-load", help="load a rule file as the new active version")
    p.add_argument("file", nargs="?")
    p.set_defaults(func=cmd_rules_load)
    from bot.cli_imports import register_import_commands
    register_import_commands(sub)     # import KIND FILE, import-template, import-customers (alias)
    from bot.cli_ops import add_ops_commands
    add_ops_commands(sub)             # scheduler, integration, export-orders
    sub.add_parser("audit-verify", help="check the audit trail's hash chain").set_defaults(func=cmd_audit_verify)
    sub.add_parser("parse", help="JSON Lines {text, now} on stdin → parsed commands").set_defaults(func=cmd_parse)
    p = sub.add_parser("match", help="name_a<TAB>name_b lines on stdin → verdicts")
    p.add_argument("--db", action="store_true", help="apply the aliases stored in the database")
    p.add_argument("--lookup", action="store_true",
                   help="one name per line: look it up among the stored customers, as a registration would")
    p.set_defaults(func=cmd_match)
    args = parser.parse_args(argv)
    return args.func(args)

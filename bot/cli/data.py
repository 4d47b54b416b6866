"""The database and the rule store: `seed-demo`, `migrate`, `rules-load`, `audit-verify`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.cli.base import database, settings


def add_commands(sub) -> None:
    sub.add_parser("seed-demo", help="load the demo organisation").set_defaults(func=cmd_seed_demo)
    sub.add_parser("migrate", help="create/upgrade the schema").set_defaults(func=cmd_migrate)
    p = sub.add_parser("rules-load", help="load a rule file as the new active version")
    p.add_argument("file", nargs="?")
    p.set_defaults(func=cmd_rules_load)
    sub.add_parser("audit-verify", help="check the audit trail's hash chain").set_defaults(func=cmd_audit_verify)


def cmd_seed_demo(args) -> int:
    from bot.seed import seed_demo
    _, factory, clock = database(settings())
    with factory() as s, s.begin():
        counts = seed_demo(s, clock)
    print("demo organisation loaded: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def cmd_migrate(args) -> int:
    database(settings())
    print("schema is up to date")
    return 0


def cmd_rules_load(args) -> int:
    from domain.rules import RuleStore
    from domain.rules.model import RuleError
    config = settings()
    _, factory, clock = database(config)
    try:
        with factory() as s, s.begin():
            row = RuleStore(clock).load_file(s, Path(args.file or config.rules_file))
    except (RuleError, OSError) as exc:
        print(f"rules not loaded: {exc}", file=sys.stderr)
        return 2
    print(f"active rule set: version {row.version} from {row.source}")
    return 0


def cmd_audit_verify(args) -> int:
    from chat.audit import verify_chain
    _, factory, _ = database(settings())
    with factory() as s:
        report = verify_chain(s)
    print(json.dumps(report.__dict__, ensure_ascii=False))
    return 0 if report.ok else 1

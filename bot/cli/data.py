"""The database and the rule store: `seed-demo`, `migrate`, `rules-load`, `rules-whatif`, `audit-verify`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from bot.cli.base import database, problem, settings


def add_commands(sub) -> None:
    sub.add_parser("seed-demo", help="load the demo organisation").set_defaults(func=cmd_seed_demo)
    sub.add_parser("migrate", help="create/upgrade the schema").set_defaults(func=cmd_migrate)
    p = sub.add_parser("rules-load", help="load a rule file as the new active version")
    p.add_argument("file", nargs="?")
    p.set_defaults(func=cmd_rules_load)
    p = sub.add_parser("rules-whatif", help="replay the last days' registrations, orders, special prices and "
                                            "extensions under a rule file; what would be decided otherwise")
    p.add_argument("file")
    p.add_argument("--days", type=int, default=30, help="how many days back to replay (default 30)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the summary")
    p.set_defaults(func=cmd_rules_whatif)
    p = sub.add_parser("audit-verify", help="check the audit trail: every sealed event and batch; name what is wrong")
    p.add_argument("--seal", action="store_true", help="seal the events recorded since the last sealing first")
    p.set_defaults(func=cmd_audit_verify)


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
    import yaml

    from domain.rules import RuleStore
    from domain.rules.base import INVALID_RULES
    config = settings()
    _, factory, clock = database(config)
    try:
        with factory() as s, s.begin():
            row = RuleStore(clock).load_file(s, Path(args.file or config.rules_file))
    except (yaml.YAMLError, *INVALID_RULES, OSError) as exc:     # as the console's draft check refuses
        return problem(f"规则没有载入：{exc}", "rules not loaded")
    print(f"active rule set: version {row.version} from {row.source}")
    return 0


def cmd_rules_whatif(args) -> int:
    """The summary on stderr (as people read it), the whole report as JSON on stdout."""
    from chat.operations import Refused
    from handlers.rules.drafts import checked
    from handlers.rules.whatif import what_if
    if not 1 <= args.days <= 366:
        return problem("--days 应为 1–366", "--days must be 1..366")
    config = settings()
    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return problem(f"无法读取 {args.file}：{exc}", "cannot read the file")
    _, factory, clock = database(config)
    try:
        _, candidate = checked(text, clock.tz.key)
    except Refused as exc:
        print(exc.message(args.lang), file=sys.stderr)
        return 2
    report = what_if(factory, clock, candidate, args.days)
    for line in report.summary(args.lang):
        print(line, file=sys.stderr)
    print(json.dumps(report.to_dict(args.lang), ensure_ascii=False))
    return 0


def cmd_audit_verify(args) -> int:
    """JSON on stdout: ok, events and batches checked, unsealed (not an error),
    the head batch, and each problem (kind, seq, event id, batch, what); the
    first one in words on stderr. Exit 1 if anything is wrong."""
    from chat.audit import seal_all, verify
    config = settings()
    _, factory, _ = database(config)
    if args.seal:
        sealed = seal_all(factory, key=config.audit_key)
        print(f"sealed {sealed.events} events in {len(sealed.batches)} batches", file=sys.stderr)
    with factory() as s:
        report = verify(s, key=config.audit_key)
    print(json.dumps(report.as_dict(), ensure_ascii=False, default=str))
    if report.first_bad is not None:
        zh, en = report.first_bad.words
        print(f"审计记录被篡改 · tampered: {zh} / {en}: {report.first_bad.detail}"
              f" ({len(report.problems)} problems)", file=sys.stderr)
    for note in report.notes:
        print(note, file=sys.stderr)
    return 0 if report.ok else 1

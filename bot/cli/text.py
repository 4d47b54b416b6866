"""Text tools: `parse` (messages → commands) and `match` (customer names → verdicts)."""
from __future__ import annotations

import json
import re
import sys
import time
from datetime import date
from typing import TextIO

from bot.cli.base import database, settings


def add_commands(sub) -> None:
    sub.add_parser("parse", help="JSON Lines {text, now} on stdin → parsed commands").set_defaults(func=cmd_parse)
    p = sub.add_parser("match", help="name_a<TAB>name_b lines on stdin → verdicts")
    p.add_argument("--db", action="store_true", help="apply the aliases stored in the database")
    p.add_argument("--lookup", action="store_true",
                   help="one name per line: look it up among the stored customers, as a registration would")
    p.set_defaults(func=cmd_match)


_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(text: str) -> str:
    """Lone surrogates (JSON allows "\\ud800"; UTF-8 can't carry it) become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def run_parse(lines: TextIO, out: TextIO) -> None:
    """One JSON answer per input line, whatever the line holds: a line that can't
    be read is answered with an error and the next line is read as usual."""
    for raw in lines:
        if not raw.strip():
            continue
        try:
            answer = _parse_line(raw)
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            answer = {"error": scrub(f"bad input line: {exc}")}
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        out.flush()


def _parse_line(raw: str) -> dict:
    from bot.language import parse_message
    req = json.loads(raw)
    today = date.fromisoformat(req["now"]) if req.get("now") else None
    p = parse_message(scrub(str(req.get("text", ""))), today=today)
    return {
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
    }


def cmd_parse(args) -> int:
    # Bytes that are no UTF-8 become U+FFFD instead of ending the run.
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):     # a real console or pipe, not a StringIO
            stream.reconfigure(errors="replace")
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
        _, factory, _ = database(settings())
        with factory() as s:
            table = prepare_aliases(dict(s.execute(select(CustomerAlias.alias, CustomerAlias.full_name)).all()))
    for result in run_match(sys.stdin, aliases=table or None):
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


def _match_lookup() -> int:
    """One name per line → what a registration of it would be matched to, and why."""
    from handlers.customers.search import lookup
    _, factory, _ = database(settings())
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

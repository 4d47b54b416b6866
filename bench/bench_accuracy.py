"""How often the name matcher and the message parser are right, per category,
on the labelled sets kept in bench/data/.

Run:  .venv/bin/python bench/bench_accuracy.py [--write] [--errors]
  --write   replace the "Matcher and parser accuracy" section of docs/benchmarks.md
  --errors  list every pair and message that came out wrong (on stderr)

Matcher (bench/data/match_pairs.tsv, built by bench/labelled/build_pairs.py):
a pair is *called the same* when compare() says duplicate or possible (a
person looks at it; nothing is accepted as a new customer), *distinct*
otherwise. Per category: precision = labelled-same among the pairs called the
same, recall = called-the-same among the labelled-same pairs; "distinct kept"
= distinct among the labelled-diff pairs; "sure" = duplicate among the
labelled-same pairs (no person needed).

Parser (bench/data/parse_messages.jsonl): every message has the fields it
must come out with. Per category: the share of messages with every field
right, and precision/recall of the customer field (a customer read where
none is expected, or a wrong one, costs precision; one missed costs recall).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.language import parse_message  # noqa: E402
from domain.matching import compare  # noqa: E402

PAIRS = ROOT / "bench" / "data" / "match_pairs.tsv"
MESSAGES = ROOT / "bench" / "data" / "parse_messages.jsonl"
DOC = ROOT / "docs" / "benchmarks.md"
TODAY = date(2026, 11, 23)
BEGIN, END = "<!-- accuracy:begin -->", "<!-- accuracy:end -->"


def read_pairs(path: Path = PAIRS) -> list[tuple[str, str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            a, b, label, category = line.split("\t")
            rows.append((a, b, label, category))
    return rows


def read_messages(path: Path = MESSAGES) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:.1f}%" if den else "–"


def score_pairs(rows, errors: list[str] | None = None) -> dict[str, dict[str, int]]:
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for a, b, label, category in rows:
        got = compare(a, b)
        called_same = got.verdict != "distinct"
        for cat in (category, "all"):
            s = stats[cat]
            s["n"] += 1
            s[label] += 1
            if label == "same":
                s["tp" if called_same else "fn"] += 1
                s["sure"] += got.verdict == "duplicate"
            else:
                s["fp" if called_same else "tn"] += 1
        if errors is not None and called_same != (label == "same"):
            errors.append(f"{category}\t{label}\t{got.verdict}\t{a}\t{b}\t{got.reason}")
    return stats


_FIELDS = ("intent", "action", "customer", "amount_yuan", "items", "products", "department", "close_date", "note",
           "candidates", "ref")


def _field_ok(parsed, key, want) -> bool:
    got = getattr(parsed, key)
    if key == "items":
        return [[i.sku, i.qty] for i in got] == [list(w) for w in want]
    if key == "products":
        return [p.word for p in got] == list(want)
    if key == "close_date":
        return (got.isoformat() if got else None) == want
    if key == "amount_yuan":
        return (got is None and want is None) or (got is not None and want is not None and abs(got - want) < 0.5)
    if key == "intent" and isinstance(want, list):
        return got in want
    return got == want


def score_messages(rows, errors: list[str] | None = None) -> dict[str, dict[str, int]]:
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        parsed = parse_message(row["text"], today=TODAY)
        expect = row["expect"]
        wrong = [k for k, v in expect.items() if not _field_ok(parsed, k, v)]
        for cat in (row["category"], "all"):
            s = stats[cat]
            s["n"] += 1
            s["all_right"] += not wrong
            if "customer" in expect:
                want, got = expect["customer"], parsed.customer
                s["cust_expected"] += want is not None
                s["cust_read"] += got is not None
                s["cust_right"] += got is not None and got == want
        if errors is not None and wrong:
            errors.append(f"{row['category']}\t{row['text']!r}\t" +
                          "; ".join(f"{k}: {getattr(parsed, k)!r} ≠ {expect[k]!r}" for k in wrong))
    return stats


def _table(stats, head: tuple[str, ...], cells) -> str:
    """One row per category (the total last): ``cells(stats of one category)`` gives its figures."""
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for cat in sorted(stats, key=lambda c: (c == "all", c)):
        lines.append("| " + " | ".join(["**all**" if cat == "all" else cat, *cells(stats[cat])]) + " |")
    return "\n".join(lines)


def pair_table(stats) -> str:
    return _table(stats, ("category", "pairs", "same / diff", "precision", "recall", "distinct kept",
                          "sure (duplicate)"),
                  lambda s: [str(s["n"]), f"{s['same']} / {s['diff']}", _pct(s["tp"], s["tp"] + s["fp"]),
                             _pct(s["tp"], s["same"]), _pct(s["tn"], s["diff"]), _pct(s["sure"], s["same"])])


def message_table(stats) -> str:
    return _table(stats, ("category", "messages", "every field right", "customer precision", "customer recall"),
                  lambda s: [str(s["n"]), _pct(s["all_right"], s["n"]), _pct(s["cust_right"], s["cust_read"]),
                             _pct(s["cust_right"], s["cust_expected"])])


def machine() -> str:
    cores = os.cpu_count()
    return f"{cores} cores, {platform.machine()}, Python {platform.python_version()}"


def section(pairs, pstats, messages, mstats) -> str:
    return "\n".join([
        BEGIN,
        "## Matcher and parser accuracy",
        "",
        "`bench/bench_accuracy.py` — run with `.venv/bin/python bench/bench_accuracy.py --write`",
        f"(`--errors` lists what came out wrong). Machine: {machine()}. {date.today().isoformat()}.",
        "",
        f"**Name matcher**, {len(pairs)} labelled pairs (`bench/data/match_pairs.tsv`, built by",
        "`bench/labelled/build_pairs.py`). *same*: one organisation written two ways — right when",
        "compare() says duplicate or possible (a person looks, nothing is accepted as new);",
        "*diff*: two organisations — right when it says distinct. Precision: labelled-same",
        "among the pairs called the same; recall: called the same among the labelled-same;",
        "distinct kept: distinct among the labelled-diff; sure: duplicate among the labelled-same.",
        "",
        pair_table(pstats),
        "",
        f"**Message parser**, {len(messages)} messages (`bench/data/parse_messages.jsonl`), each with",
        "the fields it must come out with (intent, customer, amount, items, note …). Customer",
        "precision: right among the customers read; recall: right among the customers expected",
        "(a note read as the customer, or a second organisation taken silently, costs precision).",
        "",
        message_table(mstats),
        END,
    ])


def write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    if BEGIN in doc and END in doc:
        doc = doc[:doc.index(BEGIN)] + text + doc[doc.index(END) + len(END):]
    else:
        marker = "## Customer matching at a million customers"
        doc = doc.replace(marker, text + "\n\n" + marker, 1) if marker in doc else doc + "\n" + text + "\n"
    DOC.write_text(doc, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args()
    errors: list[str] | None = [] if args.errors else None
    pairs, messages = read_pairs(), read_messages()
    pstats, mstats = score_pairs(pairs, errors), score_messages(messages, errors)
    text = section(pairs, pstats, messages, mstats)
    print(text)
    if errors:
        print("\n".join(errors), file=sys.stderr)
    if args.write:
        write_doc(text)


if __name__ == "__main__":
    main()

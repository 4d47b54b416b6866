"""Batch matching for ops: `python -m bot match < pairs.tsv` wraps run_match.

Input lines are `name_a<TAB>name_b[<TAB>anything…]`; extra columns (such as
the label and category of shared/data/dedup_dev.tsv) are ignored.  Blank
lines and lines starting with # are skipped."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from .compare import compare


def run_match(lines: Iterable[str], aliases: Mapping[str, str] | None = None) -> Iterator[dict]:
    """Yield {"verdict", "score", "reason", "details"} per input pair, or
    {"error": …} for a line that does not hold two names."""
    for number, line in enumerate(lines, start=1):
        text = line.rstrip("\r\n")
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        fields = text.split("\t")
        if len(fields) < 2:
            yield {"error": f"第{number}行：需要两个用制表符分隔的名称，实际只有 {len(fields)} 列"}
            continue
        result = compare(fields[0], fields[1], aliases)
        yield {
            "verdict": result.verdict,
            "score": round(result.score, 3),
            "reason": result.reason,
            "details": list(result.details),
        }

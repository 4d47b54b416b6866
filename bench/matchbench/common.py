"""Output helpers shared by every step of the matching benchmark.

stdout carries only measurements (one JSON line each, then the markdown table),
so it can be redirected to a file and parsed; everything for a watching human
goes to stderr.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]      # the repository


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def loadavg() -> float:
    """1-minute load: the machine is shared, so every phase records how busy it was."""
    return float(open("/proc/loadavg").read().split()[0])


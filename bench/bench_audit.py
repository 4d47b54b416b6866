"""The audit trail on PostgreSQL: appends from concurrent command transactions,
sealing, verifying.

    .venv/bin/python bench/bench_audit.py [--threads 8] [--each 250] [--hold-ms 5] [--old-head]

Each appender runs transactions that record one event and stay open
``--hold-ms`` (the rest of a command's work), like a command does.
``--old-head`` also updates one shared row in every transaction first, as the
hash chain before migration 0015 did (audit_head), to show what that lock
cost. Then everything is sealed (``chat.audit.seal_all``) and verified
(``chat.audit.verify``). One JSON line per measure; a fresh database
(QUDAO_BENCH_DB, default qudao_bench_audit) is made and dropped.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from chat import audit
from models.db import make_engine, make_session_factory, upgrade_schema

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"   # the maintenance database, as bench_matching
DB = os.environ.get("QUDAO_BENCH_DB", "qudao_bench_audit")
URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{DB}"


def pg_admin(sql: str) -> None:
    import psycopg
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def append(factory, threads: int, each: int, hold_s: float, old_head: bool) -> float:
    at = datetime.now(UTC)

    def work(t: int) -> None:
        for i in range(each):
            with factory() as s, s.begin():
                if old_head:
                    s.execute(text("UPDATE bench_head SET seq = seq + 1 WHERE id = 1"))
                audit.record(s, at=at, actor=f"dealer{t}", action="registration.submitted",
                             entity_type="registration", entity_id=f"RG{t}-{i}",
                             after={"amount_fen": 80_000_000, "customer": "北京协和医院"},
                             verdicts=[{"rule_id": "quota", "reason_code": "OK", "outcome": "pass"}])
                s.flush()
                time.sleep(hold_s)

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    started = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - started


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--each", type=int, default=250)
    ap.add_argument("--hold-ms", type=float, default=5.0)
    ap.add_argument("--old-head", action="store_true", help="also update one shared row per transaction")
    args = ap.parse_args(argv)
    pg_admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {DB}")
    engine = make_engine(URL)
    try:
        upgrade_schema(engine)
        factory = make_session_factory(engine)
        if args.old_head:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE bench_head (id int primary key, seq int not null)"))
                conn.execute(text("INSERT INTO bench_head VALUES (1, 0)"))
        n = args.threads * args.each
        took = append(factory, args.threads, args.each, args.hold_ms / 1000, args.old_head)
        emit({"measure": "append", "threads": args.threads, "events": n, "hold_ms": args.hold_ms,
              "old_head": args.old_head, "seconds": round(took, 2), "events_per_s": round(n / took)})
        started = time.perf_counter()
        sealed = audit.seal_all(factory)
        took = time.perf_counter() - started
        emit({"measure": "seal", "events": sealed.events, "batches": len(sealed.batches),
              "seconds": round(took, 2), "events_per_s": round(sealed.events / took)})
        started = time.perf_counter()
        with factory() as s:
            report = audit.verify(s)
        took = time.perf_counter() - started
        emit({"measure": "verify", "ok": report.ok, "events": report.events, "batches": report.batches,
              "seconds": round(took, 2), "events_per_s": round(report.events / took)})
        return 0 if report.ok and report.events == n else 1
    finally:
        engine.dispose()
        pg_admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())

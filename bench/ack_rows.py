"""What an acknowledgement's INSERT costs the machine per row, by rows per statement
(issue 16; why chat/ack_batch.py lets acknowledgements that arrive together share
one INSERT).

Each run inserts the same number of inbox rows, shaped as the acknowledgement
writes them (a WeCom text message's JSON payload, a dedup key and a replay key,
ON CONFLICT DO NOTHING RETURNING), through psycopg on autocommit connections with
server-side prepared statements, as ``chat/ack_insert.py`` does: ``--rows`` rows per
statement, from threads that keep the same number of rows in flight whatever the
rows per statement (8 threads of one row, 4 of two, 2 of four, 1 of eight). It prints
rows a second and the whole machine's CPU per row (PostgreSQL included, from
/proc/stat) with the client's own share, so a row's own round trip and commit can be
told from its share of a shared one. (What the app's Combiner adds, the hand-over
between threads, is not in it: bench_scale.py's ack part measures the whole.)

    .venv/bin/python bench/ack_rows.py [--n 20000] [--rows 1,2,4,8] [--in-flight 8]

Needs the local PostgreSQL (a fresh database, dropped afterwards; QUDAO_BENCH_PG_ADMIN).
Run it on a machine doing nothing else.
"""
from __future__ import annotations

import argparse
import itertools
import json
import resource
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scale.env import drop_database, fresh_database, libpq_url, machine_busy_s, machine_facts, run_id  # noqa: E402

# The inbox as migrations build it, with the partial indexes every new row enters.
SCHEMA = ("""CREATE TABLE inbox (id bigserial PRIMARY KEY, platform varchar(20), dedup_key varchar(300) UNIQUE NOT NULL,
    sender varchar(64), payload json NOT NULL, received_at timestamptz NOT NULL, status varchar(20) NOT NULL,
    attempts int, replay_key varchar(100) UNIQUE, claim_key varchar(200))""",
          "CREATE INDEX ix_inbox_new ON inbox (id) WHERE status = 'new'",
          "CREATE INDEX ix_inbox_new_key ON inbox (claim_key, id) WHERE status = 'new'")
PAYLOAD = json.dumps({"platform": "wecom", "kind": "text", "sender": "dealer_bj_li", "msg_id": "7319283712398127",
                      "text": "报备 北京利远医疗科技有限公司 超声 50万", "created_at": "2026-12-07T08:00:00+08:00",
                      "chat_id": None}, ensure_ascii=False)
ROW = "(%s, %s, %s, %s::json, %s, %s, %s, %s)"


def _sql(rows: int) -> str:
    return ("INSERT INTO inbox (platform, dedup_key, sender, payload, received_at, status, attempts, replay_key) "
            "VALUES " + ", ".join([ROW] * rows) + " ON CONFLICT (dedup_key) DO NOTHING RETURNING id")


def run(db: str, rows: int, n: int, in_flight: int) -> dict:
    import psycopg

    threads = max(1, in_flight // rows)
    statements = n // (rows * threads)
    if statements == 0:
        raise SystemExit(f"--n {n} is fewer rows than {threads} thread(s) of {rows} row(s) insert at once")
    numbers = itertools.count()
    lock = threading.Lock()
    conns = [psycopg.connect(libpq_url(db), autocommit=True) for _ in range(threads)]
    sql = _sql(rows)

    def work(conn) -> None:
        cur = conn.cursor()
        for _ in range(statements):
            params: list = []
            for _row in range(rows):
                with lock:
                    i = next(numbers)
                params += ["wecom", f"wecom:{i}", "dealer_bj_li", PAYLOAD, datetime.now(UTC), "new", 0, f"r:{i}"]
            cur.execute(sql, params, prepare=True)
            cur.fetchall()

    workers = [threading.Thread(target=work, args=(c,)) for c in conns]
    t0, busy0, own0 = time.monotonic(), machine_busy_s(), _own_cpu_s()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    # (Backends still open: their CPU is counted.)
    elapsed, busy, own = time.monotonic() - t0, machine_busy_s() - busy0, _own_cpu_s() - own0
    for c in conns:
        c.close()
    done = statements * rows * threads
    return {"rows_per_statement": rows, "threads": threads, "rows": done, "rows_per_s": round(done / elapsed),
            "machine_cpu_ms_per_row": round(1000 * busy / done, 3),
            "client_cpu_ms_per_row": round(1000 * own / done, 3)}


def _own_cpu_s() -> float:
    """This process's CPU (the client side: building rows, psycopg, the threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=20_000, help="rows per run (default 20000)")
    ap.add_argument("--rows", default="1,2,4,8", help="rows per statement, one run each (default 1,2,4,8)")
    ap.add_argument("--in-flight", type=int, default=8, help="rows in flight at once (default 8: gunicorn's threads)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rid = run_id()
    db = fresh_database(rid, "ackrows")
    try:
        import psycopg
        with psycopg.connect(libpq_url(db), autocommit=True) as conn:
            for statement in SCHEMA:
                conn.execute(statement)
        results = []
        for rows in (int(r) for r in args.rows.split(",")):
            with psycopg.connect(libpq_url(db), autocommit=True) as conn:
                conn.execute("TRUNCATE inbox")
            results.append(run(db, rows, args.n, args.in_flight))
            r = results[-1]
            with psycopg.connect(libpq_url(db), autocommit=True) as conn:
                stored = conn.execute("SELECT count(*) FROM inbox").fetchone()[0]
            if stored != r["rows"] or not r["rows"]:
                print(f"{rows} row(s) a statement: {stored} rows stored, {r['rows']} counted", file=sys.stderr)
                return 1
            print(f"{r['rows_per_statement']} row(s) a statement, {r['threads']} thread(s): "
                  f"{r['rows_per_s']:,} rows/s, {r['machine_cpu_ms_per_row']:.3f} ms of the machine per row "
                  f"(of it {r['client_cpu_ms_per_row']:.3f} ms this client's)")
    finally:
        drop_database(db)
    path = args.out / f"ack-rows-{rid}.json"
    path.write_text(json.dumps({"results": results, "machine": machine_facts()}, indent=2, ensure_ascii=False))
    print(f"JSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

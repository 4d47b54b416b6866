"""The floor of the stack (issue 16): what a registration costs this machine before
Qudao does anything of its own.

The e2e goal is 300 registrations a second on two cores, the load generator
included: at most 6.7 ms of the whole machine's CPU per registration. This bench
measures how much of that the fixed stack takes by itself — SQLAlchemy 2.x
sessions over psycopg 3 on PostgreSQL, one transaction per command — by running
the accepted path's SQL with nothing around it: no HTTP, no crypto, no parser, no
matcher, no ORM objects, no Redis. Three phases, each on every core at once
(``--procs`` processes × ``--threads`` threads, each thread its own partner, so no
row lock is ever waited for):

- ``ack``: the acknowledgement's INSERT into the inbox, committed (autocommit);
- ``command``: one transaction of the statements an accepted registration runs
  (the inbox row taken, catalog and rule version, the partner with the next id and
  its claim number, the customer's key, its candidates, the customer and its tokens
  with the partner's open registrations counted up to the default quota, the
  registration, its lock, the audit event, the reply in the outbox, and last the
  partner's claim number bumped with its ring slot: its row lock), committed;
- ``delivery``: the reply claimed (one transaction) and marked sent (another),
  as the outbox does around a send; the send itself is not made.

Statements are built once (text with bound parameters, as the hot path does), and
rows are the app's sizes (JSON verdicts, payloads). For each phase it prints the
rate and the machine's CPU per operation (all processes: PostgreSQL too, from
/proc/stat), then their sum: the least a registration can cost here.

    .venv/bin/python bench/stack_floor.py [--seconds 20] [--procs 2] [--threads 2]

Needs the local PostgreSQL (a fresh database, dropped afterwards;
QUDAO_BENCH_PG_ADMIN). Writes its figures as JSON into bench/results/.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scale.env import drop_database, fresh_database, machine_busy_s, machine_facts, run_id, sqlalchemy_url  # noqa: E402

PHASES = ("ack", "command", "delivery")
BUDGET_MS = 2 * 1000 / 300          # two cores at 300 registrations a second
PRODUCTS = 12
HISTORY = 50_000                    # rows each table holds before the clock starts
DELIVERY_BATCH = 20                 # replies claimed at once: the floor takes the outbox's cheapest path

SCHEMA = """
CREATE TABLE inbox (id bigserial PRIMARY KEY, dedup_key varchar(200) UNIQUE NOT NULL, sender varchar(100),
    payload jsonb NOT NULL, received_at timestamptz NOT NULL, status varchar(10) NOT NULL DEFAULT 'new',
    processed_at timestamptz);
CREATE INDEX ix_inbox_new ON inbox (id) WHERE status = 'new';
CREATE TABLE rule_sets (version int PRIMARY KEY, active boolean NOT NULL);
CREATE TABLE products (sku varchar(40) PRIMARY KEY, name varchar(100), line varchar(40), aliases jsonb,
    active boolean);
CREATE TABLE partners (id serial PRIMARY KEY, name varchar(100), regions jsonb, product_lines jsonb,
    tier varchar(20), claim_seq bigint NOT NULL DEFAULT 0);
CREATE TABLE partner_recent_claims (partner_id int, slot int, seq bigint, customer_id int, resembled_id int,
    PRIMARY KEY (partner_id, slot));
CREATE TABLE customers (id serial PRIMARY KEY, name varchar(200), name_key varchar(200) UNIQUE,
    region varchar(40), created_at timestamptz);
CREATE TABLE customer_tokens (token varchar(200), customer_id int, PRIMARY KEY (token, customer_id));
CREATE TABLE registrations (id serial PRIMARY KEY, number varchar(40), partner_id int, customer_id int,
    status varchar(20), amount_yuan numeric(14, 2), verdicts jsonb, match jsonb, received_at timestamptz,
    created_at timestamptz);
CREATE INDEX ix_reg_partner_status ON registrations (partner_id, status);
CREATE TABLE registration_locks (id serial PRIMARY KEY, customer_id int, scope_key varchar(100),
    registration_id int, expires_at timestamptz, UNIQUE (customer_id, scope_key));
CREATE TABLE audit_events (id bigserial PRIMARY KEY, at timestamptz, actor varchar(100), action varchar(60),
    entity_id varchar(60), after jsonb, verdicts jsonb);
CREATE TABLE outbox (id bigserial PRIMARY KEY, idem_key varchar(200) UNIQUE, recipient varchar(100),
    payload jsonb, status varchar(10) NOT NULL, attempts int NOT NULL DEFAULT 0, next_attempt_at timestamptz,
    sent_at timestamptz);
CREATE INDEX ix_outbox_due ON outbox (recipient, id) WHERE status = 'pending';
"""

# The shapes of what the app writes: nine verdicts with their facts, a reply of a few lines.
VERDICT = {"rule_id": "registration.territory", "outcome": "pass", "reason_code": "IN_TERRITORY",
           "message": "客户所在地区（北京）在贵司授权区域内。", "facts": {"partner_regions": ["北京", "天津"],
           "customer": "北京某某医院", "customer_region": "北京"}, "hint": "", "approver_role": None}
VERDICTS = [dict(VERDICT, rule_id=f"registration.check{i}") for i in range(9)]
REPLY = {"kind": "text", "content": "✅ 报备成功 RG20261207-0001\n客户：北京某某医院\n产品线：影像\n金额：¥80万\n"
         "保护期至 2027-03-07。\n" * 2}
INBOUND = {"platform": "wecom", "sender": "dealer", "kind": "text", "msg_id": "", "text":
           "报备 北京某某医院 影像设备 80万 预计下月签约 联系人王主任", "received_at": None, "chat_id": None}


def _statements():
    from sqlalchemy import text
    t = {
        "ack": "INSERT INTO inbox (dedup_key, sender, payload, received_at) VALUES (:key, :sender, "
               "CAST(:payload AS jsonb), now()) ON CONFLICT (dedup_key) DO NOTHING RETURNING id",
        "first": "SELECT min(id) FROM inbox WHERE sender = :sender AND dedup_key LIKE '%:pre:%'",
        "take": "UPDATE inbox SET status = 'done', processed_at = now() WHERE id = :id AND status = 'new' "
                "RETURNING payload, received_at",
        "reference": "SELECT r.v, p.sku, p.name, p.line, p.aliases, p.active FROM (SELECT max(version) AS v "
                     "FROM rule_sets WHERE active) r LEFT JOIN products p ON true ORDER BY p.sku",
        "partner": "SELECT id, name, regions, product_lines, tier, claim_seq, "
                   "nextval('registrations_id_seq') AS next_id FROM partners WHERE id = :partner",
        "by_key": "SELECT id, name, region FROM customers WHERE name_key = :key",
        "candidates": "SELECT c.id, c.name, c.region FROM customer_tokens t JOIN customers c ON "
                      "c.id = t.customer_id WHERE t.token = ANY(CAST(:tokens AS varchar[])) LIMIT 12",
        "customer": "WITH made AS (INSERT INTO customers (name, name_key, region, created_at) VALUES (:name, "
                    ":key, '北京', now()) ON CONFLICT DO NOTHING RETURNING id, name, region), filed AS "
                    "(INSERT INTO customer_tokens (token, customer_id) SELECT unnest(CAST(:tokens AS "
                    "varchar[])), made.id FROM made) SELECT id, name, region, (SELECT count(*) FROM "
                    "(SELECT 1 FROM registrations WHERE partner_id = :partner AND status IN ('pending', "
                    "'approved') LIMIT 100) AS open_regs) FROM made",
        "registration": "INSERT INTO registrations (id, number, partner_id, customer_id, status, amount_yuan, "
                        "verdicts, match, received_at, created_at) VALUES (:id, :number, :partner, :customer, "
                        "'approved', 800000, CAST(:verdicts AS jsonb), CAST(:match AS jsonb), now(), now())",
        "lock": "INSERT INTO registration_locks (customer_id, scope_key, registration_id, expires_at) VALUES "
                "(:customer, 'line:影像', :id, now() + interval '90 days') ON CONFLICT DO NOTHING RETURNING id",
        "audit": "INSERT INTO audit_events (at, actor, action, entity_id, after, verdicts) VALUES (now(), "
                 ":actor, 'registration.submitted', :number, CAST(:after AS jsonb), CAST(:verdicts AS jsonb))",
        "reply": "INSERT INTO outbox (idem_key, recipient, payload, status, next_attempt_at) VALUES (:idem, "
                 ":recipient, CAST(:payload AS jsonb), 'pending', now()) ON CONFLICT (idem_key) DO NOTHING",
        "bump": "WITH bumped AS (UPDATE partners SET claim_seq = claim_seq + 1 WHERE id = :partner RETURNING "
                "claim_seq) INSERT INTO partner_recent_claims (partner_id, slot, seq, customer_id, resembled_id) "
                "SELECT CAST(:partner AS int), claim_seq % 64, claim_seq, CAST(:customer AS int), NULL FROM bumped "
                "ON CONFLICT (partner_id, slot) DO UPDATE SET seq = excluded.seq, customer_id = excluded.customer_id, "
                "resembled_id = excluded.resembled_id RETURNING seq",
        "claim": "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id IN (SELECT id FROM "
                 "outbox WHERE status = 'pending' AND recipient = :recipient ORDER BY id LIMIT :batch "
                 "FOR UPDATE SKIP LOCKED) RETURNING id, payload",
        "sent": "UPDATE outbox SET status = 'sent', sent_at = now() WHERE id = ANY(CAST(:ids AS bigint[]))",
    }
    return {k: text(v) for k, v in t.items()}


def _setup(db: str, partners: int) -> None:
    from sqlalchemy import create_engine, text
    engine = create_engine(sqlalchemy_url(db))
    with engine.begin() as conn:
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(text(statement))
        conn.execute(text("INSERT INTO rule_sets VALUES (1, true)"))
        conn.execute(text("INSERT INTO products SELECT 'SKU-' || g, '产品' || g, 'line' || (g % 4), "
                          "'[]'::jsonb, true FROM generate_series(1, :n) g"), {"n": PRODUCTS})
        conn.execute(text("INSERT INTO partners (name, regions, product_lines, tier) SELECT '经销商' || g, "
                          "'[\"北京\"]', '[\"影像\"]', 'gold' FROM generate_series(1, :n) g"), {"n": partners})
        # A history, so the planner's statistics describe tables of a production's size
        # (this PostgreSQL may run without autovacuum): every read below is an index's.
        conn.execute(text("INSERT INTO customers (name, name_key, region, created_at) SELECT '历史客户' || g, "
                          "'历史客户' || g, '北京', now() FROM generate_series(1, :n) g"), {"n": HISTORY})
        conn.execute(text("INSERT INTO customer_tokens SELECT '历史' || (g % 5000), g FROM generate_series(1, :n) g"),
                     {"n": HISTORY})
        conn.execute(text("INSERT INTO registrations (number, partner_id, customer_id, status, amount_yuan, verdicts, "
                          "match, received_at, created_at) SELECT 'RG-H' || g, 1 + g % :p, g, 'closed', 1000, "
                          "'[]', '{}', now(), now() FROM generate_series(1, :n) g"), {"n": HISTORY, "p": partners})
        conn.execute(text("INSERT INTO registration_locks (customer_id, scope_key, registration_id, expires_at) "
                          "SELECT g, 'line:影像', g, now() FROM generate_series(1, :n) g"), {"n": HISTORY})
        conn.execute(text("INSERT INTO outbox (idem_key, recipient, payload, status, sent_at) SELECT 'h:' || g, "
                          "'dealer' || (1 + g % :p), '{}', 'sent', now() FROM generate_series(1, :n) g"),
                     {"n": HISTORY, "p": partners})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def _command(conn, st: dict, partner: int, sender: str, n: int, inbox_id: int) -> bool:
    """One accepted registration's statements, in one transaction; False when no row is left.
    The inbox row is taken by its id, as a worker takes the rows it claimed."""
    with conn.begin():
        if conn.execute(st["take"], {"id": inbox_id}).first() is None:
            return False
        conn.execute(st["reference"]).all()
        row = conn.execute(st["partner"], {"partner": partner}).one()
        name = f"北京第{partner}-{n}-{time.time_ns()}医院"
        conn.execute(st["by_key"], {"key": name}).first()
        tokens = [name[:4], name[2:6], name[-4:]]
        conn.execute(st["candidates"], {"tokens": tokens}).all()
        customer = conn.execute(st["customer"], {"name": name, "key": name, "tokens": tokens,
                                                 "partner": partner}).one()
        number = f"RG20261207-{row.next_id:04d}"
        verdicts = json.dumps(VERDICTS, ensure_ascii=False)
        conn.execute(st["registration"], {"id": row.next_id, "number": number, "partner": partner,
                                          "customer": customer.id, "verdicts": verdicts,
                                          "match": json.dumps({"verdict": "distinct", "score": 0})})
        conn.execute(st["lock"], {"customer": customer.id, "id": row.next_id}).all()
        conn.execute(st["audit"], {"actor": sender, "number": number, "after": json.dumps(
            {"number": number, "customer": name, "status": "approved"}, ensure_ascii=False), "verdicts": verdicts})
        conn.execute(st["reply"], {"idem": f"reg:{number}", "recipient": sender,
                                   "payload": json.dumps(REPLY, ensure_ascii=False)})
        conn.execute(st["bump"], {"partner": partner, "customer": customer.id}).one()
    return True


def _delivery(conn, st: dict, sender: str) -> int:
    """A batch of replies claimed (one transaction) and marked sent (another); how many."""
    with conn.begin():
        claimed = conn.execute(st["claim"], {"recipient": sender, "batch": DELIVERY_BATCH}).all()
    if not claimed:
        return 0
    for row in claimed:
        json.dumps(row.payload)              # what a send would serialise
    with conn.begin():
        conn.execute(st["sent"], {"ids": [row.id for row in claimed]})
    return len(claimed)


def _run_thread(phase: str, engine, partner: int, stop_at: float, counts: list, slot: int) -> None:
    st = _statements()
    sender = f"dealer{partner}"
    done = n = 0
    with engine.connect() as conn:
        if phase == "ack":
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        if phase == "command":          # this thread's rows were filled in one run of ids
            first = conn.execute(st["first"], {"sender": sender}).scalar()
            conn.commit()
        while time.monotonic() < stop_at:
            n += 1
            if phase == "ack":
                conn.execute(st["ack"], {"key": f"{sender}:{n}:{time.time_ns()}", "sender": sender,
                                         "payload": json.dumps(INBOUND, ensure_ascii=False)}).first()
                got = 1
            elif phase == "command":
                got = 1 if first is not None and _command(conn, st, partner, sender, n, first + n - 1) else 0
            else:
                got = _delivery(conn, st, sender)
            if not got:
                break
            done += got
    counts[slot] = done


def _process(phase: str, db: str, first_partner: int, threads: int, seconds: float, barriers,
             out: mp.Queue) -> None:
    from sqlalchemy import create_engine, text
    ready, finished = barriers
    engine = create_engine(sqlalchemy_url(db), pool_size=threads, max_overflow=0)
    held = [engine.connect() for _ in range(threads)]       # the pool's connections opened before the clock
    for conn in held:
        conn.execute(text("SELECT 1"))
    for conn in held:
        conn.close()
    counts = [0] * threads
    ready.wait()                         # every process starts together, its imports and connections done
    stop_at = time.monotonic() + seconds
    workers = [threading.Thread(target=_run_thread, args=(phase, engine, first_partner + i, stop_at, counts, i))
               for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put(sum(counts))
    finished.wait()                      # PostgreSQL's backends kept until their CPU has been read
    engine.dispose()


def _cpu() -> tuple[float, float]:
    """(busy seconds of the whole machine, seconds PostgreSQL's processes used), so far."""
    hz = os.sysconf("SC_CLK_TCK")
    pg = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
                continue
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pg += int(stat[11]) + int(stat[12])
    return machine_busy_s(), pg / hz


def _prefill_inbox(db: str, senders: list[str], per_sender: int) -> None:
    from sqlalchemy import create_engine, text
    engine = create_engine(sqlalchemy_url(db))
    with engine.begin() as conn:
        for sender in senders:
            conn.execute(text("INSERT INTO inbox (dedup_key, sender, payload, received_at) SELECT :s || ':pre:' "
                              "|| g, :s, CAST(:payload AS jsonb), now() FROM generate_series(1, :n) g"),
                         {"s": sender, "n": per_sender, "payload": json.dumps(INBOUND, ensure_ascii=False)})
        conn.execute(text("ANALYZE"))
    engine.dispose()


def run_phase(phase: str, db: str, procs: int, threads: int, seconds: float) -> dict:
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    ready, finished = ctx.Barrier(procs + 1), ctx.Barrier(procs + 1)
    children = [ctx.Process(target=_process, args=(phase, db, 1 + p * threads, threads, seconds,
                                                   (ready, finished), out))
                for p in range(procs)]
    for c in children:
        c.start()
    ready.wait(timeout=120)
    busy0, pg0 = _cpu()
    t0 = time.monotonic()
    ops = sum(out.get(timeout=seconds + 120) for _ in children)
    wall = time.monotonic() - t0
    busy1, pg1 = _cpu()
    finished.wait(timeout=60)
    for c in children:
        c.join()
    ops = max(ops, 1)
    return {"phase": phase, "ops": ops, "seconds": round(wall, 2), "per_s": round(ops / wall, 1),
            "machine_ms": round(1000 * (busy1 - busy0) / ops, 3), "postgres_ms": round(1000 * (pg1 - pg0) / ops, 3),
            "machine_busy": round((busy1 - busy0) / wall / (os.cpu_count() or 1), 3)}


def check(db: str, results: list[dict]) -> list[str]:
    """What each phase wrote, counted in the database: a phase measured doing
    nothing would be no floor. The failures, described; empty when all agree."""
    from sqlalchemy import create_engine, text
    ops = {r["phase"]: r["ops"] for r in results}
    engine = create_engine(sqlalchemy_url(db))
    with engine.connect() as conn:
        found = {
            "ack": conn.execute(text("SELECT count(*) FROM inbox WHERE dedup_key NOT LIKE '%:pre:%'")).scalar(),
            "command": conn.execute(text("SELECT count(*) FROM registrations r JOIN registration_locks l ON "
                                         "l.registration_id = r.id JOIN audit_events a ON a.entity_id = r.number "
                                         "JOIN outbox o ON o.idem_key = 'reg:' || r.number")).scalar(),
            "delivery": conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'sent' "
                                          "AND idem_key LIKE 'reg:%'")).scalar(),
        }
        taken = conn.execute(text("SELECT count(*) FROM inbox WHERE status = 'done'")).scalar()
    engine.dispose()
    problems = [f"{phase}: {ops[phase]} counted, {found[phase]} in the database"
                for phase in PHASES if phase in ops and found[phase] != ops[phase]]
    if "command" in ops and taken != ops["command"]:
        problems.append(f"command: {ops['command']} counted, {taken} inbox rows taken")
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=20.0, help="each phase's length (default 20)")
    p.add_argument("--procs", type=int, default=2, help="processes (default 2, as the e2e's workers)")
    p.add_argument("--threads", type=int, default=2, help="threads per process (default 2)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results", help="where the JSON goes")
    args = p.parse_args(argv)
    if args.seconds <= 0 or args.procs < 1 or args.threads < 1:
        p.error("--seconds must be positive, --procs and --threads at least 1")
    rid = run_id()
    db = fresh_database(rid, "floor")
    senders = args.procs * args.threads
    results = []
    try:
        _setup(db, senders)
        results.append(run_phase("ack", db, args.procs, args.threads, args.seconds))
        # The command phase takes rows of its own, more than it can process in its time.
        _prefill_inbox(db, [f"dealer{i}" for i in range(1, senders + 1)], int(args.seconds * 400) + 50)
        results.append(run_phase("command", db, args.procs, args.threads, args.seconds))
        results.append(run_phase("delivery", db, args.procs, args.threads, args.seconds))
        problems = check(db, results)
    finally:
        drop_database(db)
    total = sum(r["machine_ms"] for r in results)
    print(f"stack floor: {args.procs} processes × {args.threads} threads, {args.seconds:g} s a phase")
    print("| phase | per second | machine CPU per op | of it PostgreSQL | machine busy |")
    print("|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['phase']} | {r['per_s']:,.0f} | {r['machine_ms']:.2f} ms | {r['postgres_ms']:.2f} ms "
              f"| {r['machine_busy']:.0%} |")
    print(f"| a registration (the three) | {1000 * 2 / total:,.0f} (two cores' worth) | {total:.2f} ms "
          f"| {sum(r['postgres_ms'] for r in results):.2f} ms | |")
    print(f"300 registrations/s on two cores leaves {BUDGET_MS:.2f} ms of the machine per registration; "
          f"the stack alone takes {total:.2f} ms ({total / BUDGET_MS:.0%} of it).")
    facts = machine_facts()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"stack-floor-{rid}.json"
    path.write_text(json.dumps({"run": rid, "procs": args.procs, "threads": args.threads, "seconds": args.seconds,
                                "phases": results, "problems": problems, "registration_ms": round(total, 3),
                                "budget_ms": BUDGET_MS, "machine": facts}, ensure_ascii=False, indent=1))
    print("Checks: " + ("; ".join(problems) if problems else "all passed (every operation counted is in the "
                                                             "database)"))
    print(f"JSON: {path}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

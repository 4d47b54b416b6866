"""The scale benchmark (bench/bench_scale.py) runs every part once, tiny, so it
can't rot: gunicorn with the floor app and with Qudao on a fresh PostgreSQL
database, the load generator, the counting fake WeCom API, and each part's
figures and checks in the JSON it writes. The figures are not judged here (a
shared machine); what must hold whatever the speed is: every part ran, every
request was answered, nothing was lost, one holder, replies within the limit."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.apps import PG_ADMIN, REDIS_URL

pytestmark = [pytest.mark.bench, pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--ack-n", "40", "--open-rate", "40", "--open-seconds", "1", "--e2e-n", "12", "--contention-n", "4",
        "--month-orders", "4", "--month-dealers", "2", "--month-seconds", "2", "--month-tap-delay", "0.5",
        "--settle-timeout", "30", "--quiet-wait", "0", "--web-workers", "1", "--connections", "4", "--workers", "1",
        "--warmup", "10"]


def test_every_part_runs_tiny(tmp_path):
    out = tmp_path / "scale.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_scale.py"), *TINY, "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "QUDAO_BENCH_REDIS": REDIS_URL,
                               "QUDAO_BENCH_PG_ADMIN": PG_ADMIN})
    assert out.exists(), done.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    parts = report["parts"]
    assert set(parts) == {"ack", "openloop", "e2e", "contention", "month_end"}
    for name, part in parts.items():
        assert "error" not in part, f"{name}: {part.get('error')}"
    # The machine is described; the table printed has a row per measurement.
    assert report["machine"]["cores"] and report["machine"]["postgresql"] and report["machine"]["redis"]
    assert "| ack floor: wechatpy verify + decrypt + parse, empty 200 |" in done.stdout
    assert "Qudao `/wecom/callback` ack" in done.stdout

    ack = parts["ack"]
    assert ack["floor"]["ok"] == 40 and ack["qudao"]["ok"] == 40
    assert ack["floor"]["requests_per_s"] > 0 and ack["qudao"]["p99_ms"] >= ack["qudao"]["p50_ms"] > 0
    assert ack["checks"]["durable"] == {"ok": True, "acked": 40, "inbox_rows": 40}
    assert ack["floor"]["machine_cpu_ms"] > 0 and ack["qudao"]["machine_cpu_ms"] > 0   # the machine per request

    op = parts["openloop"]
    assert op["sent"] == 40 and op["ok"] == 40 and op["checks"]["no_errors"]["ok"]

    e2e = parts["e2e"]
    assert e2e["checks"]["nothing_lost"]["ok"], e2e["inbox"]
    assert e2e["checks"]["one_reply_each"]["ok"], e2e["replies"]
    assert e2e["checks"]["platform_limit"]["ok"] and e2e["checks"]["replies_reach_platform"]["ok"]
    assert e2e["registrations"] == {"approved": 12}      # new customers: the accepted path
    assert e2e["processed_per_s"] > 0

    con = parts["contention"]
    assert con["checks"]["exactly_one_holder"]["ok"], con["holders"]
    assert con["checks"]["everyone_told"]["ok"] and con["all_told_s"] > 0
    assert con["registrations"].get("approved", 0) + con["registrations"].get("pending", 0) == 1

    month = parts["month_end"]
    assert month["orders_by_status"] == {"confirmed": 4}
    assert month["checks"]["nothing_lost"]["ok"] and month["checks"]["platform_limit"]["ok"]
    assert month["platform"]["members"] >= 2 and month["first_reply_ms"]["max"] < 60_000


def test_e2e_can_spread_the_registrations_over_more_partners(tmp_path):
    """--e2e-dealers N: the registrations come from N bench dealers of as many
    partners (the per-partner quota lock spread), all on the accepted path."""
    out = tmp_path / "scale.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_scale.py"), *TINY, "--parts", "e2e",
                           "--e2e-dealers", "4", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "QUDAO_BENCH_REDIS": REDIS_URL,
                               "QUDAO_BENCH_PG_ADMIN": PG_ADMIN})
    assert out.exists(), done.stderr[-3000:]
    e2e = json.loads(out.read_text(encoding="utf-8"))["parts"]["e2e"]
    assert "error" not in e2e, e2e.get("error")
    assert e2e["dealers"] == 4 and e2e["registrations"] == {"approved": 12}
    assert e2e["checks"]["nothing_lost"]["ok"] and e2e["checks"]["one_reply_each"]["ok"]
    assert e2e["platform"]["members"] == 4                  # the replies went to the four bench dealers
    assert "4 dealers of as many partners" in done.stdout


def test_a_negative_dealer_count_is_refused():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_scale.py"), "--e2e-dealers", "-1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2 and "--e2e-dealers must be 0" in done.stderr


def test_the_profile_of_the_paths_runs_tiny():
    """bench/profile_paths.py (CPU per callback, per registration, per contended
    claim, in one process) runs on a fresh database and reports each part."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "profile_paths.py"), "-n", "20"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "QUDAO_BENCH_REDIS": REDIS_URL,
                               "QUDAO_BENCH_PG_ADMIN": PG_ADMIN})
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("ack, per callback: floor ") for line in lines), done.stdout
    assert any(line.startswith("commands: 20 registrations, ") for line in lines), done.stdout
    assert any(line.startswith("contention: 64 claims on one customer decided in ") for line in lines), done.stdout


@pytest.mark.parametrize("stale", [[], ["--stale"]], ids=["analyzed", "stale"])
def test_the_queue_plans_run_tiny(stale):
    """bench/queue_plans.py (the claims' plans and times on a table with history) runs
    on a fresh database and reports every statement, with statistics current or not."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "queue_plans.py"), "--history", "2000",
                           "--new", "50", "--parked", "100", *stale],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "QUDAO_BENCH_PG_ADMIN": PG_ADMIN})
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("Execution Time:") == 4, done.stdout
    assert "== outbox claim" in done.stdout and "ix_outbox_due_open" in done.stdout, done.stdout


def test_the_stack_floor_runs_tiny(tmp_path):
    """bench/stack_floor.py (the accepted path's SQL with nothing around it, on every
    core) runs its three phases on a fresh database, and what it counted is what
    the database holds (its own check), so the floor is never measured doing nothing."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "stack_floor.py"), "--seconds", "1",
                           "--procs", "1", "--threads", "2", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "QUDAO_BENCH_PG_ADMIN": PG_ADMIN})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Checks: all passed" in done.stdout, done.stdout
    [written] = tmp_path.glob("stack-floor-*.json")
    report = json.loads(written.read_text())
    assert [p["phase"] for p in report["phases"]] == ["ack", "command", "delivery"]
    assert all(p["ops"] > 0 and p["machine_ms"] > 0 for p in report["phases"]), report["phases"]
    assert report["problems"] == []
    assert report["registration_ms"] == pytest.approx(sum(p["machine_ms"] for p in report["phases"]), abs=0.01)


def test_the_ack_rows_probe_runs_tiny(tmp_path):
    """bench/ack_rows.py (an INSERT's machine CPU per row, by rows per statement)
    stores every row it counts."""
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "ack_rows.py"), "--n", "64", "--rows", "1,4",
                           "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "QUDAO_BENCH_PG_ADMIN": PG_ADMIN})
    assert done.returncode == 0, done.stderr[-3000:]
    [written] = tmp_path.glob("ack-rows-*.json")
    results = json.loads(written.read_text())["results"]
    assert [(r["rows_per_statement"], r["threads"], r["rows"]) for r in results] == [(1, 8, 64), (4, 2, 64)]
    # (CPU is counted in clock ticks: a tiny run may read 0, never less.)
    assert all(r["machine_cpu_ms_per_row"] >= 0 and r["client_cpu_ms_per_row"] >= 0 for r in results)
    too_few = subprocess.run([sys.executable, str(ROOT / "bench" / "ack_rows.py"), "--n", "4", "--rows", "8",
                              "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300,
                             env={"PATH": "/usr/bin:/bin", "QUDAO_BENCH_PG_ADMIN": PG_ADMIN})
    assert too_few.returncode != 0 and "fewer rows" in too_few.stderr and "Traceback" not in too_few.stderr


def test_the_stack_floor_refuses_an_empty_run():
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "stack_floor.py"), "--seconds", "0"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2 and "--seconds must be positive" in done.stderr

"""The machine, the databases and the small statistics every part needs."""
from __future__ import annotations

import os
import platform
import re
import secrets
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
PG_ADMIN = os.environ.get("QUDAO_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
BENCH_REDIS = os.environ.get("QUDAO_BENCH_REDIS", "redis://127.0.0.1:6379/8")


def pg_admin(sql: str) -> None:
    import psycopg
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def sqlalchemy_url(name: str) -> str:
    return f"{PG_ADMIN.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+psycopg://')}/{name}"


def libpq_url(name: str) -> str:
    return f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"


def fresh_database(run_id: str, part: str, template: str | None = None) -> str:
    """A new PostgreSQL database for one part of one run (empty, or a copy of
    ``template``); its name."""
    name = f"qudao_bench_{run_id}_{part}"[:63]
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    # What a server in China is usually set to (as the tests do).
    pg_admin(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Shanghai'")
    return name


def drop_database(name: str) -> None:
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(url: str = BENCH_REDIS) -> None:
    import redis
    redis.Redis.from_url(url).flushdb()


def _cpu_fields() -> list[int]:
    """/proc/stat's first line: user, nice, system, idle, iowait, irq, softirq, steal (ticks)."""
    return [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]


def machine_busy_s() -> float:
    """Seconds of CPU the whole machine has spent busy so far (every process:
    PostgreSQL and Redis too; not idle, not iowait), from /proc/stat; 0 where there is none."""
    try:
        fields = _cpu_fields()
    except (OSError, ValueError):
        return 0.0
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def busy_fraction(seconds: float = 1.0) -> float | None:
    """How busy the whole machine was over the next ``seconds`` (0–1), from
    /proc/stat; None where there is none."""
    def sample():
        fields = _cpu_fields()
        return sum(fields) - fields[3] - fields[4], sum(fields)      # busy (not idle, not iowait), all
    try:
        b0, t0 = sample()
        time.sleep(seconds)
        b1, t1 = sample()
    except (OSError, ValueError):
        return None
    return (b1 - b0) / (t1 - t0) if t1 > t0 else None


def settle(log=print, below: float = 0.15, timeout: float = 60.0) -> None:
    """Before a part: PostgreSQL's dirty pages written out (a CHECKPOINT, so that
    none falls inside the part because of the part before), then wait until the
    machine is quiet (busy below ``below`` for a second) or ``timeout`` passed."""
    pg_admin("CHECKPOINT")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = busy_fraction()
        if busy is None or busy < below:
            return
    log(f"  the machine stayed busy ({busy:.0%}) for {timeout:.0f} s; going on")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)


def machine_facts() -> dict:
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            m = re.search(r"^model name\s*:\s*(.+)$", fh.read(), re.M)
            cpu = m.group(1).strip() if m else ""
    except OSError:
        pass
    mem_gib = None
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            m = re.search(r"MemTotal:\s+(\d+) kB", fh.read())
            mem_gib = round(int(m.group(1)) / 1024 / 1024, 1) if m else None
    except OSError:
        pass
    pg = redis_v = ""
    try:
        import psycopg
        with psycopg.connect(PG_ADMIN) as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # facts are best effort
        pg = f"unknown ({exc.__class__.__name__})"
    try:
        import redis
        redis_v = redis.Redis.from_url(BENCH_REDIS).info("server")["redis_version"]
    except Exception as exc:
        redis_v = f"unknown ({exc.__class__.__name__})"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    try:
        load1 = round(os.getloadavg()[0], 2)
    except OSError:
        load1 = None
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "cores": os.cpu_count(), "cpu": cpu,
            "memory_gib": mem_gib, "python": platform.python_version(), "postgresql": pg, "redis": redis_v,
            "os": platform.platform(), "commit": commit, "load_avg_1m_at_start": load1}


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    xs = sorted(values)
    k = max(0, min(len(xs) - 1, round(p / 100 * len(xs) + 0.5) - 1))
    return xs[k]


def fmt_ms(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:.1f} ms" if v < 100 else f"{v:,.0f} ms"


def fmt_n(v: float | None, digits: int = 0) -> str:
    if v is None:
        return "–"
    return f"{v:,.{digits}f}"

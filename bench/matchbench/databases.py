"""The benchmark's databases: a fresh one per run, inspected, then removed.

A fresh database every time, because the figures are meant for a first import
into an empty customer table.  PostgreSQL is the local server on 127.0.0.1:5432;
the benchmark database is created through the `test` maintenance database.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
# QUDAO_BENCH_DB names the run's database and SQLite file, so that runs on one
# machine (several engineers, several worktrees) don't drop each other's.
PG_DB = os.environ.get("QUDAO_BENCH_DB", "qudao_bench")
PG_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"


def sqlite_url(n: int) -> str:
    path = Path(f"/tmp/{PG_DB}_{n}.sqlite")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def pg_admin(sql: str) -> None:
    import psycopg
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def pg_create() -> str:
    pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {PG_DB}")
    return PG_URL


def server_version(engine) -> str:
    from sqlalchemy import text
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return conn.execute(text("SHOW server_version")).scalar()
        return conn.execute(text("select sqlite_version()")).scalar()


def table_counts(engine) -> dict:
    from sqlalchemy import text
    out = {}
    with engine.connect() as conn:
        for table in ("customers", "customer_tokens", "customer_aliases"):
            out[table] = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
        if engine.dialect.name == "postgresql":
            out["db_mb"] = round(conn.execute(text("SELECT pg_database_size(current_database())")).scalar() / 2**20)
            out["analyzed"] = {r[0]: bool(r[1] or r[2]) for r in conn.execute(text(
                "SELECT relname, last_analyze, last_autoanalyze FROM pg_stat_user_tables "
                "WHERE relname IN ('customers', 'customer_tokens', 'customer_aliases')"))}
        else:
            path = engine.url.database
            out["db_mb"] = round(sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p)) / 2**20)
    return out


def analyze(engine) -> None:
    from sqlalchemy import text
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()


@contextmanager
def fresh_database(db: str, n: int, keep: bool):
    """An engine on a new, empty database with the current schema.  Disposed on
    the way out, and the PostgreSQL database dropped unless --keep asked to
    leave it for a closer look (the SQLite file stays in /tmp either way)."""
    from models.db import make_engine, upgrade_schema
    url = sqlite_url(n) if db == "sqlite" else pg_create()
    engine = make_engine(url)
    try:
        upgrade_schema(engine)
        yield engine
    finally:
        engine.dispose()
        if db == "postgresql" and not keep:
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")

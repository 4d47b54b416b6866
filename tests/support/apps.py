"""Building the app for a test: the demo organisation, databases copied from
a template built once per session, and the README's embedded mode as a
subprocess."""
from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import yaml
from sqlalchemy import text

from bot.app import create_app, prepare_database
from bot.seed import seed_demo
from bot.settings import CONFIG_DIR
from models.db import make_engine, make_session_factory
from tests.support.reading import wait_for

ROOT = Path(__file__).resolve().parents[2]
DEMO = yaml.safe_load((CONFIG_DIR / "demo" / "org.yaml").read_text(encoding="utf-8"))
DEMO_USERIDS = [u["userid"] for u in DEMO["users"]]
# Members of the corp who are not set up in Qudao.
CORP_ONLY_USERS = ["stranger", "ChenJiaShun"]
PG_ADMIN = os.environ.get("QUDAO_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("QUDAO_TEST_REDIS", "redis://127.0.0.1:6379/15")
# 2026-11-23 10:00 in Beijing
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def build_app(settings, clock, platforms=None, seed: bool = True):
    """create_app, and the demo organisation (already there in a copied template:
    seeding again changes nothing, and is cheap)."""
    app = create_app(settings, clock=clock, platforms=platforms)
    if seed:
        q = app.extensions["qudao"]
        with q.factory() as s, s.begin():
            seed_demo(s, q.clock)
    return app


# ---- template databases: migrated (and seeded) once, copied per test ---------------------

def make_sqlite_template(path: Path, settings, clock, demo: bool) -> Path:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    factory = make_session_factory(engine)
    prepare_database(engine, factory, clock, settings)
    if demo:
        with factory() as s, s.begin():
            seed_demo(s, clock)
    engine.dispose()
    with sqlite3.connect(path) as conn:  # everything in the main file: a copy of it is the whole database
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def copy_sqlite(template: Path, to: Path) -> str:
    shutil.copyfile(template, to)
    return f"sqlite:///{to}"


def pg_admin(sql: str) -> None:
    import psycopg
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def pg_url_of(name: str) -> str:
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    return f"{base}/{name}"


def make_pg_template(settings, clock) -> str:
    name = f"qudao_tpl_{secrets.token_hex(4)}"
    pg_admin(f'CREATE DATABASE "{name}"')
    # What a server in China is usually set to; datetimes then come back as +08:00.
    pg_admin(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Shanghai'")
    engine = make_engine(pg_url_of(name))
    factory = make_session_factory(engine)
    prepare_database(engine, factory, clock, settings)
    with factory() as s, s.begin():
        seed_demo(s, clock)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    engine.dispose()
    return name


def add_integration(app, name: str = "erp") -> str:
    """A token for the ERP API, as `python -m bot integration add` makes one."""
    from chat.integrations import new_token, token_hash
    from models import Integration
    q = app.extensions["qudao"]
    token = new_token()
    with q.factory() as s, s.begin():
        s.add(Integration(name=name, token_hash=token_hash(token), created_at=q.clock.now()))
    return token


def serve_demo(tmp_path, env_out: dict | None = None):
    """`python -m bot seed-demo` then `serve` (the README's embedded default: SQLite,
    simulator, embedded scheduler) on a free port; yields its base URL. ``env_out``
    receives the environment it runs with (for other commands on the same database)."""
    import requests
    port = 20000 + secrets.randbelow(5000)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "QUDAO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/served.sqlite3", PYTHONPATH=str(ROOT), PORT=str(port))
    if env_out is not None:
        env_out.update(env)
    subprocess.run([sys.executable, "-m", "bot", "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    # The server's log goes to a file: a pipe nobody reads until the end fills up and blocks it.
    log_path = tmp_path / "serve.log"
    log = open(log_path, "w")        # noqa: SIM115 (closed in finally, after the server is down)
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"

    def up():
        try:
            return requests.get(base + "/healthz", timeout=1).ok
        except requests.RequestException:
            return False
    try:
        assert wait_for(up, timeout=30), "serve did not come up"
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:    # never leave a server behind the run
            proc.kill()
            proc.wait(timeout=10)
        log.close()
        out = log_path.read_text()
        if "/sim/" not in out or "Traceback" in out:
            print(out[-20000:])

"""Fixtures every kind of test shares: a pinned clock, the settings, and
databases copied from templates built once per session (migrated and
seeded: a test gets its own copy in milliseconds). The real PostgreSQL and
Redis of the machine are used as they are, never mocked.

The kinds: unit/ (domain and core pieces, no app), capabilities/ (features
through the platform-free test backend), adapters/ (WeCom crypto and XML,
the simulator, the HTTP adapter, the outbox on a real platform API),
e2e/ (processes, the browser, PostgreSQL with Redis, the CLI)."""
from __future__ import annotations

import secrets
import threading

import pytest

from bot.settings import load_settings
from domain.clock import FrozenClock
from tests.support.apps import T0, copy_sqlite, make_pg_template, make_sqlite_template, pg_admin, pg_url_of


def _scheduler_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name == "APScheduler"}


@pytest.fixture(autouse=True)
def no_scheduler_left_running():
    """A test that starts an embedded scheduler stops it: one left running fires
    its jobs into later tests' databases and, at exit, into the interpreter's
    shutdown ("cannot schedule new futures after interpreter shutdown")."""
    before = _scheduler_threads()
    yield
    left = _scheduler_threads() - before
    for thread in left:
        thread.join(timeout=2)      # one being stopped is given the time to end
    assert not [t for t in left if t.is_alive()], "the test left its scheduler running"


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def settings_env() -> dict:
    return {}


@pytest.fixture
def base_settings(settings_env):
    return load_settings(settings_env)


@pytest.fixture(scope="session")
def templates(tmp_path_factory):
    """Paths of the session's template databases, built on first use."""
    return {"dir": tmp_path_factory.mktemp("templates")}


def _sqlite_template(templates, demo: bool):
    key = "demo" if demo else "empty"
    if key not in templates:
        templates[key] = make_sqlite_template(templates["dir"] / f"{key}.sqlite3", load_settings({}),
                                              FrozenClock(T0), demo)
    return templates[key]


@pytest.fixture
def db_url(tmp_path, templates) -> str:
    """A SQLite database with the schema and the demo organisation (a copy)."""
    return copy_sqlite(_sqlite_template(templates, demo=True), tmp_path / "qudao-test.sqlite3")


@pytest.fixture
def empty_db_url(tmp_path, templates) -> str:
    """A SQLite database with the schema only (a copy)."""
    return copy_sqlite(_sqlite_template(templates, demo=False), tmp_path / "qudao-empty.sqlite3")


@pytest.fixture(scope="session")
def pg_template():
    name = make_pg_template(load_settings({}), FrozenClock(T0))
    yield name
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_template):
    """A PostgreSQL database of its own, copied from the migrated, seeded template."""
    name = f"qudao_test_{secrets.token_hex(4)}"
    pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    pg_admin(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Shanghai'")
    yield pg_url_of(name)
    pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url():
    import redis as redis_lib

    from tests.support.apps import REDIS_URL
    client = redis_lib.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()

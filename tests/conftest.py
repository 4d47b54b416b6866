"""Shared fixtures: a pinned clock, the local mock of the WeCom API, the app, and
a driver that talks to the app exactly as WeCom does (signed, encrypted XML)."""
from __future__ import annotations

import os
import secrets
import time
from datetime import datetime, timezone
from xml.sax.saxutils import escape

import pytest
import yaml

from bot.app import create_app
from domain.clock import FrozenClock
from adapters.simulator import FakeWeComServer
from adapters.wecom.crypto import WeComCrypto
from bot.seed import seed_demo
from bot.settings import CONFIG_DIR, load_settings

DEMO = yaml.safe_load((CONFIG_DIR / "demo" / "org.yaml").read_text(encoding="utf-8"))
DEMO_USERIDS = [u["userid"] for u in DEMO["users"]]
# Members of the WeCom corp who are not set up in Qudao.
CORP_ONLY_USERS = ["stranger", "ChenJiaShun"]
PG_ADMIN = os.environ.get("QUDAO_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("QUDAO_TEST_REDIS", "redis://127.0.0.1:6379/15")
# 2026-11-23 10:00 in Beijing
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def settings_env() -> dict:
    return {}


@pytest.fixture
def base_settings(settings_env):
    return load_settings(settings_env)


@pytest.fixture
def wecom(base_settings, clock):
    """The local mock of the WeCom API (a real HTTP server on 127.0.0.1), on the test's clock."""
    with FakeWeComServer(corp_id=base_settings.wecom.corp_id, secret=base_settings.wecom.secret,
                         agent_id=base_settings.wecom.agent_id, known_users=[*DEMO_USERIDS, *CORP_ONLY_USERS],
                         clock=lambda: clock.now().timestamp()) as srv:
        yield srv


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/qudao-test.sqlite3"


def build_app(settings, clock):
    app = create_app(settings, clock=clock)
    q = app.extensions["qudao"]
    with q.factory() as s, s.begin():
        seed_demo(s, q.clock)
    return app


@pytest.fixture
def app(db_url, wecom, clock, base_settings):
    settings = base_settings.with_(database_url=db_url, simulator=False,
                                   processing="inline").with_wecom(api_base=wecom.base_url)
    app = build_app(settings, clock)
    yield app
    q = app.extensions["qudao"]
    q.runner.stop()
    q.engine.dispose()


class WeComDriver:
    """Posts callbacks the way WeCom does: XML, AES-encrypted, signed, timestamped."""

    def __init__(self, app, clock, settings, wecom=None):
        self.wecom = wecom      # the mock WeCom issues the ResponseCode each click carries
        self.client = app.test_client()
        self.clock = clock
        self.corp_id = settings.wecom.corp_id
        self.agent_id = settings.wecom.agent_id
        self.crypto = WeComCrypto(settings.wecom.token, settings.wecom.aes_key, settings.wecom.corp_id)

    def inner_xml(self, fields: dict) -> str:
        parts = "".join(f"<{k}><![CDATA[{v}]]></{k}>" if isinstance(v, str) else f"<{k}>{v}</{k}>"
                        for k, v in fields.items())
        return f"<xml>{parts}</xml>"

    def post_inner(self, inner: str, ts: int | None = None, signature: str | None = None):
        ts = int(self.clock.now().timestamp()) if ts is None else ts
        sealed = self.crypto.seal(inner, str(ts))
        body = (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
                f"<Encrypt><![CDATA[{sealed['encrypt']}]]></Encrypt><AgentID>{self.agent_id}</AgentID></xml>")
        query = {"msg_signature": signature or sealed["msg_signature"], "timestamp": sealed["timestamp"],
                 "nonce": sealed["nonce"]}
        return self.client.post("/wecom/callback", query_string=query, data=body.encode(),
                                 content_type="text/xml")

    def fields(self, user: str, msg_type: str, **more) -> dict:
        return {"ToUserName": self.corp_id, "FromUserName": user, "CreateTime": int(self.clock.now().timestamp()),
                "MsgType": msg_type, **more, "AgentID": self.agent_id}

    def text(self, user: str, content: str, msg_id: str | None = None):
        msg_id = msg_id or str(secrets.randbits(62))
        return self.post_inner(self.inner_xml(self.fields(user, "text", Content=escape(content), MsgId=msg_id)))

    def click(self, user: str, task_id: str, key: str, response_code: str | None = None):
        if response_code is None:
            response_code = (self.wecom.state.issue_response_code(task_id, [user], "click") if self.wecom
                             else secrets.token_hex(12))
        code = response_code
        return self.post_inner(self.inner_xml(self.fields(
            user, "event", Event="template_card_event", EventKey=key, TaskId=task_id,
            CardType="button_interaction", ResponseCode=code)))

    def image(self, user: str, media_id: str, pic_url: str = "http://example.invalid/pic.jpg"):
        return self.post_inner(self.inner_xml(self.fields(
            user, "image", PicUrl=pic_url, MediaId=media_id, MsgId=str(secrets.randbits(62)))))

    def location(self, user: str, lat: float, lng: float, label: str = ""):
        return self.post_inner(self.inner_xml(self.fields(
            user, "location", Location_X=str(lat), Location_Y=str(lng), Scale=15, Label=label,
            MsgId=str(secrets.randbits(62)))))


@pytest.fixture
def driver(app, clock, base_settings, wecom) -> WeComDriver:
    return WeComDriver(app, clock, base_settings, wecom)


# ---- reading what the mock WeCom received ----------------------------------------

def texts_to(wecom, user: str) -> list[str]:
    """Text and markdown bodies the bot delivered to ``user``, in order."""
    out = []
    for e in wecom.state.messages_to(user):
        p = e["payload"]
        if e["msgtype"] in ("text", "markdown"):
            out.append(p.get("content") or p.get(e["msgtype"], {}).get("content", ""))
    return out


def last_text(wecom, user: str) -> str:
    texts = texts_to(wecom, user)
    assert texts, f"nothing was sent to {user}"
    return texts[-1]


def cards_to(wecom, user: str):
    return wecom.state.cards_for(user)


def wait_for(predicate, timeout: float = 10.0, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def add_integration(app, name: str = "erp") -> str:
    """A token for the ERP API, as `python -m bot integration add` makes one."""
    from chat.integrations import new_token, token_hash
    from models import Integration
    q = app.extensions["qudao"]
    token = new_token()
    with q.factory() as s, s.begin():
        s.add(Integration(name=name, token_hash=token_hash(token), created_at=q.clock.now()))
    return token


def serve_demo(tmp_path):
    """`python -m bot seed-demo` then `serve` (the README's embedded default: SQLite,
    simulator, embedded scheduler) on a free port; yields its base URL."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    import requests
    root = Path(__file__).resolve().parent.parent
    port = 20000 + secrets.randbelow(5000)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "QUDAO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/served.sqlite3", PYTHONPATH=str(root))
    subprocess.run([sys.executable, "-m", "bot", "seed-demo"], cwd=root, env=env, check=True, capture_output=True)
    # The server's log goes to a file: a pipe nobody reads until the end fills up and blocks it.
    log_path = tmp_path / "serve.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port)], cwd=root, env=env,
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
        proc.wait(timeout=10)
        log.close()
        out = log_path.read_text()
        if "/sim/" not in out or "Traceback" in out:
            print(out[-20000:])


# ---- the real PostgreSQL and Redis ---------------------------------------------------

@pytest.fixture
def pg_url():
    import psycopg
    name = f"qudao_test_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # What a server in China is usually set to; datetimes then come back as +08:00.
        conn.execute(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Shanghai'")
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url():
    import redis as redis_lib
    client = redis_lib.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def pg_app(pg_url, redis_url, wecom, clock, base_settings):
    settings = base_settings.with_(database_url=pg_url, redis_url=redis_url,
                                   simulator=False, processing="inline").with_wecom(api_base=wecom.base_url)
    app = build_app(settings, clock)
    yield app
    app.extensions["qudao"].engine.dispose()



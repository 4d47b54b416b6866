"""The WeCom side for adapter and end-to-end tests: the local mock of the
WeCom API (a real HTTP server on 127.0.0.1) and a driver that talks to the app
exactly as WeCom does (signed, encrypted XML callbacks)."""
from __future__ import annotations

import secrets
from xml.sax.saxutils import escape

import pytest

from adapters.simulator import FakeWeComServer, inbound_xml
from adapters.wecom.crypto import WeComCrypto
from tests.support.apps import CORP_ONLY_USERS, DEMO_USERIDS, build_app


@pytest.fixture
def wecom(base_settings, clock):
    """The local mock of the WeCom API, on the test's clock."""
    cfg = base_settings.wecom
    with FakeWeComServer(corp_id=cfg.corp_id, secret=cfg.secret, agent_id=cfg.agent_id,
                         known_users=[*DEMO_USERIDS, *CORP_ONLY_USERS],
                         clock=lambda: clock.now().timestamp()) as srv:
        yield srv


@pytest.fixture
def app(db_url, wecom, clock, base_settings):
    settings = base_settings.with_(database_url=db_url, simulator=False, processing="inline") \
        .with_wecom(api_base=wecom.base_url)
    app = build_app(settings, clock)
    yield app
    q = app.extensions["qudao"]
    q.runner.stop()
    q.engine.dispose()


@pytest.fixture
def pg_app(pg_url, redis_url, wecom, clock, base_settings):
    settings = base_settings.with_(database_url=pg_url, redis_url=redis_url, simulator=False,
                                   processing="inline").with_wecom(api_base=wecom.base_url)
    app = build_app(settings, clock)
    yield app
    app.extensions["qudao"].engine.dispose()


class WeComDriver:
    """Posts callbacks the way WeCom does: XML, AES-encrypted, signed, timestamped."""

    def __init__(self, app, clock, settings, wecom=None):
        self.wecom = wecom      # the mock WeCom issues the ResponseCode each click carries
        self.client = app.test_client()
        self.clock = clock
        cfg = settings.wecom
        self.corp_id = cfg.corp_id
        self.agent_id = cfg.agent_id
        self.crypto = WeComCrypto(cfg.token, cfg.aes_key, cfg.corp_id)

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

    def group_text(self, user: str, content: str, chat_id: str, name: str = "", webhook_url: str | None = None,
                   msg_id: str | None = None):
        """A message in a group chat, as the group's robot hands it on (with its webhook)."""
        if webhook_url is None:
            webhook_url = f"{self.wecom.base_url}webhook/send?key={self.wecom.state.group_webhook_key(chat_id)}"
        return self.post_inner(inbound_xml.group_text_message(
            user, name or user, chat_id, content, msg_id or str(secrets.randbits(62)), webhook_url,
            int(self.clock.now().timestamp())))

    def click(self, user: str, task_id: str, key: str, response_code: str | None = None):
        if response_code is None:
            response_code = (self.wecom.state.issue_response_code(task_id, [user], "click") if self.wecom
                             else secrets.token_hex(12))
        return self.post_inner(self.inner_xml(self.fields(
            user, "event", Event="template_card_event", EventKey=key, TaskId=task_id,
            CardType="button_interaction", ResponseCode=response_code)))

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


@pytest.fixture
def pg_driver(pg_app, clock, base_settings, wecom) -> WeComDriver:
    """The driver on the PostgreSQL and Redis app."""
    return WeComDriver(pg_app, clock, base_settings, wecom)

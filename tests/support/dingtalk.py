"""The DingTalk side for adapter and end-to-end tests: the local fake of the
DingTalk APIs (a real HTTP server on 127.0.0.1) and a driver that talks to the
app exactly as DingTalk does (signed robot JSON, sealed card-click events)."""
from __future__ import annotations

import json
import secrets

import pytest

from adapters.dingtalk.crypto import DingTalkCrypto
from adapters.dingtalk.sign import sign
from adapters.simulator.dingtalk import CardClickClient, FakeDingTalkServer, RobotClient
from tests.support.apps import CORP_ONLY_USERS, DEMO, DEMO_USERIDS, build_app

DEMO_GROUPS = {g["chat_id"]: g["title"] for g in DEMO["groups"]}
NAMES = {u["userid"]: u["name"] for u in DEMO["users"]}
CORP_ID = "dingcorpqudaotest"


@pytest.fixture
def dingtalk(base_settings, clock):
    cfg = base_settings.dingtalk
    with FakeDingTalkServer(cfg.app_key, cfg.app_secret, cfg.robot_code, known_users=[*DEMO_USERIDS, *CORP_ONLY_USERS],
                            known_groups=list(DEMO_GROUPS), clock=lambda: clock.now().timestamp()) as srv:
        yield srv


def dingtalk_settings(base_settings, db_url, dingtalk, wecom=None):
    """DingTalk wired to the fake; WeCom too when its fake is given (one organisation on both)."""
    settings = base_settings.with_(database_url=db_url, simulator=False, processing="inline") \
        .with_dingtalk(api_base=dingtalk.api_base, oapi_base=dingtalk.oapi_base, enabled=True)
    if wecom is None:
        return settings.with_(default_platform="dingtalk").with_wecom(enabled=False)
    return settings.with_wecom(api_base=wecom.base_url)


@pytest.fixture
def dt_app(db_url, dingtalk, clock, base_settings):
    app = build_app(dingtalk_settings(base_settings, db_url, dingtalk), clock)
    yield app
    q = app.extensions["qudao"]
    q.runner.stop()
    q.engine.dispose()


class DingTalkDriver:
    """Posts what DingTalk posts: robot messages (signed) and card clicks (sealed)."""

    def __init__(self, app, clock, settings, dingtalk):
        cfg = settings.dingtalk
        self.client = app.test_client()
        self.clock = clock
        self.app_secret = cfg.app_secret
        self.dingtalk = dingtalk
        now = lambda: clock.now().timestamp()          # noqa: E731
        self.robot = RobotClient(cfg.app_secret, cfg.robot_code, CORP_ID, dingtalk.state, url=lambda: "",
                                 oapi_base=lambda: dingtalk.oapi_base, clock=now)
        self.crypto = DingTalkCrypto(cfg.event_token, cfg.event_aes_key, cfg.app_key)
        self.cards = CardClickClient(self.crypto, CORP_ID, url=lambda: "", clock=now)

    def post_robot(self, doc: dict, ts_ms: int | None = None, signature: str | None = None, headers: bool = True):
        ts = str(int(self.clock.now().timestamp() * 1000) if ts_ms is None else ts_ms)
        hdrs = {"timestamp": ts, "sign": signature or sign(self.app_secret, ts)} if headers else {}
        return self.client.post("/dingtalk/robot", data=json.dumps(doc, ensure_ascii=False).encode(),
                                headers=hdrs, content_type="application/json")

    def text(self, user: str, content: str, group: str | None = None, mentioned: bool = True,
             msg_id: str | None = None, **doc_changes):
        doc = self.robot.message(user, NAMES.get(user, user), content,
                                 group=(group, DEMO_GROUPS.get(group, group)) if group else None,
                                 mentioned=mentioned, msg_id=msg_id)
        doc.update(doc_changes)
        return self.post_robot(doc)

    def post_event(self, event: dict, signature: str | None = None, ts_ms: int | None = None):
        ts = str(int(self.clock.now().timestamp() * 1000) if ts_ms is None else ts_ms)
        nonce = secrets.token_hex(4)
        sealed = self.crypto.seal(json.dumps(event, ensure_ascii=False), ts, nonce)
        return self.client.post("/dingtalk/events", json={"encrypt": sealed["encrypt"]},
                                query_string={"signature": signature or sealed["msg_signature"], "timestamp": ts,
                                              "nonce": nonce})

    def click(self, user: str, out_track_id: str, action: str, group: str | None = None):
        return self.post_event(self.cards.click_event(out_track_id, user, action, group))


@pytest.fixture
def dt_driver(dt_app, clock, base_settings, dingtalk) -> DingTalkDriver:
    return DingTalkDriver(dt_app, clock, base_settings, dingtalk)

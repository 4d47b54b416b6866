"""Shared pieces of the simulator tests: the test corp, its members, message
bodies, a hand-driven clock, a minimal WeCom client and the fake-API fixtures.

The fixtures (``clock``, ``server``, ``api``) take effect in a test module that
binds them at module level, e.g. ``clock, server, api = sim_helpers.clock, ...``.
"""
from __future__ import annotations

import base64
from typing import Any

import pytest
import requests

from adapters.simulator import FakeWeComServer

CORP, SECRET, AGENT = "ww_test_corp", "test-secret", 1000002
TOKEN = "simtoken123"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
USERS = [
    {"userid": "dealer_bj_li", "name": "李明", "role": "dealer", "org": "北京康健医疗器械有限公司"},
    {"userid": "mgr_wang", "name": "王经理", "role": "manager", "org": "华北渠道部"},
    {"userid": "rep_zhao", "name": "赵强", "role": "rep", "org": "直销团队"},
]
USERIDS = [u["userid"] for u in USERS]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class FakeClock:
    def __init__(self, start: float = 1_700_000_000.0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def card(task_id: str = "deal_1", **over: Any) -> dict:
    base = {
        "card_type": "button_interaction",
        "task_id": task_id,
        "main_title": {"title": "特价审批", "desc": "北京协和医院 · 彩超"},
        "horizontal_content_list": [{"keyname": "金额", "value": "80万"}],
        "button_list": [{"text": "同意", "style": 1, "key": "approve"},
                        {"text": "驳回", "style": 3, "key": "reject"}],
    }
    base.update(over)
    return base


def text_body(content: str = "你好", touser: str = "dealer_bj_li", **over: Any) -> dict:
    return {"touser": touser, "agentid": AGENT, "msgtype": "text", "text": {"content": content}, **over}


def card_body(task_id: str = "deal_1", touser: str = "mgr_wang", **over: Any) -> dict:
    return {"touser": touser, "agentid": AGENT, "msgtype": "template_card",
            "template_card": card(task_id, **over)}


class Api:
    """A minimal WeCom client for the tests (the bot has its own)."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        self.http.trust_env = False   # never route 127.0.0.1 through a proxy

    def token(self) -> str:
        answer = self.http.get(self.base + "gettoken", params={"corpid": CORP, "corpsecret": SECRET}).json()
        assert answer["errcode"] == 0, answer
        return answer["access_token"]

    def post(self, path: str, body: Any, token: str | None = None, **kw: Any) -> dict:
        tok = self.token() if token is None else token
        return self.http.post(self.base + path, params={"access_token": tok}, json=body, **kw).json()

    def send(self, body: Any, token: str | None = None) -> dict:
        return self.post("message/send", body, token)

    def update(self, body: Any, token: str | None = None) -> dict:
        return self.post("message/update_template_card", {"agentid": AGENT, **body}, token)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def server(clock: FakeClock):
    with FakeWeComServer(CORP, SECRET, AGENT, USERIDS, clock=clock) as srv:
        yield srv


@pytest.fixture
def api(server: FakeWeComServer) -> Api:
    return Api(server.base_url)

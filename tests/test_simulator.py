"""Tests of the local WeCom simulator (fake API, state, chat page API).

Everything runs on 127.0.0.1: the fake API on a FakeWeComServer thread, the
"bot" that receives callbacks on a second werkzeug server thread.
"""
from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any, Callable

import pytest
import requests
import xmltodict
from flask import Flask, request
from werkzeug.serving import make_server

from bot.platforms.simulator import FakeWeComServer, SimulatorState, create_simulator_blueprint
from bot.platforms.simulator.inbound_xml import Cdata, build_xml
from bot.platforms.simulator.msgids import MsgIdGenerator
from bot.platforms.wecom.crypto import CryptoError, WeComCrypto

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


# ------------------------------------------------------------------ tokens
def test_gettoken_issues_token_and_reuses_it_while_valid(server, api, clock):
    first = api.http.get(server.base_url + "gettoken", params={"corpid": CORP, "corpsecret": SECRET}).json()
    assert first["errcode"] == 0 and first["expires_in"] == 7200 and first["access_token"]
    clock.advance(100)
    again = api.http.get(server.base_url + "gettoken", params={"corpid": CORP, "corpsecret": SECRET}).json()
    assert again["access_token"] == first["access_token"] and again["expires_in"] == 7100


@pytest.mark.parametrize("params, errcode", [
    ({"corpid": "wrong", "corpsecret": SECRET}, 40013),
    ({"corpid": CORP, "corpsecret": "wrong"}, 40001),
    ({"corpsecret": SECRET}, 41002),
    ({"corpid": CORP}, 41004),
])
def test_gettoken_rejects_bad_credentials(server, api, params, errcode):
    answer = api.http.get(server.base_url + "gettoken", params=params).json()
    assert answer["errcode"] == errcode and "access_token" not in answer


@pytest.mark.parametrize("spoil, errcode", [
    (lambda srv, tok, clock: tok + "x", 40014),
    (lambda srv, tok, clock: "", 41001),
    (lambda srv, tok, clock: (srv.state.invalidate_token(tok), tok)[1], 40014),
    (lambda srv, tok, clock: (srv.state.expire_all_tokens(), tok)[1], 42001),
    (lambda srv, tok, clock: (clock.advance(7200), tok)[1], 42001),
])
def test_bad_or_dead_token_is_refused(server, api, clock, spoil, errcode):
    tok = spoil(server, api.token(), clock)
    assert api.send(text_body(), token=tok)["errcode"] == errcode
    assert server.state.sent_count("dealer_bj_li") == 0


def test_expired_token_is_replaced_by_a_new_one(server, api, clock):
    old = api.token()
    clock.advance(7201)
    new = api.token()
    assert new != old
    assert api.send(text_body(), token=new)["errcode"] == 0


# ------------------------------------------------------------- sending
@pytest.mark.parametrize("msgtype", ["text", "markdown"])
def test_text_and_markdown_are_delivered(server, api, msgtype):
    content = "**报备成功**\n> 保护期至 2027-02-01"
    answer = api.send({"touser": "dealer_bj_li", "agentid": str(AGENT), "msgtype": msgtype,
                       msgtype: {"content": content}})
    assert answer["errcode"] == 0 and answer["msgid"] and "response_code" not in answer
    [msg] = server.state.messages_to("dealer_bj_li")
    assert (msg["msgtype"], msg["payload"], msg["msgid"]) == (msgtype, {"content": content}, answer["msgid"])


def test_content_of_exactly_2048_bytes_is_accepted(server, api):
    assert api.send(text_body("报" * 682 + "ab"))["errcode"] == 0   # 2046 + 2 bytes


def test_card_is_delivered_with_a_response_code(server, api):
    answer = api.send(card_body("deal_1", touser="mgr_wang|rep_zhao"))
    assert answer["errcode"] == 0 and answer["response_code"]
    for uid in ("mgr_wang", "rep_zhao"):
        [msg] = server.state.messages_to(uid)
        assert msg["msgtype"] == "template_card" and msg["payload"]["task_id"] == "deal_1"
        [rec] = server.state.cards_for(uid)
        assert rec.state == "active" and rec.card["main_title"]["title"] == "特价审批"
    code = server.state.response_code(answer["response_code"])
    assert code.task_id == "deal_1" and set(code.userids) == {"mgr_wang", "rep_zhao"}


def test_unknown_users_are_listed_in_invaliduser(server, api):
    answer = api.send(text_body(touser="dealer_bj_li|nobody|bad user"))
    assert answer["errcode"] == 0 and set(answer["invaliduser"].split("|")) == {"nobody", "bad user"}
    assert server.state.sent_count("dealer_bj_li") == 1


def _spoil(body: dict, path: str, value: Any) -> dict:
    body = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    node = body
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    if value is KeyError:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return body


@pytest.mark.parametrize("base, path, value, errcode", [
    (text_body(), "agentid", 999, 40056),
    (text_body(), "agentid", KeyError, 41011),
    (text_body(), "msgtype", "voice", 40008),
    (text_body(), "text.content", "", 44004),
    (text_body(), "text", KeyError, 44004),
    (text_body(), "text.content", "报" * 683, 45002),           # 2049 bytes
    (text_body(), "touser", "nobody|ghost", 81013),
    (text_body(), "duplicate_check_interval", 0, 40058),
    (card_body(), "template_card.task_id", KeyError, 40058),
    (card_body(), "template_card.task_id", "has space", 40058),
    (card_body(), "template_card.task_id", "中文", 40058),
    (card_body(), "template_card.task_id", "a" * 129, 40058),
    (card_body(), "template_card.main_title", KeyError, 40058),
    (card_body(), "template_card.main_title.title", "", 40058),
    (card_body(), "template_card.card_type", "vote_interaction", 40058),
    (card_body(), "template_card.horizontal_content_list", [{"keyname": "k", "value": "v"}] * 7, 40058),
    (card_body(), "template_card.horizontal_content_list.0.keyname", KeyError, 40058),
    (card_body(), "template_card.button_list", [], 40058),
    (card_body(), "template_card.button_list", [{"text": "x", "key": "k"}] * 7, 40058),
    (card_body(), "template_card.button_list.0.style", 5, 40058),
    (card_body(), "template_card.button_list.0.key", KeyError, 40058),
    (card_body(), "template_card.button_list.0.text", "", 40058),
    ({"touser": "mgr_wang", "agentid": AGENT, "msgtype": "image", "image": {}}, "touser", "mgr_wang", 41006),
    ({"touser": "mgr_wang", "agentid": AGENT, "msgtype": "image", "image": {"media_id": "3nope"}},
     "touser", "mgr_wang", 40007),
])
def test_send_validation_errors(server, api, base, path, value, errcode):
    answer = api.send(_spoil(base, path, value))
    assert answer["errcode"] == errcode, answer
    assert all(server.state.sent_count(u) == 0 for u in USERIDS)


def test_all_invalid_users_are_reported(server, api):
    answer = api.send(text_body(touser="ghost"))
    assert answer["errcode"] == 81013 and answer["invaliduser"] == "ghost"


def test_bad_json_and_wrong_method(server, api):
    tok = api.token()
    raw = api.http.post(server.base_url + "message/send", params={"access_token": tok}, data=b"{nope")
    assert raw.json()["errcode"] == 47001
    got = api.http.get(server.base_url + "message/send", params={"access_token": tok})
    assert got.json()["errcode"] == 43002


def test_task_id_is_unique_per_app(server, api):
    assert api.send(card_body("deal_9", touser="mgr_wang"))["errcode"] == 0
    again = api.send(card_body("deal_9", touser="rep_zhao"))
    assert again["errcode"] == 990001 and "simulated" in again["errmsg"]
    assert server.state.cards_for("rep_zhao") == []


def test_text_notice_card_is_accepted_without_response_code(server, api):
    notice = {"card_type": "text_notice", "main_title": {"title": "报备已通过"},
              "card_action": {"type": 1, "url": "https://example.invalid/deal/1"}}
    answer = api.send({"touser": "dealer_bj_li", "agentid": AGENT, "msgtype": "template_card",
                       "template_card": notice})
    assert answer["errcode"] == 0 and "response_code" not in answer
    assert server.state.messages_to("dealer_bj_li")[0]["payload"]["card_type"] == "text_notice"


# ---------------------------------------------------------- duplicates
def test_duplicate_check_suppresses_identical_message_in_window(server, api, clock):
    body = text_body("订单已确认", enable_duplicate_check=1, duplicate_check_interval=600)
    first, second = api.send(body), api.send(body)
    assert first["errcode"] == second["errcode"] == 0 and first["msgid"] == second["msgid"]
    assert server.state.sent_count("dealer_bj_li") == 1
    assert [s.reason for s in server.state.suppressed("dealer_bj_li")] == ["duplicate"]
    assert api.send({**body, "text": {"content": "另一条"}})["errcode"] == 0
    assert server.state.sent_count("dealer_bj_li") == 2
    clock.advance(601)
    api.send(body)
    assert server.state.sent_count("dealer_bj_li") == 3


def test_without_duplicate_check_identical_messages_are_delivered(server, api):
    api.send(text_body("同一句"))
    api.send(text_body("同一句"))
    assert server.state.sent_count("dealer_bj_li") == 2 and server.state.suppressed() == []


# ---------------------------------------------------------- rate limit
def test_31st_message_in_a_minute_to_one_member_is_silently_dropped(server, api, clock):
    tok = api.token()
    answers = [api.send(text_body(f"第{i}条"), token=tok) for i in range(31)]
    assert all(a["errcode"] == 0 for a in answers)
    assert server.state.sent_count("dealer_bj_li") == 30
    [dropped] = server.state.dropped("dealer_bj_li")
    assert dropped.payload == {"content": "第30条"} and dropped.reason == "rate_limited"
    assert api.send(text_body("别人", touser="rep_zhao"), token=tok)["errcode"] == 0
    assert server.state.sent_count("rep_zhao") == 1       # the limit is per member
    clock.advance(61)
    api.send(text_body("一分钟后"), token=tok)
    assert server.state.sent_count("dealer_bj_li") == 31


def test_hourly_limit_of_1000_per_member(server, api, clock):
    for _ in range(999):
        server.state.count_delivery("dealer_bj_li")
    clock.advance(120)                                    # out of the minute window
    tok = api.token()
    api.send(text_body("第1000条"), token=tok)
    api.send(text_body("第1001条"), token=tok)
    assert server.state.sent_count("dealer_bj_li") == 1 and len(server.state.dropped()) == 1
    clock.advance(3600)
    api.send(text_body("下个小时"), token=tok)
    assert server.state.sent_count("dealer_bj_li") == 2


# ------------------------------------------------------ card updates
def test_update_with_replace_name_works_once(server, api):
    code = api.send(card_body("deal_2", touser="mgr_wang"))["response_code"]
    body = {"userids": ["mgr_wang"], "response_code": code, "button": {"replace_name": "已同意 · 王经理"}}
    assert api.update(body) == {"errcode": 0, "errmsg": "ok", "invaliduser": []}
    [rec] = server.state.cards_for("mgr_wang")
    assert (rec.state, rec.replace_name, rec.clickable()) == ("replaced_name", "已同意 · 王经理", False)
    again = api.update(body)
    assert again["errcode"] == 990003


@pytest.mark.parametrize("mutate, errcode", [
    (lambda body, clock: body.update(response_code="made-up"), 990002),
    (lambda body, clock: clock.advance(72 * 3600), 990004),
    (lambda body, clock: body.update(userids=[]), 40058),
    (lambda body, clock: body.update(button={}), 40058),
    (lambda body, clock: body.update(agentid=1), 40056),
])
def test_update_errors(server, api, clock, mutate, errcode):
    code = api.send(card_body("deal_3", touser="mgr_wang"))["response_code"]
    body = {"userids": ["mgr_wang"], "response_code": code, "button": {"replace_name": "已处理"}}
    mutate(body, clock)
    assert api.update(body)["errcode"] == errcode
    assert server.state.cards_for("mgr_wang")[0].state == "active"


def test_update_with_whole_card_replaces_it(server, api):
    code = api.send(card_body("deal_4", touser="mgr_wang|rep_zhao"))["response_code"]
    new = card("deal_4", main_title={"title": "特价审批（已转交）"},
               button_list=[{"text": "查看", "style": 2, "key": "view"}])
    answer = api.update({"userids": ["mgr_wang", "dealer_bj_li"], "response_code": code, "template_card": new})
    assert answer["errcode"] == 0 and answer["invaliduser"] == ["dealer_bj_li"]
    mine = server.state.card("mgr_wang", "deal_4")
    assert mine.state == "replaced_card" and mine.card["main_title"]["title"] == "特价审批（已转交）"
    assert mine.clickable() and mine.original["main_title"]["title"] == "特价审批"
    assert server.state.card("rep_zhao", "deal_4").state == "active"


def test_update_with_atall_covers_every_recipient(server, api):
    code = api.send(card_body("deal_5", touser="mgr_wang|rep_zhao"))["response_code"]
    assert api.update({"atall": 1, "response_code": code, "button": {"replace_name": "已撤回"}})["errcode"] == 0
    assert {c.state for u in ("mgr_wang", "rep_zhao") for c in server.state.cards_for(u)} == {"replaced_name"}


# ------------------------------------------------------------ faults
def test_fail_next_answers_the_injected_code_then_recovers(server, api):
    server.state.fail_next("message/send", 45009, times=2, errmsg="api freq out of limit")
    tok = api.token()
    first, second, third = (api.send(text_body(), token=tok) for _ in range(3))
    assert first == {"errcode": 45009, "errmsg": "api freq out of limit"} and second["errcode"] == 45009
    assert third["errcode"] == 0 and server.state.sent_count("dealer_bj_li") == 1


@pytest.mark.parametrize("errcode", [-1, 40014, 42001, 45033])
def test_fail_next_on_gettoken(server, api, errcode):
    server.state.fail_next("gettoken", errcode)
    got = api.http.get(server.base_url + "gettoken", params={"corpid": CORP, "corpsecret": SECRET}).json()
    assert got["errcode"] == errcode and "access_token" not in got
    assert api.token()


def test_fail_next_only_matches_its_path(server, api):
    server.state.fail_next("message/update_template_card", -1)
    assert api.send(text_body())["errcode"] == 0
    assert server.state.faults.pending() == 1


def test_drop_next_answers_502_without_side_effects(server, api):
    tok = api.token()
    server.state.drop_next("message/send")
    resp = api.http.post(server.base_url + "message/send", params={"access_token": tok}, json=text_body())
    assert resp.status_code == 502
    assert server.state.sent_count("dealer_bj_li") == 0
    assert api.send(text_body(), token=tok)["errcode"] == 0


def test_a_dropped_call_does_not_use_up_an_injected_failure(server, api):
    tok = api.token()
    server.state.fail_next("message/send", -1)
    server.state.drop_next("message/send")
    url = server.base_url + "message/send"
    assert api.http.post(url, params={"access_token": tok}, json=text_body()).status_code == 502
    assert api.send(text_body(), token=tok)["errcode"] == -1
    assert api.send(text_body(), token=tok)["errcode"] == 0


def test_drop_next_close_cuts_the_connection(server, api):
    tok = api.token()
    server.state.drop_next("message/send", mode="close")
    with pytest.raises(requests.ConnectionError):
        api.http.post(server.base_url + "message/send", params={"access_token": tok}, json=text_body())
    assert server.state.sent_count("dealer_bj_li") == 0


def test_delay_next_can_time_out_the_client_but_still_delivers(server, api):
    tok = api.token()
    server.state.delay_next("message/send", 0.6)
    with pytest.raises(requests.Timeout):
        api.http.post(server.base_url + "message/send", params={"access_token": tok},
                      json=text_body(), timeout=0.2)
    deadline = time.time() + 3
    while server.state.sent_count("dealer_bj_li") == 0 and time.time() < deadline:
        time.sleep(0.05)
    # Like the real thing: a timed-out call may still have been delivered.
    assert server.state.sent_count("dealer_bj_li") == 1


def test_call_log_records_every_call(server, api):
    server.state.fail_next("message/send", -1)
    tok = api.token()
    api.send(text_body("x"), token=tok)
    api.send(text_body("y"), token=tok)
    calls = server.state.calls
    assert [c.path for c in calls] == ["/cgi-bin/gettoken", "/cgi-bin/message/send", "/cgi-bin/message/send"]
    method, path, query, body, response = calls[1]
    assert (method, query["access_token"], body["text"]["content"], response["errcode"]) == ("POST", tok, "x", -1)
    assert calls[2].response["errcode"] == 0 and len(server.state.calls_to("message/send")) == 2


# ------------------------------------------------------------- media
def test_media_upload_get_and_image_message(server, api, clock):
    tok = api.token()
    up = api.http.post(server.base_url + "media/upload", params={"access_token": tok, "type": "image"},
                       files={"media": ("chart.png", PNG, "image/png")}).json()
    assert up["errcode"] == 0 and up["type"] == "image" and up["media_id"] and up["created_at"].isdigit()
    got = api.http.get(server.base_url + "media/get", params={"access_token": tok, "media_id": up["media_id"]})
    assert got.content == PNG and got.headers["Content-Type"].startswith("image/png")
    answer = api.send({"touser": "dealer_bj_li", "agentid": AGENT, "msgtype": "image",
                       "image": {"media_id": up["media_id"]}}, token=tok)
    assert answer["errcode"] == 0
    assert server.state.messages_to("dealer_bj_li")[0]["payload"] == {"media_id": up["media_id"]}
    clock.advance(3 * 24 * 3600)
    expired = api.http.get(server.base_url + "media/get", params={"access_token": api.token(),
                                                                  "media_id": up["media_id"]})
    assert expired.json()["errcode"] == 40007


@pytest.mark.parametrize("media_type, payload, errcode", [
    ("image", b"<html>not an image</html>", 40004),
    ("sticker", PNG, 40005),
    ("image", b"", 44001),
])
def test_media_upload_errors(server, api, media_type, payload, errcode):
    up = api.http.post(server.base_url + "media/upload", params={"access_token": api.token(), "type": media_type},
                       files={"media": ("x.bin", payload, "application/octet-stream")}).json()
    assert up["errcode"] == errcode


def test_media_get_unknown_id(server, api):
    got = api.http.get(server.base_url + "media/get", params={"access_token": api.token(), "media_id": "3x"})
    assert got.json()["errcode"] == 40007


# ------------------------------------------------------ chat page API
class Receiver:
    """Stands in for the bot's callback: verifies, decrypts and records each POST."""

    def __init__(self) -> None:
        self.crypto = WeComCrypto(TOKEN, AES_KEY, CORP)
        self.received: list[dict] = []
        self.respond: Callable[[dict], tuple[int, str]] = lambda msg: (200, "")
        app = Flask("receiver")

        @app.post("/wecom/callback")
        def callback():
            outer = xmltodict.parse(request.get_data())["xml"]
            try:
                plain = self.crypto.verify_and_decrypt(request.args["msg_signature"], request.args["timestamp"],
                                                       request.args["nonce"], outer["Encrypt"])
            except CryptoError:
                return "bad signature", 403
            msg = xmltodict.parse(plain)["xml"]
            self.received.append({"outer": outer, "xml": plain, "msg": msg, "args": dict(request.args),
                                  "content_type": request.content_type})
            status, body = self.respond(msg)
            return body, status

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/wecom/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def passive(self, inner_xml: str) -> str:
        ts = str(int(time.time()))
        sealed = self.crypto.seal(inner_xml, ts)
        return build_xml([("Encrypt", Cdata(sealed["encrypt"])), ("MsgSignature", Cdata(sealed["msg_signature"])),
                          ("TimeStamp", ts), ("Nonce", Cdata(sealed["nonce"]))])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    rec = Receiver()
    yield rec
    rec.close()


@pytest.fixture
def sim(receiver):
    """The simulator blueprint in a Flask app at /sim, driven with the test client."""
    state = SimulatorState()
    forced: list[str] = []            # tests push ids here to force the next MsgId
    generator = MsgIdGenerator()

    def next_id() -> str:
        return forced.pop(0) if forced else generator()

    app = Flask("sim_host")
    app.register_blueprint(create_simulator_blueprint(
        state, corp_id=CORP, agent_id=AGENT, secret=SECRET, token=TOKEN, aes_key=AES_KEY,
        callback_url=lambda: receiver.url, users_provider=lambda: USERS, msg_id_factory=next_id),
        url_prefix="/sim")
    client = app.test_client()
    client.state, client.forced_ids = state, forced
    return client


def sim_token(sim) -> str:
    return sim.get("/sim/cgi-bin/gettoken", query_string={"corpid": CORP, "corpsecret": SECRET}).json["access_token"]


def sim_send(sim, body: dict) -> dict:
    return sim.post("/sim/cgi-bin/message/send", query_string={"access_token": sim_token(sim)}, json=body).json


@pytest.mark.parametrize("msg_id", ["7300000000000000123", "CAIQg/PKxgYY2sC9tpuAgAMg9/zKaw=="])
def test_page_send_posts_a_signed_encrypted_text_message(sim, receiver, msg_id):
    sim.forced_ids.append(msg_id)
    text = "报备 北京协和医院 <b>彩超</b> & ]]> 80万\n12月底"
    before = int(time.time())
    answer = sim.post("/sim/api/send", json={"user": "dealer_bj_li", "text": text}).json
    assert answer["ok"] is True and answer["status"] == 200 and answer["msg_id"] == msg_id
    [got] = receiver.received
    assert got["outer"] == {"ToUserName": CORP, "Encrypt": got["outer"]["Encrypt"], "AgentID": str(AGENT)}
    assert set(got["args"]) == {"msg_signature", "timestamp", "nonce"}
    assert got["content_type"].startswith("text/xml")
    msg = got["msg"]
    assert set(msg) == {"ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "AgentID"}
    assert (msg["ToUserName"], msg["FromUserName"], msg["MsgType"], msg["Content"], msg["MsgId"],
            msg["AgentID"]) == (CORP, "dealer_bj_li", "text", text, msg_id, str(AGENT))
    assert before <= int(msg["CreateTime"]) <= time.time() + 1
    [entry] = sim.state.conversation("dealer_bj_li")
    assert entry["direction"] == "user" and entry["payload"]["content"] == text
    assert entry["callback"]["status"] == 200


def test_page_location_message(sim, receiver):
    answer = sim.post("/sim/api/location", json={"user": "rep_zhao", "lat": 39.9133, "lng": 116.4012,
                                                 "label": "北京协和医院"}).json
    assert answer["ok"]
    msg = receiver.received[0]["msg"]
    assert (msg["MsgType"], msg["Location_X"], msg["Location_Y"], msg["Scale"], msg["Label"]) == \
        ("location", "39.9133", "116.4012", "15", "北京协和医院")
    assert msg["MsgId"] and msg["FromUserName"] == "rep_zhao"


@pytest.mark.parametrize("body, status", [
    ({"user": "rep_zhao", "lat": 91, "lng": 116}, 400),
    ({"user": "rep_zhao", "lat": "x", "lng": 116}, 400),
    ({"user": "ghost", "lat": 39, "lng": 116}, 404),
])
def test_page_location_rejects_bad_input(sim, receiver, body, status):
    assert sim.post("/sim/api/location", json=body).status_code == status
    assert receiver.received == []


def test_page_click_sends_card_event_and_code_updates_card_once(sim, receiver):
    assert sim_send(sim, card_body("deal_7", touser="mgr_wang"))["errcode"] == 0
    answer = sim.post("/sim/api/click", json={"user": "mgr_wang", "task_id": "deal_7", "key": "approve"}).json
    assert answer["ok"]
    msg = receiver.received[0]["msg"]
    assert {k: msg[k] for k in ("MsgType", "Event", "EventKey", "TaskId", "CardType", "FromUserName", "AgentID")} == {
        "MsgType": "event", "Event": "template_card_event", "EventKey": "approve", "TaskId": "deal_7",
        "CardType": "button_interaction", "FromUserName": "mgr_wang", "AgentID": str(AGENT)}
    code = sim.state.response_code(msg["ResponseCode"])
    assert code.task_id == "deal_7" and code.userids == ("mgr_wang",) and code.origin == "click"
    upd = {"userids": ["mgr_wang"], "agentid": AGENT, "response_code": msg["ResponseCode"],
           "button": {"replace_name": "已同意"}}
    tok = sim_token(sim)
    assert sim.post("/sim/cgi-bin/message/update_template_card", query_string={"access_token": tok},
                    json=upd).json["errcode"] == 0
    assert sim.post("/sim/cgi-bin/message/update_template_card", query_string={"access_token": tok},
                    json=upd).json["errcode"] == 990003
    view = sim.get("/sim/api/conversation", query_string={"user": "mgr_wang"}).json["cards"]["deal_7"]
    assert (view["state"], view["replace_name"], view["clickable"]) == ("replaced_name", "已同意", False)
    again = sim.post("/sim/api/click", json={"user": "mgr_wang", "task_id": "deal_7", "key": "approve"})
    assert again.status_code == 409 and len(receiver.received) == 1


@pytest.mark.parametrize("payload, status", [
    ({"user": "mgr_wang", "task_id": "nope", "key": "approve"}, 404),
    ({"user": "mgr_wang", "task_id": "deal_8", "key": "nokey"}, 400),
    ({"user": "rep_zhao", "task_id": "deal_8", "key": "approve"}, 404),
])
def test_page_click_rejects_unknown_card_or_key(sim, receiver, payload, status):
    sim_send(sim, card_body("deal_8", touser="mgr_wang"))
    assert sim.post("/sim/api/click", json=payload).status_code == status
    assert receiver.received == []


def test_passive_text_reply_shows_in_conversation(sim, receiver):
    def reply(msg: dict) -> tuple[int, str]:
        inner = build_xml([("ToUserName", Cdata(msg["FromUserName"])), ("FromUserName", Cdata(CORP)),
                           ("CreateTime", int(time.time())), ("MsgType", Cdata("text")),
                           ("Content", Cdata("已收到：" + msg["Content"]))])
        return 200, receiver.passive(inner)

    receiver.respond = reply
    answer = sim.post("/sim/api/send", json={"user": "dealer_bj_li", "text": "我的报备"}).json
    assert answer["ok"] and answer["reply"]["kind"] == "text"
    user_msg, bot_msg = sim.state.conversation("dealer_bj_li")
    assert (user_msg["direction"], bot_msg["direction"], bot_msg["source"]) == ("user", "bot", "passive")
    assert bot_msg["payload"] == {"content": "已收到：我的报备"}


def test_passive_update_button_reply_stamps_the_clicked_card(sim, receiver):
    sim_send(sim, card_body("deal_6", touser="mgr_wang"))
    receiver.respond = lambda msg: (200, receiver.passive(build_xml([
        ("ToUserName", Cdata("mgr_wang")), ("FromUserName", Cdata(CORP)), ("CreateTime", int(time.time())),
        ("MsgType", Cdata("update_button")), ("Button", "")]).replace(
            "<Button></Button>", "<Button><ReplaceName><![CDATA[已驳回]]></ReplaceName></Button>")))
    assert sim.post("/sim/api/click", json={"user": "mgr_wang", "task_id": "deal_6", "key": "reject"}).json["ok"]
    rec = sim.state.card("mgr_wang", "deal_6")
    assert (rec.state, rec.replace_name) == ("replaced_name", "已驳回")


def test_reply_with_bad_signature_is_not_shown(sim, receiver):
    def forged(msg: dict) -> tuple[int, str]:
        body = receiver.passive("<xml><MsgType>text</MsgType><Content>x</Content></xml>")
        return 200, body.replace("<MsgSignature><![CDATA[", "<MsgSignature><![CDATA[0")

    receiver.respond = forged
    answer = sim.post("/sim/api/send", json={"user": "dealer_bj_li", "text": "hi"}).json
    assert answer["ok"] and "reply rejected" in answer["reply_error"]
    assert sim.state.messages_to("dealer_bj_li") == []


def test_callback_errors_are_reported(sim, receiver):
    receiver.respond = lambda msg: (500, "boom")
    answer = sim.post("/sim/api/send", json={"user": "dealer_bj_li", "text": "hi"}).json
    assert (answer["ok"], answer["status"]) == (False, 500)
    assert sim.state.conversation("dealer_bj_li")[0]["callback"]["status"] == 500
    receiver.close()                        # nobody listening any more
    answer = sim.post("/sim/api/send", json={"user": "dealer_bj_li", "text": "hi"}).json
    assert answer["ok"] is False and answer["status"] is None and answer["error"]


@pytest.mark.parametrize("kwargs, status", [
    ({"json": {"user": "ghost", "text": "hi"}}, 404),
    ({"json": {"user": "dealer_bj_li", "text": "  "}}, 400),
    ({"data": "user=dealer_bj_li&text=hi", "content_type": "application/x-www-form-urlencoded"}, 415),
])
def test_page_send_rejects_bad_requests(sim, receiver, kwargs, status):
    assert sim.post("/sim/api/send", **kwargs).status_code == status
    assert receiver.received == []


def test_page_users_and_incremental_conversation(sim, receiver):
    sim_send(sim, text_body("一", touser="dealer_bj_li"))
    sim_send(sim, text_body("二", touser="dealer_bj_li"))
    users = {u["userid"]: u for u in sim.get("/sim/api/users").json["users"]}
    assert users["dealer_bj_li"]["bot_count"] == 2 and users["mgr_wang"]["bot_count"] == 0
    assert users["dealer_bj_li"]["org"] == "北京康健医疗器械有限公司" and users["mgr_wang"]["role"] == "manager"
    first = sim.get("/sim/api/conversation", query_string={"user": "dealer_bj_li"}).json
    assert [e["payload"]["content"] for e in first["entries"]] == ["一", "二"]
    sim_send(sim, text_body("三", touser="dealer_bj_li"))
    later = sim.get("/sim/api/conversation", query_string={"user": "dealer_bj_li", "after": first["last_id"]}).json
    assert [e["payload"]["content"] for e in later["entries"]] == ["三"]


def test_sim_fake_api_knows_only_provided_users(sim):
    assert sim_send(sim, text_body(touser="stranger"))["errcode"] == 81013


def test_page_renders_with_test_ids_and_static_files(sim):
    html = sim.get("/sim/").get_data(as_text=True)
    for testid in ("user-select", "message-input", "send-button", "messages"):
        assert f'data-testid="{testid}"' in html
    assert "<select" in html and 'id="user-select"' in html
    js = "".join(sim.get(f"/sim/static/{name}").get_data(as_text=True) for name in ("chat.js", "render.js"))
    for testid in ("bot-message", "card", "card-button", "card-stamp"):
        assert f'"{testid}"' in js
    assert "data-task-id" in js and "data-key" in js
    assert sim.get("/sim/static/chat.css").status_code == 200


def test_page_media_route_serves_only_images_inline(sim):
    png = sim.state.store_media("image", "a.png", "image/png", PNG)
    html = sim.state.store_media("file", "x.html", "text/html", b"<script>alert(1)</script>")
    assert sim.get(f"/sim/media/{png.media_id}").headers["Content-Type"] == "image/png"
    risky = sim.get(f"/sim/media/{html.media_id}")
    assert risky.headers["Content-Type"] == "application/octet-stream"
    assert risky.headers["Content-Disposition"].startswith("attachment")


# ------------------------------------------------------------ helpers
def test_msgid_generator_mixes_numeric_and_opaque_ids():
    import random
    gen = MsgIdGenerator(rng=random.Random(7))
    ids = [gen() for _ in range(500)]
    opaque = [i for i in ids if not i.isdigit()]
    assert len(set(ids)) == 500 and 50 <= len(opaque) <= 150
    assert all(base64.b64decode(i) and i.startswith("CAIQ") for i in opaque)


def test_build_xml_escapes_everything():
    nasty = 'a]]>b<c>&"\x00\x1f' + "中"
    xml = build_xml([("Content", Cdata(nasty)), ("Other", "<x>&")])
    parsed = xmltodict.parse(xml)["xml"]
    assert parsed == {"Content": 'a]]>b<c>&"中', "Other": "<x>&"}
    with pytest.raises(ValueError):
        build_xml([("bad tag", "x")])


def test_state_reset_forgets_everything(server, api):
    api.send(card_body("deal_r", touser="mgr_wang"))
    server.state.fail_next("gettoken", -1)
    server.state.reset()
    assert server.state.messages_to("mgr_wang") == [] and server.state.calls == []
    assert server.state.faults.pending() == 0 and server.state.tokens() == []
    assert api.send(card_body("deal_r", touser="mgr_wang"))["errcode"] == 0   # task_id free again

"""Tests of the simulator's chat page API and the callbacks it sends.

The simulator blueprint is driven with Flask's test client; the "bot" that
receives its callbacks runs on a werkzeug server thread on 127.0.0.1.
"""
from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable

import pytest
import xmltodict
from flask import Flask, request
from werkzeug.serving import make_server

from adapters.simulator import SimulatorState, create_simulator_blueprint
from adapters.simulator.inbound_xml import Cdata, build_xml
from adapters.simulator.msgids import MsgIdGenerator
from adapters.wecom.crypto import CryptoError, WeComCrypto
from tests.support.simulator import AES_KEY, AGENT, CORP, PNG, SECRET, TOKEN, USERS, card_body, text_body


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
    ({"user": "rep_zhao", "lat": int("3" * 400), "lng": 116}, 400),      # past a float: was a 500
    ({"user": "rep_zhao", "lat": True, "lng": 116}, 400),
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
    ({"data": "[" * 5000, "content_type": "application/json"}, 400),       # past recursion: was a 500
    ({"data": '{"user": "dealer_bj_li", "text": NaN}', "content_type": "application/json"}, 400),
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


def test_the_platform_switch_takes_only_json(sim):
    """A cross-site form can send text/plain without a preflight: it must not switch."""
    assert sim.post("/sim/api/platform", data='{"platform": "wecom"}', content_type="text/plain").status_code == 415
    assert sim.post("/sim/api/platform", json={"platform": "wecom"}).status_code == 200

"""The simulator's "send a photo": a field rep's picture from a customer visit.

``POST /sim/api/image`` stores the picture as WeCom media (fetchable through the
fake ``media/get`` with a token, for 3 days) and delivers an image message
(doc path/90239) to the bot's callback, signed and encrypted like the others.
"""
from __future__ import annotations

import base64
import json
import struct
import threading
import zlib

import pytest
import xmltodict
from flask import Flask, request
from werkzeug.serving import make_server

from adapters.simulator import SimulatorState, create_simulator_blueprint
from adapters.simulator.chat import IMAGE_REQUEST_MAX_BYTES
from adapters.simulator.fake_api import IMAGE_MAX_BYTES
from adapters.simulator.inbound_xml import image_message
from adapters.simulator.state import MEDIA_TTL
from adapters.wecom.crypto import WeComCrypto
from adapters.wecom.inbound import to_inbound
from tests.support.simulator import AES_KEY, AGENT, CORP, SECRET, TOKEN, USERS, FakeClock

HOST_BODY_CAP = 64 * 1024    # what bot/app.py sets as MAX_CONTENT_LENGTH


def png(width: int = 4, height: int = 3, extra: int = 0) -> bytes:
    """A real (decodable) RGB PNG; ``extra`` bytes of noise make it bigger."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes([200, 60, 60]) * width for _ in range(height))
    body = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(rows))
    if extra:
        body += chunk(b"tEXt", b"noise\x00" + bytes(i % 251 for i in range(extra)))
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x11" * 200 + b"\xff\xd9"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


class Receiver:
    """The bot's callback URL: verifies, decrypts and records each message."""

    def __init__(self) -> None:
        self.crypto = WeComCrypto(TOKEN, AES_KEY, CORP)
        self.received: list[dict] = []
        app = Flask("photo_receiver")

        @app.post("/wecom/callback")
        def callback():
            outer = xmltodict.parse(request.get_data())["xml"]
            plain = self.crypto.verify_and_decrypt(request.args["msg_signature"], request.args["timestamp"],
                                                   request.args["nonce"], outer["Encrypt"])
            self.received.append({"xml": plain, "msg": xmltodict.parse(plain)["xml"]})
            return ""

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/wecom/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    rec = Receiver()
    yield rec
    rec.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sim(receiver, clock):
    """The simulator at /sim in a host app that caps bodies at 64 KB, as the bot's does."""
    state = SimulatorState(clock)
    forced: list[str] = []
    app = Flask("photo_host")
    app.config["MAX_CONTENT_LENGTH"] = HOST_BODY_CAP
    app.register_blueprint(create_simulator_blueprint(
        state, corp_id=CORP, agent_id=AGENT, secret=SECRET, token=TOKEN, aes_key=AES_KEY,
        callback_url=lambda: receiver.url, users_provider=lambda: USERS,
        msg_id_factory=(lambda: forced.pop(0) if forced else "7300000000000000001")),
        url_prefix="/sim")
    client = app.test_client()
    client.state, client.forced_ids = state, forced
    return client


def token(sim) -> str:
    return sim.get("/sim/cgi-bin/gettoken", query_string={"corpid": CORP, "corpsecret": SECRET}).json["access_token"]


def media_get(sim, media_id: str, tok: str | None):
    query = {"media_id": media_id} if tok is None else {"media_id": media_id, "access_token": tok}
    return sim.get("/sim/cgi-bin/media/get", query_string=query)


# ------------------------------------------------------------ the XML
@pytest.mark.parametrize("msg_id", ["7300000000000000123", "CAIQg/PKxgYY2sC9tpuAgAMg9/zKaw=="])
def test_image_message_xml_is_wecom_layout_and_safe(msg_id):
    nasty_url = "http://h/sim/media/3x?a=1&b=<2>]]>\x00\x1f"
    xml = image_message(CORP, "rep_zhao", nasty_url, "3media_id", msg_id, AGENT, 1_700_000_000)
    msg = xmltodict.parse(xml)["xml"]
    assert list(msg) == ["ToUserName", "FromUserName", "CreateTime", "MsgType", "PicUrl", "MediaId", "MsgId",
                         "AgentID"]
    assert msg == {"ToUserName": CORP, "FromUserName": "rep_zhao", "CreateTime": "1700000000", "MsgType": "image",
                   "PicUrl": "http://h/sim/media/3x?a=1&b=<2>]]>", "MediaId": "3media_id", "MsgId": msg_id,
                   "AgentID": str(AGENT)}
    # Numeric MsgIds go bare, as WeCom always wrote them; opaque ones in CDATA.
    assert (f"<MsgId>{msg_id}</MsgId>" in xml) == msg_id.isdigit()
    inbound = to_inbound(msg)          # what the bot makes of it
    assert (inbound.kind, inbound.media_id, inbound.pic_url, inbound.msg_id) == \
        ("image", "3media_id", "http://h/sim/media/3x?a=1&b=<2>]]>", msg_id)


# ---------------------------------------------------------- the endpoint
@pytest.mark.parametrize("data, filename, mimetype", [
    (png(extra=200_000), "客户门头.png", "image/png"),      # > the host's 64 KB cap
    (JPEG, "IMG_0001.JPG", "image/jpeg"),
])
def test_photo_is_stored_as_media_and_sent_as_image_message(sim, receiver, data, filename, mimetype):
    answer = sim.post("/sim/api/image", json={"user": "rep_zhao", "data_base64": b64(data), "filename": filename})
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["ok"] is True and body["status"] == 200 and body["msg_id"] == "7300000000000000001"
    media_id = body["media_id"]
    assert media_id.startswith("3") and body["pic_url"] == f"http://localhost/sim/media/{media_id}"

    [got] = receiver.received
    msg = got["msg"]
    assert (msg["MsgType"], msg["FromUserName"], msg["ToUserName"], msg["MediaId"], msg["PicUrl"], msg["MsgId"],
            msg["AgentID"]) == ("image", "rep_zhao", CORP, media_id, body["pic_url"], body["msg_id"], str(AGENT))

    # The bot fetches it the WeCom way: media/get with its access token.
    fetched = media_get(sim, media_id, token(sim))
    assert fetched.status_code == 200 and fetched.data == data and fetched.mimetype == mimetype
    assert fetched.headers["Content-Disposition"].startswith("attachment")
    # ... or through PicUrl (the page's own /media route).
    pic = sim.get(body["pic_url"].removeprefix("http://localhost"))
    assert pic.data == data and pic.mimetype == mimetype

    [entry] = sim.state.conversation("rep_zhao")
    assert (entry["direction"], entry["msgtype"], entry["source"], entry["msgid"]) == \
        ("user", "image", "page", body["msg_id"])
    assert entry["payload"] == {"media_id": media_id, "pic_url": body["pic_url"], "filename": filename,
                                "content_type": mimetype, "size": len(data)}
    assert entry["callback"]["status"] == 200 and entry["xml"] == got["xml"]


def test_media_get_refuses_without_a_valid_token(sim, receiver):
    media_id = sim.post("/sim/api/image", json={"user": "rep_zhao", "data_base64": b64(png())}).json["media_id"]
    assert media_get(sim, media_id, None).json["errcode"] == 41001
    assert media_get(sim, media_id, "not-a-token").json["errcode"] == 40014
    assert media_get(sim, "3unknown", token(sim)).json["errcode"] == 40007


def test_photo_media_lives_three_days(sim, receiver, clock):
    media_id = sim.post("/sim/api/image", json={"user": "rep_zhao", "data_base64": b64(png())}).json["media_id"]
    clock.advance(MEDIA_TTL - 1)
    assert media_get(sim, media_id, token(sim)).status_code == 200
    clock.advance(1)
    assert media_get(sim, media_id, token(sim)).json["errcode"] == 40007


def test_photo_of_exactly_10_mb_is_accepted(sim, receiver):
    data = png() + b"\x00" * (IMAGE_MAX_BYTES - len(png()))
    answer = sim.post("/sim/api/image", json={"user": "rep_zhao", "data_base64": b64(data)})
    assert answer.status_code == 200 and answer.json["ok"]
    [rec] = sim.state.stored_media()
    assert len(rec.data) == IMAGE_MAX_BYTES and rec.type == "image" and rec.filename == "photo.png"


@pytest.mark.parametrize("given, stored", [
    ("../../etc/拜访\x00照片\x1f.jpg", "拜访照片.jpg"),
    ("C:\\Users\\rep\\门店.jpg", "门店.jpg"),
    ("x" * 300 + ".jpg", "x" * 128),
    ("", "photo.jpg"),
    (None, "photo.jpg"),
    (42, "photo.jpg"),
    ("\ud800", "photo.jpg"),
])
def test_filename_is_reduced_to_a_safe_base_name(sim, receiver, given, stored):
    body = {"user": "rep_zhao", "data_base64": b64(JPEG)}
    if given is not None:
        body["filename"] = given
    media_id = sim.post("/sim/api/image", data=json.dumps(body), content_type="application/json").json["media_id"]
    assert sim.state.media(media_id).filename == stored
    assert media_get(sim, media_id, token(sim)).status_code == 200


@pytest.mark.parametrize("kwargs, status, error", [
    ({"json": {"user": "rep_zhao", "data_base64": b64(b"hello, not a picture")}}, 415, "JPG or PNG"),
    ({"json": {"user": "rep_zhao", "data_base64": b64(b"GIF89a" + b"\x00" * 40)}}, 415, "JPG or PNG"),
    ({"json": {"user": "rep_zhao", "data_base64": b64(b"\x89PNG" + b"\x00" * 40)}}, 415, "JPG or PNG"),
    ({"json": {"user": "rep_zhao",
               "data_base64": b64(png() + b"\x00" * (IMAGE_MAX_BYTES + 1 - len(png())))}}, 413, "10 MB"),
    ({"json": {"user": "rep_zhao", "data_base64": "A" * (4 * (IMAGE_MAX_BYTES // 3 + 2))}}, 413, "10 MB"),
    ({"json": {"user": "rep_zhao", "data_base64": "not base64 at all!"}}, 400, "not valid base64"),
    ({"json": {"user": "rep_zhao", "data_base64": b64(png())[:-1]}}, 400, "not valid base64"),
    ({"json": {"user": "rep_zhao", "data_base64": "data:image/png;base64," + b64(png())}}, 400, "data: URL"),
    ({"json": {"user": "rep_zhao", "data_base64": "  "}}, 400, "empty"),
    ({"json": {"user": "rep_zhao", "data_base64": "===="}}, 400, "not valid base64"),
    ({"json": {"user": "rep_zhao"}}, 400, "empty"),
    ({"json": {"user": "rep_zhao", "data_base64": 12345}}, 400, "empty"),
    ({"json": {"user": "ghost", "data_base64": b64(png())}}, 404, "unknown user"),
    ({"json": {"data_base64": b64(png())}}, 404, "unknown user"),
    ({"json": ["rep_zhao", b64(png())]}, 400, "JSON object"),
    ({"data": "{not json", "content_type": "application/json"}, 400, "JSON object"),
    ({"data": {"user": "rep_zhao", "data_base64": b64(png())}}, 415, "application/json"),   # a form post
    ({"data": png(), "content_type": "image/png"}, 415, "application/json"),
])
def test_bad_photo_requests_are_refused_and_nothing_is_stored_or_sent(sim, receiver, kwargs, status, error):
    answer = sim.post("/sim/api/image", **kwargs)
    assert answer.status_code == status
    assert answer.json["ok"] is False and error in answer.json["error"]
    assert receiver.received == [] and sim.state.stored_media() == []
    assert sim.state.conversation("rep_zhao") == []


def test_body_over_the_request_limit_gets_a_json_413(sim, receiver):
    answer = sim.post("/sim/api/image", data=b"{" + b" " * IMAGE_REQUEST_MAX_BYTES + b"}",
                      content_type="application/json")
    assert answer.status_code == 413 and "10 MB" in answer.json["error"]
    assert receiver.received == [] and sim.state.stored_media() == []


def test_other_page_endpoints_keep_the_host_body_cap(sim, receiver):
    answer = sim.post("/sim/api/send", json={"user": "rep_zhao", "text": "x" * (HOST_BODY_CAP + 1)})
    assert answer.status_code == 413 and receiver.received == []


def test_photo_whose_callback_fails_is_still_stored_and_reported(sim, receiver):
    receiver.close()
    answer = sim.post("/sim/api/image", json={"user": "rep_zhao", "data_base64": b64(png())}).json
    assert answer["ok"] is False and answer["status"] is None and answer["error"]
    assert sim.state.media(answer["media_id"]) is not None
    assert sim.state.conversation("rep_zhao")[0]["callback"]["status"] is None


# ------------------------------------------------------------- the page
def test_page_has_the_photo_controls(sim):
    html = sim.get("/sim/").get_data(as_text=True)
    assert 'data-testid="photo-input"' in html and 'accept="image/jpeg,image/png"' in html
    assert 'type="file"' in html and "发送图片" in html
    assert 'data-testid="photo-sample"' in html and "示例照片" in html
    assert 'data-testid="image-viewer"' in html
    js = sim.get("/sim/static/chat.js").get_data(as_text=True)
    for needle in ('"api/image"', "data_base64", '"message-image"', "toDataURL", 'image/png'):
        assert needle in js

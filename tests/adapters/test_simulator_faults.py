"""Tests of the fake WeCom API's test controls and side services: injected
faults, dropped and delayed calls, the call log, media, and resetting state.
"""
from __future__ import annotations

import time

import pytest
import requests

from adapters.wecom.render import render_send
from chat.messages import File
from tests.support import simulator as sim_helpers
from tests.support.simulator import AGENT, CORP, PNG, SECRET, card_body, text_body

# The fake-API fixtures, shared with test_simulator_api.py.
clock, server, api = sim_helpers.clock, sim_helpers.server, sim_helpers.api


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
    method, _path, query, body, response = calls[1]
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


def test_a_file_message_is_shown_by_its_name_and_downloads(server, api):
    """What the bot's File outgoing becomes: an upload of type file, then msgtype file
    (the WeCom renderer's payload), shown on the chat page by its file name."""
    tok = api.token()
    up = api.http.post(server.base_url + "media/upload", params={"access_token": tok, "type": "file"},
                       files={"media": ("evidence-1.xlsx", b"PK\x03\x04 workbook", "application/zip")}).json()
    assert up["errcode"] == 0 and up["type"] == "file"
    body = render_send("dealer_bj_li", File(blob_id=7), AGENT, media_id=up["media_id"])
    assert body["msgtype"] == "file" and body["file"] == {"media_id": up["media_id"]}
    assert api.send(body, token=tok)["errcode"] == 0
    [entry] = server.state.messages_to("dealer_bj_li")
    assert entry["msgtype"] == "file" and entry["payload"] == {"media_id": up["media_id"],
                                                               "filename": "evidence-1.xlsx"}


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


# ------------------------------------------------------------- state
def test_state_reset_forgets_everything(server, api):
    api.send(card_body("deal_r", touser="mgr_wang"))
    server.state.fail_next("gettoken", -1)
    server.state.reset()
    assert server.state.messages_to("mgr_wang") == [] and server.state.calls == []
    assert server.state.faults.pending() == 0 and server.state.tokens() == []
    assert api.send(card_body("deal_r", touser="mgr_wang"))["errcode"] == 0   # task_id free again

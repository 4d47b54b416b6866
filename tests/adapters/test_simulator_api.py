"""Tests of the fake WeCom API: tokens, sending, duplicate checks, rate limits
and template-card updates.

The fake API runs on a FakeWeComServer thread on 127.0.0.1.
"""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support import simulator as sim_helpers
from tests.support.simulator import AGENT, CORP, SECRET, USERIDS, card, card_body, text_body

# The fake-API fixtures, shared with test_simulator_faults.py.
clock, server, api = sim_helpers.clock, sim_helpers.server, sim_helpers.api


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
    ({"touser": "mgr_wang", "agentid": AGENT, "msgtype": "file", "file": {}}, "touser", "mgr_wang", 41006),
    ({"touser": "mgr_wang", "agentid": AGENT, "msgtype": "file", "file": {"media_id": "3nope"}},
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

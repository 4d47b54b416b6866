"""The DingTalk robot end to end: signed callbacks in, what reached the fake
DingTalk API out (which path, which conversation, how often), the database."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from models import InboxMessage, OutboxMessage, Registration, User

GROUP = "grp_bj_kangjian"


def q(app):
    return app.extensions["qudao"]


def count(app, model) -> int:
    with q(app).factory() as s:
        return s.execute(select(func.count()).select_from(model)).scalar()


def texts(state, chat: str) -> list[str]:
    """What the bot posted into a conversation (a userid or group:<id>), as text."""
    out = []
    for e in state.bot_messages(chat):
        p = e["payload"]
        out.append(p.get("content") or p.get("text") or json.dumps(p, ensure_ascii=False))
    return out


def param(call) -> dict:
    return json.loads(call.body["msgParam"])


# ---- refusals: nothing stored -----------------------------------------------------------------

@pytest.mark.parametrize("how,status", [("no headers", 400), ("bad sign", 403), ("two hours old", 403),
                                        ("an hour ahead", 403)])
def test_unsigned_stale_or_forged_callbacks_are_refused_and_nothing_is_stored(dt_app, dt_driver, dingtalk, clock,
                                                                                how, status):
    doc = dt_driver.robot.message("dealer_bj_li", "李明", "帮助")
    now_ms = int(clock.now().timestamp() * 1000)
    if how == "no headers":
        r = dt_driver.post_robot(doc, headers=False)
    elif how == "bad sign":
        r = dt_driver.post_robot(doc, signature="AAAA" + "=" * 40)
    elif how == "two hours old":
        r = dt_driver.post_robot(doc, ts_ms=now_ms - 2 * 3600 * 1000)
    else:
        r = dt_driver.post_robot(doc, ts_ms=now_ms + 3600 * 1000 + 5000)
    assert r.status_code == status
    assert count(dt_app, InboxMessage) == 0 and count(dt_app, OutboxMessage) == 0
    assert dingtalk.state.calls == []


def test_another_robots_message_is_refused(dt_app, dt_driver, dingtalk):
    r = dt_driver.text("dealer_bj_li", "帮助", robotCode="dingsomeoneelse")
    assert r.status_code == 403 and count(dt_app, InboxMessage) == 0


# ---- 1:1 ----------------------------------------------------------------------------------------

def test_direct_message_is_answered_through_its_session_webhook_once(dt_app, dt_driver, dingtalk):
    r1 = dt_driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万", msg_id="msgA1")
    r2 = dt_driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万", msg_id="msgA1")   # DingTalk's retry
    assert r1.status_code == r2.status_code == 200 and r1.data == b""
    assert count(dt_app, InboxMessage) == 1 and count(dt_app, Registration) == 1
    [call] = dingtalk.state.calls_to("robot/sendBySession")
    assert call.body["msgtype"] == "text" and "报备成功" in call.body["text"]["content"]
    assert texts(dingtalk.state, "dealer_bj_li") == [call.body["text"]["content"]]
    assert dingtalk.state.calls_to("oauth2/accessToken") == []          # a webhook needs no token
    with q(dt_app).factory() as s:
        assert s.execute(select(User.platform).where(User.external_id == "dealer_bj_li")).scalar_one() == "dingtalk"


def test_without_a_valid_webhook_the_robot_api_answers_and_the_token_is_reused(dt_app, dt_driver, dingtalk, clock):
    expired = int(clock.now().timestamp() * 1000) - 1
    dt_driver.text("dealer_bj_li", "帮助", sessionWebhookExpiredTime=expired)
    dt_driver.text("dealer_bj_li", "我的报备", sessionWebhookExpiredTime=expired)
    sends = dingtalk.state.calls_to("robot/oToMessages/batchSend")
    assert [c.body["userIds"] for c in sends] == [["dealer_bj_li"], ["dealer_bj_li"]]
    assert sends[0].body["msgKey"] == "sampleMarkdown" and "渠道助手" in param(sends[0])["text"]
    assert len(dingtalk.state.calls_to("oauth2/accessToken")) == 1       # cached in the shared kv
    assert dingtalk.state.calls_to("robot/sendBySession") == []


def test_a_dead_token_is_fetched_again_once(dt_app, dt_driver, dingtalk, clock):
    expired = int(clock.now().timestamp() * 1000) - 1
    dt_driver.text("dealer_bj_li", "帮助", sessionWebhookExpiredTime=expired)
    dingtalk.state.expire_all_tokens()
    dt_driver.text("dealer_bj_li", "帮助", sessionWebhookExpiredTime=expired)
    statuses = [c.status for c in dingtalk.state.calls_to("robot/oToMessages/batchSend")]
    assert statuses == [200, 401, 200] and len(dingtalk.state.calls_to("oauth2/accessToken")) == 2


def test_a_throttled_send_is_retried_later_not_lost(dt_app, dt_driver, dingtalk, clock):
    expired = int(clock.now().timestamp() * 1000) - 1
    dingtalk.state.faults.fail_next("robot/oToMessages/batchSend", 429, errmsg="Forbidden.AccessDenied.QpsLimitForApi")
    dt_driver.text("dealer_bj_li", "帮助", sessionWebhookExpiredTime=expired)
    assert texts(dingtalk.state, "dealer_bj_li") == []
    with q(dt_app).factory() as s:
        row = s.execute(select(OutboxMessage)).scalar_one()
        assert row.status == "pending" and "QpsLimit" in row.last_error
    clock.advance(seconds=5)
    q(dt_app).deliverer.drain()
    assert len(texts(dingtalk.state, "dealer_bj_li")) == 1


# ---- groups ----------------------------------------------------------------------------------------

def test_group_message_is_answered_in_the_group_naming_the_sender(dt_app, dt_driver, dingtalk):
    dt_driver.text("dealer_bj_li", "@渠道助手 报备 北京协和医院 彩超 80万", group=GROUP)
    [call] = dingtalk.state.calls_to("robot/sendBySession")
    assert call.body["at"] == {"atUserIds": ["dealer_bj_li"]}
    assert call.body["text"]["content"].startswith("@李明 ✅ 报备成功")
    assert texts(dingtalk.state, f"group:{GROUP}") == [call.body["text"]["content"]]
    assert dingtalk.state.bot_messages("dealer_bj_li") == []


def test_group_talk_not_addressed_to_the_bot_gets_nothing(dt_app, dt_driver, dingtalk):
    dt_driver.text("dealer_bj_li", "明天下午开会", group=GROUP, mentioned=False)
    assert dingtalk.state.calls == [] and count(dt_app, Registration) == 0


def test_the_approval_lives_in_the_group_thread(dt_app, dt_driver, dingtalk):
    """The Done-when flow on the wire: card in the group, a non-approver's tap refused
    privately, the director's tap stamps the card everyone sees."""
    dt_driver.text("dealer_bj_li", "@渠道助手 报备 北京大学第一医院 彩超 120万", group=GROUP)
    with q(dt_app).factory() as s:
        reg = s.execute(select(Registration)).scalar_one()
    [create] = dingtalk.state.calls_to("card/instances/createAndDeliver")
    assert create.body["openSpaceId"] == f"dtv1.card//IM_GROUP.{GROUP}"
    assert create.body["imGroupOpenDeliverModel"] == {"robotCode": dt_driver.robot.robot_code}
    assert create.body["callbackType"] == "HTTP"
    params = create.body["cardData"]["cardParamMap"]
    assert reg.number in params["title"] and "¥120万" in params["facts"]
    assert json.loads(params["buttons"]) == [{"id": "approve", "text": "同意", "style": 1},
                                             {"id": "reject", "text": "驳回", "style": 3}]
    track = create.body["outTrackId"]
    reply = texts(dingtalk.state, f"group:{GROUP}")[0]
    assert reply.startswith("@李明 ⏳ 报备已受理") and "等待销售总监审批" in reply

    in_group = len(dingtalk.state.bot_messages(f"group:{GROUP}"))
    r = dt_driver.click("dealer_bj_wang", track, "approve", group=GROUP)
    assert r.status_code == 200
    answer = r.get_json()
    assert dt_driver.crypto.verify_and_decrypt(answer["msg_signature"], answer["timeStamp"], answer["nonce"],
                                               answer["encrypt"]) == "success"
    [private] = dingtalk.state.calls_to("robot/oToMessages/batchSend")
    assert private.body["userIds"] == ["dealer_bj_wang"] and "只有 张伟 可以审批" in param(private)["content"]
    assert len(dingtalk.state.bot_messages(f"group:{GROUP}")) == in_group       # nothing of it in the group
    assert not [c for c in dingtalk.state.calls if c.method == "PUT"]               # the card is unchanged
    with q(dt_app).factory() as s:
        assert s.get(Registration, reg.id).status == "pending"

    dt_driver.click("director", track, "approve", group=GROUP)
    [put] = [c for c in dingtalk.state.calls if c.method == "PUT"]
    assert put.body["outTrackId"] == track and put.body["cardData"]["cardParamMap"]["status"] == "done"
    assert put.body["cardData"]["cardParamMap"]["stamp"].startswith("已同意 · 张伟 · ")
    assert dingtalk.state.card(track).params["stamp"].startswith("已同意 · 张伟")
    with q(dt_app).factory() as s:
        assert s.get(Registration, reg.id).status == "approved"
    notified = [c for c in dingtalk.state.calls_to("robot/oToMessages/batchSend") if c.body["userIds"] == [
        "dealer_bj_li"]]
    assert notified and "已由张伟审批通过" in param(notified[0])["content"]


def test_clicks_are_processed_once_and_forged_events_refused(dt_app, dt_driver, dingtalk):
    dt_driver.text("dealer_bj_li", "@渠道助手 报备 北京大学第一医院 彩超 120万", group=GROUP)
    track = dingtalk.state.calls_to("card/instances/createAndDeliver")[0].body["outTrackId"]
    event = dt_driver.cards.click_event(track, "director", "approve", GROUP)
    assert dt_driver.post_event(event, signature="0" * 40).status_code == 403
    assert dt_driver.post_event({"EventType": "check_url"}).status_code == 200
    assert count(dt_app, InboxMessage) == 1
    ts = int(dt_driver.clock.now().timestamp() * 1000)
    for _ in range(2):                                   # DingTalk's retry of the same event
        r = dt_driver.post_event(event, ts_ms=ts)
    assert r.status_code == 200
    assert len([c for c in dingtalk.state.calls if c.method == "PUT"]) == 1


def test_a_group_is_paced_under_the_robots_rate(dt_app, dt_driver, dingtalk, clock):
    for i in range(22):
        dt_driver.text("dealer_bj_li", f"@渠道助手 帮助 {i}", group=GROUP,
                       sessionWebhookExpiredTime=int(clock.now().timestamp() * 1000) - 1)
    sent = dingtalk.state.calls_to("robot/groupMessages/send")
    assert len(sent) == 20 and all(c.status == 200 for c in sent)       # never past DingTalk's 20 a minute
    assert all(c.body["openConversationId"] == GROUP for c in sent)
    clock.advance(seconds=61)
    q(dt_app).deliverer.drain()
    assert len(dingtalk.state.calls_to("robot/groupMessages/send")) == 22

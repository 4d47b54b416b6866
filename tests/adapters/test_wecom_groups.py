"""WeCom group chats on the wire: a group's messages come from its robot (with
the webhook that posts back), the approval card goes 1:1 to the approver, the
group hears where it went and the decision; and one organisation on both
platforms, each user reached where they write."""
from __future__ import annotations

import json

from sqlalchemy import select

from models import OutboxMessage, Registration, User
from tests.support.apps import build_app
from tests.support.dingtalk import DingTalkDriver, dingtalk_settings
from tests.support.wecom import WeComDriver

GROUP = "grp_bj_kangjian"
BIG_DEAL = "@渠道助手 报备 北京大学第一医院 彩超 120万"


def q(app):
    return app.extensions["qudao"]


def group_posts(wecom, chat_id=GROUP) -> list[dict]:
    return [c.body for c in wecom.state.calls_to("webhook/send") if c.response.get("errcode") == 0
            and wecom.state.chat_of_webhook(c.query.get("key")) == chat_id]


def post_text(body: dict) -> str:
    return body[body["msgtype"]]["content"]


def test_the_group_gets_the_request_and_the_decision_the_director_the_card(app, driver, wecom):
    driver.group_text("dealer_bj_li", BIG_DEAL, GROUP, name="李明")
    with q(app).factory() as s:
        reg = s.execute(select(Registration)).scalar_one()
    reply, sent_to = group_posts(wecom)
    assert reply["msgtype"] == "text" and reply["text"]["mentioned_list"] == ["dealer_bj_li"]
    assert post_text(reply).startswith("@李明 ⏳ 报备已受理") and reg.number in post_text(reply)
    assert reg.number in post_text(sent_to) and "张伟" in post_text(sent_to)
    [card] = wecom.state.cards_for("director")                       # the button card, 1:1
    assert card.card["main_title"]["title"].endswith(reg.number)
    assert "北京康健 × 示例医疗" in card.card["sub_title_text"]          # linked both ways
    assert all(b["msgtype"] in ("text", "markdown") for b in group_posts(wecom))   # no card ever into the group

    driver.click("director", card.task_id, "approve")
    [update] = wecom.state.calls_to("message/update_template_card")
    assert update.body["userids"] == ["director"] and update.body["button"]["replace_name"].startswith("已同意 · 张伟")
    decided = post_text(group_posts(wecom)[-1])
    assert decided.startswith(f"报备 {reg.number}：已同意 · 张伟 · ")
    with q(app).factory() as s:
        assert s.get(Registration, reg.id).status == "approved"


def test_a_webhook_outside_the_api_is_never_used(app, driver, wecom):
    driver.group_text("dealer_bj_li", "@渠道助手 帮助", GROUP, webhook_url="http://attacker.invalid/steal")
    assert wecom.state.calls_to("webhook/send") == []
    with q(app).factory() as s:
        row = s.execute(select(OutboxMessage).where(OutboxMessage.recipient == f"group:{GROUP}")).scalar_one()
        assert row.status == "failed" and "no webhook known" in row.last_error


def test_credit_figures_never_reach_the_group(app, driver, wecom):
    driver.group_text("dealer_bj_li", "@渠道助手 订货 A100*40", GROUP)        # refused for credit
    [note] = group_posts(wecom)
    assert "私信" in post_text(note) and "¥" not in post_text(note)
    private = [e["payload"]["content"] for e in wecom.state.messages_to("dealer_bj_li") if e["msgtype"] == "text"]
    assert any("信用" in t and "¥" in t for t in private)


def test_one_organisation_on_both_platforms(db_url, clock, base_settings, wecom, dingtalk):
    """The director writes on DingTalk, the dealer in a WeCom group: the card reaches
    the director 1:1 on DingTalk, and the decision goes back to the WeCom group."""
    settings = dingtalk_settings(base_settings, db_url, dingtalk, wecom=wecom)
    app = build_app(settings, clock)
    try:
        wx = WeComDriver(app, clock, settings, wecom)
        dt = DingTalkDriver(app, clock, settings, dingtalk)
        dt.text("director", "帮助")
        wx.group_text("dealer_bj_li", BIG_DEAL, GROUP, name="李明")
        with q(app).factory() as s:
            assert s.execute(select(User.platform).where(User.external_id == "director")).scalar_one() == "dingtalk"
            reg = s.execute(select(Registration)).scalar_one()
        [create] = dingtalk.state.calls_to("card/instances/createAndDeliver")
        assert create.body["openSpaceId"] == "dtv1.card//IM_ROBOT.director"
        assert wecom.state.cards_for("director") == []
        dt.click("director", create.body["outTrackId"], "approve")
        assert post_text(group_posts(wecom)[-1]).startswith(f"报备 {reg.number}：已同意 · 张伟")
        put = [c for c in dingtalk.state.calls if c.method == "PUT"]
        assert put and json.dumps(put[0].body, ensure_ascii=False).count("已同意") == 1
    finally:
        q(app).runner.stop()
        q(app).engine.dispose()


def test_a_stamp_goes_where_the_card_is_after_the_approver_moved(db_url, clock, base_settings, wecom, dingtalk):
    """The director got the card on WeCom, then wrote from DingTalk and approved by text
    there: the WeCom card is stamped, the answer comes on DingTalk."""
    settings = dingtalk_settings(base_settings, db_url, dingtalk, wecom=wecom)
    app = build_app(settings, clock)
    try:
        wx = WeComDriver(app, clock, settings, wecom)
        dt = DingTalkDriver(app, clock, settings, dingtalk)
        wx.text("dealer_bj_li", "报备 北京大学第一医院 彩超 120万")
        [card] = wecom.state.cards_for("director")
        with q(app).factory() as s:
            reg = s.execute(select(Registration)).scalar_one()
        dt.text("director", f"同意 {reg.number}")
        [update] = wecom.state.calls_to("message/update_template_card")
        assert update.body["userids"] == ["director"] and "已同意 · 张伟" in update.body["button"]["replace_name"]
        assert dingtalk.state.calls_to("card/instances") == []
        assert any("已同意" in json.dumps(c.body, ensure_ascii=False) for c in dingtalk.state.calls_to("sendBySession"))
        assert wecom.state.card("director", card.task_id).replace_name.startswith("已同意")
    finally:
        q(app).runner.stop()
        q(app).engine.dispose()

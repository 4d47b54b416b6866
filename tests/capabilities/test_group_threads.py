"""Group threads, on a platform whose cards live in groups and on one whose
can't: what goes into the group, what goes to one person, and the approval
that lives in the thread it came from. Asserted on what the platform received."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from chat.context import PlatformTraits
from chat.messages import Card, CardStamp, Markdown, Text
from models import Approval, ApprovalFlow, ChatGroup, InboxMessage, Order, Registration, User
from tests.support.chat_driver import GROUP_BJ, GROUP_FIELD, RecordingTransport

CARDS_IN_GROUPS = PlatformTraits(cards_in_groups=True, location_messages=False)    # as DingTalk
NO_GROUP_CARDS = PlatformTraits(cards_in_groups=False, location_messages=True)     # as a WeCom self-built app
BIG_DEAL = "@渠道助手 报备 北京大学第一医院 彩超 120万"
# Another partner's name, credit figures (limit, receivables, exposure), prices, a personal link.
PRIVATE_WORDS = ("北京华信", "额度 ¥", "应收", "¥300万", "剩余", "单价", "checkin/")


@pytest.fixture
def chat(request) -> RecordingTransport:
    return RecordingTransport(traits=getattr(request, "param", CARDS_IN_GROUPS))


def q(app):
    return app.extensions["qudao"]


def the_registration(app) -> Registration:
    with q(app).factory() as s:
        return s.execute(select(Registration).order_by(Registration.id.desc())).scalars().first()


def group_bodies(chat, chat_id=GROUP_BJ) -> list[str]:
    out = []
    for m in chat.in_group(chat_id):
        if isinstance(m, Text | Markdown):
            out.append(m.body)
        elif isinstance(m, Card):
            out.append(" ".join([m.title, m.desc, m.note, *(f"{r[0]} {r[1]}" for r in m.rows)]))
        elif isinstance(m, CardStamp):
            out.append(m.text)
    return out


def assert_nothing_private_in(chat, chat_id=GROUP_BJ):
    for body in group_bodies(chat, chat_id):
        assert not any(w in body for w in PRIVATE_WORDS), body


# ---- DingTalk-like: the card lives in the group ------------------------------------------

def test_group_request_gets_its_answer_and_the_card_in_the_group(app, driver, chat):
    driver.text("dealer_bj_li", BIG_DEAL, group=GROUP_BJ)
    reg = the_registration(app)
    assert reg.status == "pending"
    reply, card = chat.in_group(GROUP_BJ)
    assert isinstance(reply, Text) and reply.body.startswith("@李明 ") and reply.mention == "dealer_bj_li"
    assert "等待销售总监审批" in reply.body and reg.number in reply.body
    assert isinstance(card, Card) and card.title.endswith(reg.number) and [b.key for b in card.buttons] == [
        "approve", "reject"]
    assert chat.messages_to("director") == [] and chat.messages_to("dealer_bj_li") == []
    with q(app).factory() as s:
        flow = s.execute(select(ApprovalFlow)).scalar_one()
        assert (flow.origin_platform, flow.origin_chat) == ("test", GROUP_BJ)
        assert s.execute(select(ChatGroup.title).where(ChatGroup.chat_id == GROUP_BJ)).scalar_one() == \
            "北京康健 × 示例医疗"


def test_only_the_approvers_tap_counts_and_others_hear_it_privately(app, driver, chat):
    driver.text("dealer_bj_li", BIG_DEAL, group=GROUP_BJ)
    [card] = [m for m in chat.in_group(GROUP_BJ) if isinstance(m, Card)]
    before = len(chat.in_group(GROUP_BJ))
    driver.click("dealer_bj_wang", card.task_id, "approve", group=GROUP_BJ)
    [refusal] = chat.texts_to("dealer_bj_wang")
    assert refusal == f"您不是报备 {the_registration(app).number} 的审批人，只有 张伟 可以审批：操作未执行，已记录。"
    assert len(chat.in_group(GROUP_BJ)) == before         # the group saw nothing of it
    assert the_registration(app).status == "pending"
    with q(app).factory() as s:
        assert s.execute(select(Approval.status)).scalar_one() == "pending"

    driver.click("director", card.task_id, "approve", group=GROUP_BJ)
    assert the_registration(app).status == "approved"
    stamp = next(m for m in chat.in_group(GROUP_BJ) if isinstance(m, CardStamp))
    assert stamp.task_id == card.task_id and stamp.text.startswith("已同意 · 张伟 · ")
    assert chat.stamps_to("director") == []              # the stamp is where the card is: in the group
    assert any("已由张伟审批通过" in b for b in chat.texts_to("dealer_bj_li"))   # the requester is told 1:1
    assert any(b.startswith("@张伟 已同意报备") for b in chat.texts_in_group(GROUP_BJ))
    assert_nothing_private_in(chat)


def test_a_reject_from_the_group_asks_its_reason_privately(app, driver, chat):
    driver.text("dealer_bj_li", BIG_DEAL, group=GROUP_BJ)
    [card] = [m for m in chat.in_group(GROUP_BJ) if isinstance(m, Card)]
    driver.click("director", card.task_id, "reject", group=GROUP_BJ)
    assert "理由" in chat.texts_to("director")[-1]
    assert len(chat.in_group(GROUP_BJ)) == 2                         # the answer and the card, nothing more
    driver.text("director", "客户预算未落实")                      # answered in the direct chat
    assert the_registration(app).status == "rejected"
    stamp = [m for m in chat.in_group(GROUP_BJ) if isinstance(m, CardStamp)][-1]
    assert stamp.text.startswith("已驳回 · 张伟")


def test_group_talk_without_mentioning_the_bot_gets_no_answer(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京大学第一医院 彩超 120万", group=GROUP_BJ, mentioned=False)
    assert chat.delivered == []
    assert the_registration(app) is None
    with q(app).factory() as s:     # kept, like every accepted message, and done
        assert s.execute(select(InboxMessage.status)).scalar_one() == "done"


def test_a_refusal_naming_another_partner_goes_to_the_sender_alone(app, driver, chat):
    driver.text("dealer_hx_sun", "报备 北京大学第一医院 彩超 80万")             # 北京华信 holds it now
    driver.text("dealer_bj_li", "@渠道助手 报备 北京大学第一医院 彩超 90万", group=GROUP_BJ)
    private = chat.texts_to("dealer_bj_li")[-1]
    assert "报备未通过" in private and "北京华信医疗科技有限公司" in private
    [note] = chat.texts_in_group(GROUP_BJ)
    assert note.startswith("@李明 ") and "私信" in note
    assert_nothing_private_in(chat)


def test_a_managers_query_names_partners_only_privately(app, driver, chat):
    driver.text("dealer_hx_sun", "报备 北京大学第一医院 彩超 80万")
    driver.text("mgr_north", "@渠道助手 查询 北京大学第一医院", group=GROUP_BJ)
    assert "北京华信医疗科技有限公司" in chat.texts_to("mgr_north")[-1]
    assert "私信" in chat.texts_in_group(GROUP_BJ)[-1]
    # a partner's own query shows others only as "held by another partner": fine for the group
    driver.text("dealer_bj_li", "@渠道助手 查询 北京大学第一医院", group=GROUP_BJ)
    assert "其他" in chat.texts_in_group(GROUP_BJ)[-1]
    assert_nothing_private_in(chat)


def test_an_order_from_the_group_keeps_prices_and_credit_private(app, driver, chat):
    driver.text("dealer_bj_li", "@渠道助手 订货 A100*20", group=GROUP_BJ)
    with q(app).factory() as s:
        order = s.execute(select(Order)).scalar_one()
    private = chat.messages_to("dealer_bj_li")
    assert any(isinstance(m, Card) and m.task_id == order.card_task_id for m in private)
    assert any("信用" in m.body for m in private if isinstance(m, Markdown))
    [note] = chat.texts_in_group(GROUP_BJ)
    assert order.number in note and "私信" in note
    assert_nothing_private_in(chat)


def test_checkin_link_goes_to_the_rep_alone(app, driver, chat):
    q(app).services.location_page = lambda platform, user, minutes: f"https://bot.example/checkin/{user}-{minutes}"
    driver.text("rep_zhang", "@渠道助手 签到 北京协和医院", group=GROUP_FIELD)
    [link] = chat.texts_to("rep_zhang")
    assert "https://bot.example/checkin/rep_zhang-10" in link and "北京协和医院" in link
    assert "私信" in chat.texts_in_group(GROUP_FIELD)[-1]
    assert_nothing_private_in(chat, GROUP_FIELD)


def test_a_user_is_reached_on_the_platform_they_last_wrote_from(app, driver, chat):
    driver.text("dealer_bj_li", "帮助")
    with q(app).factory() as s:
        assert s.execute(select(User.platform).where(User.external_id == "dealer_bj_li")).scalar_one() == "test"


# ---- WeCom-like: the card goes 1:1, the group hears of it and of the decision ---------------

@pytest.mark.parametrize("chat", [NO_GROUP_CARDS], indirect=True)
def test_without_group_cards_the_approver_gets_the_card_and_the_group_the_decision(app, driver, chat):
    driver.text("dealer_bj_li", BIG_DEAL, group=GROUP_BJ)
    reg = the_registration(app)
    assert not any(isinstance(m, Card) for m in chat.in_group(GROUP_BJ))
    [card] = chat.cards_to("director")
    assert "北京康健 × 示例医疗" in card.note                          # the card names the thread
    reply, sent_to = chat.texts_in_group(GROUP_BJ)
    assert reply.startswith("@李明 ") and "等待销售总监审批" in reply
    assert reg.number in sent_to and "张伟" in sent_to                 # the thread names the approver

    driver.click("director", card.task_id, "approve")                 # in the director's own chat
    assert the_registration(app).status == "approved"
    assert chat.stamps_to("director")[0].text.startswith("已同意 · 张伟")
    decided = chat.texts_in_group(GROUP_BJ)[-1]
    assert decided.startswith(f"报备 {reg.number}：已同意 · 张伟 · ")
    assert_nothing_private_in(chat)


@pytest.mark.parametrize("chat", [NO_GROUP_CARDS], indirect=True)
def test_without_location_pages_checkin_asks_for_a_location(app, driver, chat):
    q(app).services.location_page = lambda platform, user, minutes: "https://bot.example/never"
    driver.text("rep_zhang", "签到 北京协和医院")
    assert "发送您当前的位置" in chat.texts_to("rep_zhang")[-1]

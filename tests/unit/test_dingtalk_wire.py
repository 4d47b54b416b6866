"""DingTalk's wire pieces without an app: the robot sign, the event crypto with
the official vector, and the recorded callbacks read into neutral messages."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from adapters.dingtalk import card_events, inbound, sign
from adapters.dingtalk.crypto import CryptoError, DingTalkCrypto
from chat.messages import InboundKind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dingtalk"

# DingTalk-Callback-Crypto DingCallbackCrypto3.py, as quoted in platforms.md.
VEC = {"token": "mryue", "aes_key": "Yue0EfdN5900c1ce5cf6A152c63DDe1808a60c5ecd7", "key": "ding6ccabc44d2c8d38b",
       "signature": "03044561471240d4a14bb09372dfcfd4fd0e40cb", "timestamp": "1608001896814", "nonce": "WL4PK6yA",
       "encrypt": "0vJiX6vliEpwG3U45CtXqi+m8PXbQRARJ8p8BbDuD1EMTDf0jKpQ79QS93qEk7XHpP6u+oTTrd15NRPvNvmBKyDCYxxOK+HZeKj"
                  "u4yhELOFchzNukR+t8SB/qk4ROMu3"}


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_event_crypto_official_vector():
    c = DingTalkCrypto(VEC["token"], VEC["aes_key"], VEC["key"])
    plain = c.verify_and_decrypt(VEC["signature"], VEC["timestamp"], VEC["nonce"], VEC["encrypt"])
    assert json.loads(plain) == {"EventType": "check_url"}
    with pytest.raises(CryptoError):
        c.verify("0" * 40, VEC["timestamp"], VEC["nonce"], VEC["encrypt"])
    with pytest.raises(CryptoError):     # the right key, another app's key as receive id
        DingTalkCrypto(VEC["token"], VEC["aes_key"], "dingotherapp").decrypt(VEC["encrypt"])


def test_sealed_success_opens_with_the_same_crypto():
    c = DingTalkCrypto(VEC["token"], VEC["aes_key"], VEC["key"])
    answer = c.sealed_success("1608001896900")
    assert set(answer) == {"msg_signature", "timeStamp", "nonce", "encrypt"}
    assert c.verify_and_decrypt(answer["msg_signature"], answer["timeStamp"], answer["nonce"],
                                answer["encrypt"]) == "success"


def test_robot_sign_is_the_documented_hmac():
    secret, ts = "demo-dingtalk-secret-qudao-2026", "1795394600000"
    expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), hashlib.sha256).digest())
    assert sign.sign(secret, ts) == expected.decode()
    assert sign.sign(secret, ts) == "uGiFIAcjj07blq4K7TFR/xVHBVlTxVD7IitIiIPvJZw="    # openssl dgst -sha256 -hmac


@pytest.mark.parametrize("given,now,why", [
    ("ok", 1795394600000, None),
    ("ok", 1795394600000 + 3600 * 1000, None),                     # exactly an hour: still in
    ("ok", 1795394600000 + 3600 * 1000 + 1, "stale timestamp"),
    ("ok", 1795394600000 - 3600 * 1000 - 1, "stale timestamp"),
    ("bad", 1795394600000, "bad sign"),
    ("", 1795394600000, "missing timestamp or sign"),
])
def test_robot_sign_refusals(given, now, why):
    secret, ts = "s3cret", "1795394600000"
    value = sign.sign(secret, ts) if given == "ok" else ("x" + sign.sign(secret, ts)[1:] if given == "bad" else "")
    assert sign.refusal(secret, ts, value, now) == why


def test_group_robot_message_reads_as_a_neutral_group_message():
    msg = inbound.to_inbound(fixture("robot_group_text.json"))
    assert msg.kind == InboundKind.TEXT and msg.text == "报备 北京大学第一医院 彩超 120万"
    assert (msg.sender, msg.sender_name, msg.platform) == ("dealer_bj_li", "李明", "dingtalk")
    assert msg.chat_id == "cidZv3xJQ+0lqVqkYx0pTcD4g==" and msg.chat_title == "北京康健 × 示例医疗"
    assert msg.mentioned and msg.created_at.year == 2026
    assert inbound.dedup_key(fixture("robot_group_text.json")) == "dingtalk:msg:msgBf0u4GvJ3Xy0fUAtfZ1pyw=="


def test_direct_and_picture_messages():
    doc = {**fixture("robot_group_text.json"), "conversationType": "1", "isInAtList": False}
    direct = inbound.to_inbound(doc)
    assert direct.chat_id is None and direct.mentioned         # 1:1: everything is for the bot
    pic = inbound.to_inbound({**doc, "msgtype": "picture", "content": {"downloadCode": "dc-1"}})
    assert pic.kind == InboundKind.IMAGE and pic.media_id == "dc-1"
    odd = inbound.to_inbound({**doc, "msgtype": "audio"})
    assert odd.kind == InboundKind.UNSUPPORTED


@pytest.mark.parametrize("name,track,user,action,group", [
    ("card_click_group.json", "rg-7-r1-s0-1a2b3c4d", "dealer_bj_wang", "approve", "cidZv3xJQ+0lqVqkYx0pTcD4g=="),
    ("card_click_sdk_sample.json", "53d6dda444c74f5f17bf4534333c1a46f690b4ddadac8d7e80fc11c2e4a714cb",
     "04574258341072934", "button_node_ocljnpbz4i4", None),
    ("card_click_robot_value_only.json", "sp-3-r2-s1-deadbeef", "director", "reject", None),
])
def test_recorded_card_clicks(name, track, user, action, group):
    assert card_events.parse_click(fixture(name)) == card_events.Click(track, user, action, group)


@pytest.mark.parametrize("doc", [{"EventType": "check_url"}, {"outTrackId": "x"}, [], "x",
                                 {"outTrackId": "x", "userId": "u", "type": "other"}])
def test_other_events_are_no_clicks(doc):
    assert card_events.parse_click(doc) is None

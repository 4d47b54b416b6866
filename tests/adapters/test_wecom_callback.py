"""The WeCom callback: official vectors, refusals, dedup, and what reaches the API."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from adapters.wecom.crypto import CryptoError, WeComCrypto, signature
from domain.clock import FrozenClock
from models import InboxMessage, OutboxMessage
from tests.support.apps import build_app
from tests.support.reading import last_text

# Tencent's own sample (weworkapi_python callback/Sample.py), see platforms.md.
VEC = {
    "token": "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo",
    "aes_key": "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt",
    "corp_id": "ww1436e0e65a779aee",
}
URL_CHECK = {"msg_signature": "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb", "timestamp": "1476416373",
             "nonce": "47744683",
             "echostr": "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="}
MESSAGE = {"msg_signature": "0c3914025cb4b4d68103f6bfc8db550f79dcf48e", "timestamp": "1476422779",
           "nonce": "1597212914"}
ENCRYPT = ("Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNs"
           "hw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010w"
           "sHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVD"
           "GxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+")


def test_official_vectors_with_the_crypto_module():
    c = WeComCrypto(VEC["token"], VEC["aes_key"], VEC["corp_id"])
    assert c.verify_and_decrypt(URL_CHECK["msg_signature"], URL_CHECK["timestamp"], URL_CHECK["nonce"],
                                URL_CHECK["echostr"]) == "1288432023552776189"
    plain = c.verify_and_decrypt(MESSAGE["msg_signature"], MESSAGE["timestamp"], MESSAGE["nonce"], ENCRYPT)
    assert "<Content>你好</Content>" in plain and "<MsgId>1456453720</MsgId>" in plain
    with pytest.raises(CryptoError):
        c.verify("0" * 40, MESSAGE["timestamp"], MESSAGE["nonce"], ENCRYPT)
    with pytest.raises(CryptoError):   # the right key but another corp's receive id
        WeComCrypto(VEC["token"], VEC["aes_key"], "ww_other").decrypt(ENCRYPT)
    assert signature("b", "a", "d", "c") == signature("a", "b", "c", "d")


@pytest.fixture
def vector_app(tmp_path, wecom, base_settings):
    """The app configured with the official sample's credentials, clock pinned to 2016."""
    clock = FrozenClock(datetime.fromtimestamp(1476422779, tz=UTC))
    settings = (base_settings.with_(database_url=f"sqlite:///{tmp_path}/v.sqlite3", simulator=False,
                                    processing="inline")
                .with_wecom(token=VEC["token"], aes_key=VEC["aes_key"], corp_id=VEC["corp_id"],
                            api_base=wecom.base_url))
    app = build_app(settings, clock)
    yield app, clock
    app.extensions["qudao"].engine.dispose()


def test_url_verification_answers_the_plaintext_alone(vector_app):
    app, clock = vector_app
    clock.set(datetime.fromtimestamp(1476416373, tz=UTC))
    r = app.test_client().get("/wecom/callback", query_string=URL_CHECK)
    assert r.status_code == 200 and r.data == b"1288432023552776189"
    bad = dict(URL_CHECK, msg_signature="0" * 40)
    assert app.test_client().get("/wecom/callback", query_string=bad).status_code == 403


def test_official_message_vector_is_accepted_and_answered(vector_app):
    app, _clock = vector_app
    body = f"<xml><ToUserName><![CDATA[{VEC['corp_id']}]]></ToUserName><Encrypt><![CDATA[{ENCRYPT}]]></Encrypt>" \
           f"<AgentID><![CDATA[1000002]]></AgentID></xml>"
    r = app.test_client().post("/wecom/callback", query_string=MESSAGE, data=body, content_type="text/xml")
    assert r.status_code == 200
    q = app.extensions["qudao"]
    with q.factory() as s:
        row = s.execute(select(InboxMessage)).scalar_one()
        assert row.sender == "ChenJiaShun" and row.payload["text"] == "你好" and row.dedup_key == "wecom:msg:1456453720"
        out = s.execute(select(OutboxMessage)).scalar_one()
        assert out.recipient == "ChenJiaShun" and "没有开通" in out.payload["body"]


def test_the_same_vector_is_refused_once_the_clock_is_real(vector_app):
    app, clock = vector_app
    clock.set(datetime(2026, 11, 23, tzinfo=UTC))   # a signed replay from 2016
    body = f"<xml><Encrypt><![CDATA[{ENCRYPT}]]></Encrypt></xml>"
    r = app.test_client().post("/wecom/callback", query_string=MESSAGE, data=body, content_type="text/xml")
    assert r.status_code == 403
    with app.extensions["qudao"].factory() as s:
        assert s.execute(select(func.count()).select_from(InboxMessage)).scalar() == 0


def _nothing_stored_or_sent(app, wecom):
    with app.extensions["qudao"].factory() as s:
        assert s.execute(select(func.count()).select_from(InboxMessage)).scalar() == 0
        assert s.execute(select(func.count()).select_from(OutboxMessage)).scalar() == 0
    assert wecom.state.calls_to("message/send") == []


def test_bad_signature_is_refused_and_nothing_happens(app, driver, wecom):
    inner = driver.inner_xml(driver.fields("dealer_bj_li", "text", Content="报备 北京协和医院 彩超 80万", MsgId="1"))
    assert driver.post_inner(inner, signature="f" * 40).status_code == 403
    _nothing_stored_or_sent(app, wecom)


def test_stale_and_future_timestamps_are_refused(app, driver, wecom, clock):
    inner = driver.inner_xml(driver.fields("dealer_bj_li", "text", Content="帮助", MsgId="2"))
    now = int(clock.now().timestamp())
    assert driver.post_inner(inner, ts=now - 301).status_code == 403
    assert driver.post_inner(inner, ts=now + 301).status_code == 403
    _nothing_stored_or_sent(app, wecom)
    assert driver.post_inner(inner, ts=now - 299).status_code == 200


def test_undecryptable_body_is_a_client_error(app, driver, wecom, clock):
    ts = str(int(clock.now().timestamp()))
    enc = "bm90IGEgcmVhbCBjaXBoZXJ0ZXh0IGF0IGFsbCE="
    sig = signature(driver.crypto.token, ts, "123", enc)
    body = f"<xml><Encrypt><![CDATA[{enc}]]></Encrypt></xml>"
    r = driver.client.post("/wecom/callback", query_string={"msg_signature": sig, "timestamp": ts, "nonce": "123"},
                           data=body, content_type="text/xml")
    assert r.status_code == 400
    _nothing_stored_or_sent(app, wecom)


def test_entity_bearing_xml_is_refused(app, driver, wecom, clock):
    body = ('<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            '<xml><Encrypt>&b;</Encrypt></xml>')
    r = driver.client.post("/wecom/callback", query_string={"msg_signature": "x", "timestamp": "1", "nonce": "1"},
                           data=body, content_type="text/xml")
    assert r.status_code == 400
    assert driver.client.post("/wecom/callback", query_string={"msg_signature": "x", "timestamp": "1", "nonce": "1"},
                              data=b"<xml><Encrypt>", content_type="text/xml").status_code == 400
    _nothing_stored_or_sent(app, wecom)


def test_oversized_body_is_413(app, driver, wecom):
    big = b"<xml><Encrypt>" + b"A" * (65 * 1024) + b"</Encrypt></xml>"
    r = driver.client.post("/wecom/callback", query_string={"msg_signature": "x", "timestamp": "1", "nonce": "1"},
                           data=big, content_type="text/xml")
    assert r.status_code == 413
    _nothing_stored_or_sent(app, wecom)


def test_card_events_dedup_on_task_and_response_code(app, driver, wecom, clock):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    card = wecom.state.cards_for("director")[0]
    # Two clicks in the same second with different response codes are two events…
    rc1, rc2 = (wecom.state.issue_response_code(card.task_id, ["director"], "click") for _ in range(2))
    driver.click("director", card.task_id, "approve", response_code=rc1)
    driver.click("director", card.task_id, "approve", response_code=rc2)
    # …but a WeCom retry of the first is not.
    driver.click("director", card.task_id, "approve", response_code=rc1)
    with app.extensions["qudao"].factory() as s:
        keys = s.execute(select(InboxMessage.dedup_key).where(InboxMessage.sender == "director")).scalars().all()
    assert len(keys) == 2 and all(card.task_id in k for k in keys)
    assert "已由 张伟" in last_text(wecom, "director")


def test_location_message_is_a_check_in_and_periodic_reports_are_silent(app, driver, wecom):
    driver.location("rep_zhang", 39.9127, 116.4175, "北京协和医院")
    assert "已在 北京协和医院 签到" in last_text(wecom, "rep_zhang")
    driver.post_inner(driver.inner_xml(driver.fields("rep_zhang", "event", Event="LOCATION", Latitude="39.9",
                                                     Longitude="116.4", Precision="30")))
    assert len(wecom.state.messages_to("rep_zhang")) == 1


def test_opening_the_app_greets_once_a_day(app, driver, wecom, clock):
    def enter():
        driver.post_inner(driver.inner_xml(driver.fields("dealer_bj_li", "event", Event="enter_agent", EventKey="")))
    enter()
    clock.advance(seconds=5)
    enter()
    assert len(wecom.state.messages_to("dealer_bj_li")) == 1
    assert "可用命令" in last_text(wecom, "dealer_bj_li")
    clock.advance(hours=25)
    enter()
    assert len(wecom.state.messages_to("dealer_bj_li")) == 2

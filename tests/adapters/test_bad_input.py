"""Bad input at the edges: each gets a 4xx or a polite refusal, never a 500,
and changes nothing. WeCom's callback (coordinates that are no number, deep
nesting, no sender, a reused nonce), DingTalk's robot callback (the same
classes), the ERP API (dates outside what a datetime holds, half-applied
batches, deep JSON), another partner's order, the ``parse`` command's input."""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from adapters.dingtalk.sign import sign
from models import AuditEvent, InboxMessage, Lead, Order, OutboxMessage, Partner, Visit
from tests.support.apps import add_integration, build_app
from tests.support.dingtalk import DingTalkDriver, dingtalk_settings
from tests.support.reading import cards_to, texts_to
from tests.support.wecom import WeComDriver

pytestmark = pytest.mark.fault


def q(app):
    return app.extensions["qudao"]


def count(app, model) -> int:
    with q(app).factory() as s:
        return s.execute(select(func.count()).select_from(model)).scalar()


# ------------------------------------------------------------------ WeCom: coordinates
def post_location(driver, user: str, lat: str, lng: str):
    return driver.post_inner(driver.inner_xml(driver.fields(
        user, "location", Location_X=lat, Location_Y=lng, Scale=15, Label="", MsgId=str(secrets.randbits(62)))))


@pytest.mark.parametrize("lat, lng", [("nan", "116.41757"), ("39.91366", "inf"), ("1e999", "116.41757"),
                                      ("-inf", "NaN"), ("-1e999", "1e999")])
def test_wecom_location_that_is_no_number_is_acknowledged_and_refused_politely(app, driver, wecom, lat, lng):
    r = post_location(driver, "rep_zhang", lat, lng)
    assert r.status_code == 200                     # acknowledged: WeCom does not retry it forever
    with q(app).factory() as s:
        [row] = s.execute(select(InboxMessage)).scalars().all()
        assert row.payload["lat"] is None or row.payload["lng"] is None     # stored without NaN/Infinity
        assert row.status == "done"
        assert s.execute(select(func.count()).select_from(Visit)).scalar() == 0
    assert "没能读出这个位置" in texts_to(wecom, "rep_zhang")[-1]


@pytest.mark.parametrize("lat, lng, said", [("91.5", "116.4", "91.5"), ("39.9", "-181", "-181")])
def test_wecom_location_out_of_range_is_refused_with_the_numbers(app, driver, wecom, lat, lng, said):
    assert post_location(driver, "rep_zhang", lat, lng).status_code == 200
    assert "不是有效的经纬度" in texts_to(wecom, "rep_zhang")[-1] and said in texts_to(wecom, "rep_zhang")[-1]
    assert count(app, Visit) == 0


def test_wecom_location_refusal_speaks_the_senders_language(app, driver, wecom):
    driver.text("rep_zhang", "help")
    assert post_location(driver, "rep_zhang", "nan", "nan").status_code == 200
    assert "Could not read that location" in texts_to(wecom, "rep_zhang")[-1]
    assert count(app, Visit) == 0


# ------------------------------------------------------------------ WeCom: structure and sender
def test_wecom_deeply_nested_payload_is_refused_cleanly(app, driver, wecom):
    deep = "<a>" * 1000 + "x" + "</a>" * 1000
    inner = driver.inner_xml(driver.fields("dealer_bj_li", "text", MsgId="1")).replace(
        "<MsgType>", f"<Content>{deep}</Content><MsgType>")
    r = driver.post_inner(inner)
    assert r.status_code == 400
    assert count(app, InboxMessage) == 0 and wecom.state.calls_to("message/send") == []


def test_wecom_ordinary_nesting_still_passes(app, driver, wecom):
    r = driver.group_text("dealer_bj_li", "@渠道助手 帮助", "wrk_grp1")     # <From><UserId>: three deep
    assert r.status_code == 200 and count(app, InboxMessage) == 1


@pytest.mark.parametrize("sender", ["", "   "])
def test_wecom_message_without_a_sender_is_refused_and_nothing_is_sent(app, driver, wecom, sender):
    r = driver.text(sender, "帮助")
    assert r.status_code == 400
    assert count(app, InboxMessage) == 0 and count(app, OutboxMessage) == 0
    assert wecom.state.calls_to("message/send") == []


# ------------------------------------------------------------------ WeCom: nonce replay
def seal_post(driver, inner: str, nonce: str, ts: int):
    sealed = driver.crypto.seal(inner, str(ts), nonce)
    body = (f"<xml><ToUserName><![CDATA[{driver.corp_id}]]></ToUserName>"
            f"<Encrypt><![CDATA[{sealed['encrypt']}]]></Encrypt><AgentID>{driver.agent_id}</AgentID></xml>")
    query = {"msg_signature": sealed["msg_signature"], "timestamp": str(ts), "nonce": nonce}
    return driver.client.post("/wecom/callback", query_string=query, data=body.encode(), content_type="text/xml"), \
        body, query


def test_wecom_new_message_reusing_a_nonce_and_timestamp_is_refused(app, driver, wecom, clock):
    ts = int(clock.now().timestamp())
    first = driver.inner_xml(driver.fields("dealer_bj_li", "text", Content="帮助", MsgId="9001"))
    r, body, query = seal_post(driver, first, "424242", ts)
    assert r.status_code == 200
    # WeCom's own retry of that callback (the same body): still acknowledged, the inbox keeps one copy
    again = driver.client.post("/wecom/callback", query_string=query, data=body.encode(), content_type="text/xml")
    assert again.status_code == 200 and count(app, InboxMessage) == 1
    # another message under the same nonce and timestamp, properly signed: refused, nothing stored
    clock.advance(seconds=30)
    other = driver.inner_xml(driver.fields("dealer_bj_li", "text", Content="我的报备", MsgId="9002"))
    r2, _, _ = seal_post(driver, other, "424242", ts)
    assert r2.status_code == 403
    assert count(app, InboxMessage) == 1 and len(texts_to(wecom, "dealer_bj_li")) == 1
    # the same nonce with another timestamp is another callback
    r3, _, _ = seal_post(driver, other, "424242", ts + 1)
    assert r3.status_code == 200 and count(app, InboxMessage) == 2


def test_wecom_nonce_is_forgotten_once_its_timestamp_is_stale(app, driver, wecom, clock):
    ts = int(clock.now().timestamp())
    r, _, _ = seal_post(driver, driver.inner_xml(driver.fields("dealer_bj_li", "text", Content="帮助",
                                                                 MsgId="9101")), "777", ts)
    assert r.status_code == 200
    clock.advance(seconds=q(app).settings.timestamp_window_s + 5)
    r2, _, _ = seal_post(driver, driver.inner_xml(driver.fields("dealer_bj_li", "text", Content="帮助",
                                                                  MsgId="9102")), "777", ts)
    assert r2.status_code == 403            # stale timestamp: the window itself refuses it
    assert count(app, InboxMessage) == 1


# ------------------------------------------------------------------ DingTalk robot
def post_raw_robot(dt_driver, raw: bytes):
    ts = str(int(dt_driver.clock.now().timestamp() * 1000))
    return dt_driver.client.post("/dingtalk/robot", data=raw, content_type="application/json",
                                 headers={"timestamp": ts, "sign": sign(dt_driver.app_secret, ts)})


@pytest.mark.parametrize("field, literal", [("sessionWebhookExpiredTime", "NaN"),
                                            ("sessionWebhookExpiredTime", "Infinity"),
                                            ("createAt", "-Infinity"), ("sessionWebhookExpiredTime", "1e999")])
def test_dingtalk_robot_numbers_that_are_no_number_are_refused(dt_app, dt_driver, dingtalk, field, literal):
    doc = dt_driver.robot.message("dealer_bj_li", "李明", "帮助")
    raw = json.dumps({**doc, field: "@@"}, ensure_ascii=False).replace('"@@"', literal).encode()
    r = post_raw_robot(dt_driver, raw)
    assert r.status_code == 400
    assert count(dt_app, InboxMessage) == 0 and count(dt_app, OutboxMessage) == 0


def test_dingtalk_robot_deeply_nested_body_is_refused(dt_app, dt_driver, dingtalk):
    doc = dt_driver.robot.message("dealer_bj_li", "李明", "帮助")
    raw = json.dumps({**doc, "text": "@@"}, ensure_ascii=False).replace(
        '"@@"', '{"content": ' + "[" * 1000 + "]" * 1000 + "}").encode()
    r = post_raw_robot(dt_driver, raw)
    assert r.status_code == 400
    assert count(dt_app, InboxMessage) == 0


@pytest.mark.parametrize("sender", ["", None])
def test_dingtalk_robot_message_without_a_sender_is_refused(dt_app, dt_driver, dingtalk, sender):
    doc = dt_driver.robot.message("dealer_bj_li", "李明", "帮助")
    doc["senderStaffId"] = sender
    r = dt_driver.post_robot(doc)
    assert r.status_code == 400
    assert count(dt_app, InboxMessage) == 0 and count(dt_app, OutboxMessage) == 0


@pytest.mark.parametrize("expires", ["soon", [1], {"a": 1}, True])
def test_dingtalk_robot_webhook_expiry_that_is_no_time_is_ignored(dt_app, dt_driver, dingtalk, expires):
    doc = dt_driver.robot.message("dealer_bj_li", "李明", "帮助")
    doc["sessionWebhookExpiredTime"] = expires
    assert dt_driver.post_robot(doc).status_code == 200      # the message is fine; its webhook is not kept
    assert count(dt_app, InboxMessage) == 1


# ------------------------------------------------------------------ ERP API
def confirmed_order(app, driver, wecom, text="订货 A100*2 B200*5") -> str:
    driver.text("dealer_bj_li", text)
    card = [c for c in cards_to(wecom, "dealer_bj_li") if c.task_id.startswith("so-")][-1]
    driver.click("dealer_bj_li", card.task_id, "confirm")
    with q(app).factory() as s:
        return s.execute(select(Order.number).order_by(Order.id.desc())).scalars().first()


@pytest.fixture
def erp(app):
    client = app.test_client()
    auth = {"Authorization": f"Bearer {add_integration(app)}"}
    return client, auth


@pytest.mark.parametrize("since", ["0001-01-01", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
                                   "9999-12-31", "1970-01-01", "2300-01-01T00:00:00+00:00"])
def test_erp_orders_since_outside_what_a_time_holds_is_a_400(app, erp, since):
    client, auth = erp
    r = client.get("/erp/v1/orders", headers=auth, query_string={"since": since})
    assert r.status_code == 400
    assert r.json["error"] == "bad_time" and "since" in r.json["message"] and "2000-01-01" in r.json["message"]
    assert client.get("/erp/v1/orders", headers=auth, query_string={"since": "2026-01-01"}).status_code == 200


def balances(app) -> dict:
    with q(app).factory() as s:
        return {code: (float(v or 0), at) for code, v, at in s.execute(
            select(Partner.code, Partner.receivables_yuan, Partner.receivables_as_of))}


@pytest.mark.parametrize("as_of", ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00+00:00",
                                   "9999-12-31T23:59:59-14:00"])
def test_erp_receivables_batch_with_a_year_one_time_applies_nothing(app, erp, as_of):
    client, auth = erp
    before = balances(app)
    batch = {"balances": [{"partner": "P-BJ-KJ", "unpaid_yuan": 1000, "as_of": "2026-12-01T10:00:00+08:00"},
                          {"partner": "P-BJ-KJ", "unpaid_yuan": 2000, "as_of": as_of}]}
    r = client.post("/erp/v1/receivables", headers=auth, json=batch)
    assert r.status_code == 422
    first, second = r.json["results"]
    assert first["result"] == "not_applied" and second["error"] == "bad_time" and "as_of" in second["message"]
    assert balances(app) == before                     # the first item did not stay committed
    with q(app).factory() as s:
        assert s.execute(select(func.count()).select_from(AuditEvent)
                         .where(AuditEvent.action == "partner.receivables")).scalar() == 0


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-14:00", "0001-01-01"])
def test_erp_shipment_batch_with_a_year_one_time_changes_no_order(app, driver, wecom, erp, at):
    client, auth = erp
    first, second = confirmed_order(app, driver, wecom), confirmed_order(app, driver, wecom, "订货 A100*3")
    told = len(texts_to(wecom, "dealer_bj_li"))
    r = client.post("/erp/v1/shipments", headers=auth, json={"updates": [
        {"order": first, "status": "shipped", "tracking": "SF1"},
        {"order": second, "status": "shipped", "at": at}]})
    assert r.status_code == 422 and r.json["results"][1]["error"] == "bad_time"
    with q(app).factory() as s:
        assert set(s.execute(select(Order.status).where(Order.number.in_([first, second]))).scalars()) == {
            "confirmed"}
    assert len(texts_to(wecom, "dealer_bj_li")) == told     # nobody was told of a shipment
    ok = client.post("/erp/v1/shipments", headers=auth, json={"updates": [
        {"order": first, "status": "shipped", "at": "2026-12-01T10:00:00+08:00"}]})
    assert ok.status_code == 200


def test_erp_batch_failing_unexpectedly_leaves_nothing_committed(app, erp, monkeypatch):
    """An item that breaks in a way nobody foresaw: the batch is one transaction, so the
    items before it are rolled back with it (not left committed behind the 500)."""
    from handlers.orders import erp_sync
    client, auth = erp
    before = balances(app)
    real = erp_sync.check_receivable

    def apply(ctx, update):
        if update["partner"] == "boom":
            raise OverflowError("a bug")
        return real_apply(ctx, update)

    real_apply = erp_sync.apply_receivable
    monkeypatch.setattr("handlers.orders.erp_api.apply_receivable", apply)
    monkeypatch.setattr("handlers.orders.erp_api.check_receivable", lambda u: None if u["partner"] == "boom"
                        else real(u))
    batch = {"balances": [{"partner": "P-BJ-KJ", "unpaid_yuan": 1000}, {"partner": "boom", "unpaid_yuan": 1}]}
    app.testing = False           # an unhandled error becomes the 500 a caller would get
    r = client.post("/erp/v1/receivables", headers=auth, json=batch)
    assert r.status_code == 500
    assert balances(app) == before


@pytest.mark.parametrize("raw", ["[" * 100_000 + "]" * 100_000, '{"balances": ' + "[" * 1000 + "]" * 1000 + "}",
                                 '{"partner": "P-BJ-KJ", "unpaid_yuan": NaN}',
                                 '{"partner": "P-BJ-KJ", "unpaid_yuan": 1e999}',
                                 '{"partner": "P-BJ-KJ", "unpaid_yuan": Infinity}'])
def test_erp_body_too_deep_or_not_a_number_is_a_400(app, erp, raw):
    client, auth = erp
    before = balances(app)
    r = client.post("/erp/v1/receivables", headers=auth, data=raw, content_type="application/json")
    assert r.status_code == 400 and r.json["error"] == "bad_json"
    assert balances(app) == before


# ------------------------------------------------------------------ another partner's order
def test_another_partners_order_is_answered_as_if_it_did_not_exist(app, driver, wecom):
    number = confirmed_order(app, driver, wecom)
    draft_text = "订货 A100*1"
    driver.text("dealer_bj_li", draft_text)
    with q(app).factory() as s:
        draft = s.execute(select(Order.number).order_by(Order.id.desc())).scalars().first()
        before = {n: st for n, st in s.execute(select(Order.number, Order.status))}
    missing = "SO20990101-9999"

    def answer(text: str) -> str:
        driver.text("dealer_hx_sun", text)
        return texts_to(wecom, "dealer_hx_sun")[-1]

    for ref in (number, draft):
        for verb in ("取消订单", "订单", "修改订单", "确认订单"):
            foreign = answer(f"{verb} {ref}" + (" A100*5" if verb == "修改订单" else ""))
            absent = answer(f"{verb} {missing}" + (" A100*5" if verb == "修改订单" else ""))
            assert foreign == absent.replace(missing, ref), (verb, foreign, absent)
            assert "不属于" not in foreign and "没有找到" in foreign
        assert answer(f"取消订单 {ref}") == answer(f"订单 {ref}")
    with q(app).factory() as s:
        assert {n: st for n, st in s.execute(select(Order.number, Order.status))} == before


# ------------------------------------------------------------------ python -m bot parse
def test_parse_command_answers_every_line_despite_lone_surrogates_and_bad_bytes(tmp_path):
    root = Path(__file__).resolve().parents[2]
    lines = [b'{"text": "\\ud800"}', b'{"text": "\\u62a5\\u5907 \\udc00\\u533b\\u9662 \\u5f69\\u8d85 80\\u4e07"}',
             b'{"text": "\xff\xfe \xe5\xb8"}', b"\xff\xfe not json", '{"text": "帮助"}'.encode(),
             b'{"text": "\\ud800", "now": "2026-11-23"}', '{"text": "订货 A100*2"}'.encode()]
    env = {**os.environ, "PYTHONPATH": str(root), "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3",
           "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "bot", "parse"], input=b"\n".join(lines) + b"\n",
                          capture_output=True, cwd=root, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    out = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert len(out) == len(lines)
    assert out[0]["intent"] == "unknown"
    assert out[1]["intent"] == "register" and out[1]["customer"] == "\ufffd医院"     # answered, surrogate replaced
    assert "error" in out[3]
    assert out[4]["intent"] == "help" and out[5]["intent"] == "unknown"
    assert out[6]["intent"] == "order" and out[6]["items"] == [{"sku": "A100", "qty": 2}]


def test_dingtalk_robot_text_with_a_lone_surrogate_is_stored_readable_and_answered(dt_app, dt_driver, dingtalk):
    doc = dt_driver.robot.message("dealer_bj_li", "李明", "@@")
    raw = json.dumps(doc, ensure_ascii=False).replace('"@@"', '"\\ud800 帮助"').encode()
    assert post_raw_robot(dt_driver, raw).status_code == 200
    with q(dt_app).factory() as s:
        [row] = s.execute(select(InboxMessage)).scalars().all()
        assert row.payload["text"] == "\ufffd 帮助"          # UTF-8 (and PostgreSQL) can carry it
        assert row.status == "done"
    assert count(dt_app, OutboxMessage) >= 1


@pytest.fixture
def pg_dt_app(pg_url, dingtalk, clock, base_settings):
    app = build_app(dingtalk_settings(base_settings, pg_url, dingtalk), clock)
    yield app
    app.extensions["qudao"].runner.stop()
    app.extensions["qudao"].engine.dispose()


@pytest.mark.postgres
def test_dingtalk_robot_text_with_nul_characters_is_stored_without_them_and_carried_out(pg_dt_app, clock,
                                                                                        base_settings, dingtalk):
    # A PostgreSQL text column refuses NUL: the lead's command failed (retried, then "busy").
    driver = DingTalkDriver(pg_dt_app, clock, base_settings, dingtalk)
    doc = driver.robot.message("rep_zhang", "张勇", "@@")
    said = "线索 北京\\u0000天坛医院 彩超 50万 联系人 张\\u0000主任 13800000000 来源 展\\u0000会"
    assert post_raw_robot(driver, json.dumps(doc, ensure_ascii=False).replace('"@@"', f'"{said}"').encode()
                          ).status_code == 200
    with q(pg_dt_app).factory() as s:
        [row] = s.execute(select(InboxMessage)).scalars().all()
        assert row.payload["text"] == "线索 北京天坛医院 彩超 50万 联系人 张主任 13800000000 来源 展会"
        assert (row.status, row.error) == ("done", None)
        [lead] = s.execute(select(Lead)).scalars().all()
        assert (lead.customer_text, lead.contact) == ("北京天坛医院", "张主任")


@pytest.fixture
def pg_wecom(pg_app, clock, base_settings, wecom) -> WeComDriver:
    return WeComDriver(pg_app, clock, base_settings, wecom)


@pytest.mark.postgres
@pytest.mark.redis
def test_wecom_replay_key_on_postgres_refuses_another_message_once(pg_app, pg_wecom, wecom, clock):
    """The (timestamp, nonce) is the inbox row's unique replay key, checked by the
    acknowledgement's INSERT: the same body again passes, another message is refused."""
    ts = int(clock.now().timestamp())
    first = pg_wecom.inner_xml(pg_wecom.fields("dealer_bj_li", "text", Content="帮助", MsgId="9301"))
    r, body, query = seal_post(pg_wecom, first, "31337", ts)
    assert r.status_code == 200
    with pg_app.extensions["qudao"].factory() as s:
        assert s.execute(select(InboxMessage.replay_key)).scalars().all() == [f"wecom:{ts}:31337"]
    again = pg_wecom.client.post("/wecom/callback", query_string=query, data=body.encode(), content_type="text/xml")
    assert again.status_code == 200
    other = pg_wecom.inner_xml(pg_wecom.fields("dealer_bj_li", "text", Content="我的报备", MsgId="9302"))
    refused = seal_post(pg_wecom, other, "31337", ts)[0]
    assert (refused.status_code, refused.text) == (403, "nonce already used")
    assert count(pg_app, InboxMessage) == 1


# ------------------------------------------------------------------ the check-in page
def test_checkin_page_post_nested_deep_or_not_a_number_is_a_400(dt_app, dt_driver, dingtalk):
    from tests.adapters.test_checkin_page import link_of, path
    dt_driver.text("rep_zhang", "签到 北京协和医院")
    page = path(link_of(dingtalk))
    client = dt_app.test_client()
    for raw in ("[" * 30_000 + "]" * 30_000, '{"lat": NaN, "lng": 116.4}', '{"lat": 39.9, "lng": 1e999}'):
        r = client.post(page, data=raw, content_type="application/json")
        assert r.status_code == 400, raw[:30]
    assert count(dt_app, Visit) == 0 and count(dt_app, InboxMessage) == 1      # only the 签到 text

"""Check-in without location messages: on DingTalk, 签到 sends a one-use link to
the bot's position page; what the page posts is a location message from that
user, checked against the same geofence as a WeCom location."""
from __future__ import annotations

import hashlib
import json
import re

from sqlalchemy import func, select

from models import InboxMessage, Visit


def q(app):
    return app.extensions["qudao"]


def link_of(dingtalk) -> str:
    """The check-in link the rep was sent (their chat with the robot, via its webhook)."""
    for call in dingtalk.state.calls_to("robot/sendBySession"):
        found = re.search(r"\((\S*/checkin/[^)\s]+)\)", json.dumps(call.body, ensure_ascii=False))
        if found:
            return found.group(1)
    raise AssertionError("no check-in link was sent")


def path(link: str) -> str:
    return link[link.index("/checkin/"):]


def visits(app) -> list[Visit]:
    with q(app).factory() as s:
        return s.execute(select(Visit).order_by(Visit.id)).scalars().all()


def test_checkin_page_link_posts_a_location_that_counts_once(dt_app, dt_driver, dingtalk):
    dt_driver.text("rep_zhang", "签到 北京协和医院")
    page = path(link_of(dingtalk))
    client = dt_app.test_client()
    shown = client.get(page)
    assert shown.status_code == 200 and "张勇" in shown.get_data(as_text=True)

    r = client.post(page, json={"lat": 39.91366, "lng": 116.41757, "coord_system": "gcj02"})
    assert r.status_code == 200 and r.get_json() == {"ok": True}
    [visit] = visits(dt_app)
    assert visit.status == "open" and visit.verified and visit.coord_system == "gcj02"
    replies = [c.body for c in dingtalk.state.calls if "sendBySession" in c.path or "batchSend" in c.path]
    assert any("已在 北京协和医院 签到" in json.dumps(b, ensure_ascii=False) for b in replies)

    again = client.post(page, json={"lat": 39.91366, "lng": 116.41757, "coord_system": "gcj02"})
    assert again.status_code == 409
    with q(dt_app).factory() as s:
        assert s.execute(select(func.count()).select_from(InboxMessage)
                         .where(InboxMessage.dedup_key.like("dingtalk:page:%"))).scalar() == 1


def test_the_same_geofence_refuses_a_far_position(dt_app, dt_driver, dingtalk):
    dt_driver.text("rep_zhang", "签到 北京协和医院")
    r = dt_app.test_client().post(path(link_of(dingtalk)), json={"lat": 39.93058, "lng": 116.41757})
    assert r.status_code == 200
    [visit] = visits(dt_app)
    assert visit.status == "offsite" and not visit.verified and 1500 < visit.distance_m < 2500


def test_expired_forged_and_bad_posts_change_nothing(dt_app, dt_driver, dingtalk, clock):
    dt_driver.text("rep_zhang", "签到 北京协和医院")
    page = path(link_of(dingtalk))
    client = dt_app.test_client()
    assert client.post(page, json={"lat": "x", "lng": 1}).status_code == 400
    assert client.post(page, json={"lat": 91, "lng": 1}).status_code == 400
    assert client.post(page, json={"lat": int("3" * 400), "lng": 116.4}).status_code == 400
    assert client.post(page, json={"lat": True, "lng": False}).status_code == 400      # not (1, 0)
    assert client.post(page, data="not json").status_code == 400
    assert client.get(page[:-3] + "abc").status_code == 403
    clock.advance(minutes=11)                                     # the rule: 10 minutes
    assert client.get(page).status_code == 403
    assert client.post(page, json={"lat": 39.91366, "lng": 116.41757}).status_code == 403
    assert visits(dt_app) == []


def test_inside_dingtalk_the_page_gets_a_signed_dd_config(dt_app, dt_driver, dingtalk, base_settings):
    dt_driver.text("rep_zhang", "签到")
    page = path(link_of(dingtalk))
    url = "https://bot.example" + page
    config = dt_app.test_client().get(page + "/config", query_string={"url": url + "#top"}).get_json()["config"]
    cfg = base_settings.dingtalk
    assert (config["corpId"], config["agentId"], config["jsApiList"]) == (cfg.corp_id, cfg.agent_id,
                                                                          ["device.geolocation.get"])
    plain = (f"jsapi_ticket=sim-ticket-{cfg.app_key}&noncestr={config['nonceStr']}&timestamp={config['timeStamp']}"
             f"&url={url}")
    assert config["signature"] == hashlib.sha1(plain.encode()).hexdigest()
    assert len(dingtalk.state.calls_to("get_jsapi_ticket")) == 1

"""Locations as WeCom sends them (strings in the XML): what can't be read as a
position reaches the bot as one and is refused like any other; message ids
WeCom retries are processed once."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import InboxMessage, Registration, Visit
from tests.support.reading import last_text, texts_to

PUMCH = (39.912581, 116.417570)            # 北京协和医院 in the demo data (GCJ-02)


def q(app):
    return app.extensions["qudao"]


def visits(app):
    with q(app).factory() as s:
        return list(s.execute(select(Visit).order_by(Visit.id)).scalars())


@pytest.mark.parametrize("lat, lng, said", [
    ("0", "0", "手机还没有定位成功"), ("0.0", "0.00001", "手机还没有定位成功"),
    ("90", "180", "不在国内"), ("35.6812", "139.7671", "不在国内"),          # Tokyo
    ("91", "0", "不是有效的经纬度"), ("39.9", "-200", "不是有效的经纬度"),
    ("abc", "116.4", "没能读出这个位置"), ("nan", "116.4", "没能读出这个位置"), ("inf", "116.4", "没能读出这个位置"),
])
def test_a_location_that_is_no_position_is_refused_and_nothing_is_stored(app, driver, wecom, clock, lat, lng, said):
    driver.post_inner(driver.inner_xml(driver.fields("rep_zhang", "location", Location_X=lat, Location_Y=lng,
                                                     Scale=15, Label="", MsgId="m-" + lat + lng)))
    reply = last_text(wecom, "rep_zhang")
    assert said in reply and reply.startswith("❌ 未签到：") and "这个位置没有记录" in reply
    assert reply.count("未签到") == 1
    assert visits(app) == []
    clock.advance(minutes=10)                                   # the next real check-in is judged on its own
    driver.location("rep_zhang", *PUMCH)
    [visit] = visits(app)
    assert visit.verified and visit.flags == []


def test_a_message_wecom_retries_is_processed_once(app, driver, wecom):
    for _ in range(3):   # WeCom retries the same MsgId when it gets no answer in 5 s
        r = driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万", msg_id="CAIQg/PKxgYY2sC9tpuAgAMg9/zKaw==")
        assert r.status_code == 200 and r.data == b""
    with q(app).factory() as s:
        assert len(s.execute(select(Registration)).scalars().all()) == 1
        assert s.execute(select(InboxMessage.status)).scalars().all() == ["done"]
    assert len(texts_to(wecom, "dealer_bj_li")) == 1

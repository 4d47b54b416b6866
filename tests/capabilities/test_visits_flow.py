"""Field visits end to end: geofenced check-ins from WeCom location messages,
check-out, notes, photos kept past WeCom's 3-day media life, and the flags."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from chat.scheduling import build_scheduler
from models import MediaBlob, Visit, VisitPhoto
from tests.support.reading import last_text, texts_to

PUMCH = (39.912581, 116.417570)            # 北京协和医院 in the demo data (GCJ-02)
DEG_PER_M = 1 / 111_195                   # a metre of latitude, in degrees
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


def q(app):
    return app.extensions["qudao"]


def visits(app):
    with q(app).factory() as s:
        rows = s.execute(select(Visit).order_by(Visit.id)).scalars().all()
        for v in rows:
            _ = v.photos, v.customer
        return rows


def north_of(point, metres):
    return point[0] + metres * DEG_PER_M, point[1]


def test_checkin_inside_and_outside_the_geofence(app, driver, chat):
    driver.location("rep_zhang", *north_of(PUMCH, 2000), label="东单")
    [attempt] = visits(app)
    assert attempt.status == "offsite" and not attempt.verified and 1990 < attempt.distance_m < 2010
    reply = last_text(chat, "rep_zhang")
    assert "未签到" in reply and "2.0 公里" in reply and "300 米" in reply and "北京协和医院" in reply
    assert attempt.flags[0]["code"] == "FAR_FROM_CUSTOMER"
    driver.location("rep_zhang", *north_of(PUMCH, 120), label="帅府园")
    visit = visits(app)[1]
    assert visit.status == "open" and visit.verified and 115 < visit.distance_m < 125
    assert visit.coord_system == "gcj02" and visit.customer.name == "北京协和医院"
    reply = last_text(chat, "rep_zhang")
    assert reply.startswith("✅ 10:00 已在 北京协和医院 签到：距客户 120 米，在签到范围 300 米 内。")
    driver.location("rep_zhang", *north_of(PUMCH, 100))
    assert "无需重复签到" in last_text(chat, "rep_zhang") and len(visits(app)) == 2


def test_checkout_note_and_photo(app, driver, chat, clock):
    driver.location("rep_zhang", *north_of(PUMCH, 120))
    clock.advance(minutes=45)
    driver.text("rep_zhang", "拜访小结 见了设备科主任，下周演示")
    media_id = chat.store_media(PNG, "image/png", "visit.png")
    driver.image("rep_zhang", media_id)
    assert "照片已附到 北京协和医院" in last_text(chat, "rep_zhang")
    driver.text("rep_zhang", "签退")
    [visit] = visits(app)
    assert visit.status == "closed" and visit.duration_s == 45 * 60
    assert "45 分钟" in last_text(chat, "rep_zhang")
    assert "见了设备科主任" in visit.notes
    [photo] = visit.photos
    assert photo.status == "pending" and photo.media_id == media_id
    build_scheduler(q(app)).tick()                       # the photo sweep fetches it from the platform
    with q(app).factory() as s:
        photo = s.execute(select(VisitPhoto)).scalar_one()
        assert photo.status == "fetched" and s.get(MediaBlob, photo.blob_id).data == PNG
    assert chat.fetches == [media_id]
    driver.text("rep_zhang", "签退")
    assert "没有进行中的拜访" in last_text(chat, "rep_zhang")
    driver.text("rep_zhang", "我的拜访")
    assert "北京协和医院 · 已签退" in last_text(chat, "rep_zhang") and "45分钟" in last_text(chat, "rep_zhang")


def test_a_photo_that_cannot_be_kept_is_reported_to_the_visitor(app, driver, chat, clock):
    driver.location("rep_zhang", *north_of(PUMCH, 50))
    media_id = chat.store_media(PNG, "image/png", "visit.png")
    driver.image("rep_zhang", media_id)
    driver.image("rep_zhang", "media-chat-never-had")                 # the platform never had it
    chat.fail_next_fetch()                                              # the first one: a transient failure…
    sched = build_scheduler(q(app))
    sched.tick()
    with q(app).factory() as s:
        assert [p.status for p in s.execute(select(VisitPhoto).order_by(VisitPhoto.id)).scalars()] == \
               ["pending", "failed"]
    told = [m for m in texts_to(chat, "rep_zhang") if "没能保存" in m]
    assert len(told) == 1 and "11-23 10:00" in told[0] and "北京协和医院" in told[0]
    clock.advance(days=3, hours=2)                                      # …until the platform no longer has it
    chat.fail_next_fetch()
    sched.tick()
    with q(app).factory() as s:
        assert [p.status for p in s.execute(select(VisitPhoto).order_by(VisitPhoto.id)).scalars()] == \
               ["failed", "failed"]
    assert len([m for m in texts_to(chat, "rep_zhang") if "没能保存" in m]) == 2
    sched.tick()
    assert len([m for m in texts_to(chat, "rep_zhang") if "没能保存" in m]) == 2


def test_photo_fetch_retries_until_the_platform_answers(app, driver, chat, clock):
    driver.location("rep_zhang", *north_of(PUMCH, 50))
    driver.image("rep_zhang", chat.store_media(PNG, "image/png", "visit.png"))
    sched = build_scheduler(q(app))
    chat.fail_next_fetch()
    sched.tick()
    with q(app).factory() as s:
        photo = s.execute(select(VisitPhoto)).scalar_one()
        assert photo.status == "pending" and photo.attempts == 1 and photo.error
    clock.advance(minutes=5)
    sched.tick()
    with q(app).factory() as s:
        assert s.execute(select(VisitPhoto.status)).scalar() == "fetched"


def test_signin_with_a_customer_name_then_location(app, driver, chat):
    driver.text("rep_zhang", "签到 北京协和医院")
    assert "发送您当前的位置" in last_text(chat, "rep_zhang")
    driver.location("rep_zhang", *north_of(PUMCH, 250))
    assert visits(app)[0].verified and "签到" in last_text(chat, "rep_zhang")


def test_flags_impossible_travel_same_point_and_hours(app, driver, chat, clock):
    driver.location("rep_zhang", 39.116170, 117.175430)        # 天津医科大学总医院
    clock.advance(minutes=20)
    driver.location("rep_zhang", *PUMCH)                        # ~110 km in 20 minutes
    first, second = visits(app)
    assert first.status == "auto_closed" and first.duration_s is None
    [unclosed] = [f for f in first.flags if f["code"] == "NOT_CHECKED_OUT"]
    assert unclosed["message"] == "天津医科大学总医院 的拜访没有签退，在下一次签到时结束，时长未知"
    travel = next(f for f in second.flags if f["code"] == "IMPOSSIBLE_TRAVEL")
    assert travel["facts"]["speed_kmh"] > 300
    assert "距上次在 天津医科大学总医院 的签到" in travel["message"] and "超过上限 120 公里/小时" in travel["message"]
    reply = last_text(chat, "rep_zhang")
    assert "⚠️ 距上次在 天津医科大学总医院" in reply and "已随本次签到结束，时长记为未知" in reply
    driver.text("rep_zhang", "我的拜访")
    mine = last_text(chat, "rep_zhang")
    assert "⚠️移动速度异常" in mine and "天津医科大学总医院 · 未签退" in mine and "⚠️未签退" in mine
    assert "IMPOSSIBLE_TRAVEL" not in mine and "NOT_CHECKED_OUT" not in mine and "分钟" not in mine
    # the same coordinates as 张勇's check-in at 协和, claimed for another customer: refused and
    # kept as an off-site attempt — never a check-in, so it cannot be "the same point" of anything
    clock.advance(hours=3)
    driver.text("rep_zhang", "签退")
    driver.text("dealer_bj_li", "签到 北京大学第一医院")
    driver.location("dealer_bj_li", *PUMCH)                  # far from 北大一院: refused
    assert "未签到" in last_text(chat, "dealer_bj_li")
    replay = visits(app)[-1]
    assert (replay.status, replay.verified, replay.customer.name) == ("offsite", False, "北京大学第一医院")
    assert [f["code"] for f in replay.flags] == ["FAR_FROM_CUSTOMER"]
    clock.set(clock.now().replace(hour=14))                  # 22:00 in Beijing
    driver.location("dealer_bj_li", *north_of(PUMCH, 2))
    late = visits(app)[-1]
    # at 协和, where 张勇 checked in from 2 m away: the same customer is no replay
    assert late.verified and late.customer.name == "北京协和医院"
    assert [f["code"] for f in late.flags] == ["OUTSIDE_HOURS"]


def test_same_coordinates_at_a_different_customer_are_flagged(app, driver, chat, clock):
    from models import Customer
    with q(app).factory() as s, s.begin():
        other = s.execute(select(Customer).where(Customer.name == "北京大学第一医院")).scalar_one()
        other.lat, other.lng, other.radius_m = PUMCH[0] + 0.002, PUMCH[1], 400   # 220 m away, big fence
    driver.location("rep_zhang", *north_of(PUMCH, 1))           # 10:00 Beijing, 02:00 UTC
    driver.text("rep_zhang", "签退")
    clock.advance(hours=2)
    driver.text("dealer_bj_li", "签到 北京大学第一医院")
    driver.location("dealer_bj_li", *north_of(PUMCH, 1))      # the very same point, claimed for 北大一院
    flagged = visits(app)[-1]
    assert flagged.customer.name == "北京大学第一医院" and flagged.verified
    same = next(f for f in flagged.flags if f["code"] == "SAME_POINT_OTHER_CUSTOMER")
    assert same["facts"]["others"][0]["customer"] == "北京协和医院"
    assert same["message"] == "与 张勇 11-23 10:00 在 北京协和医院 的签到坐标几乎相同（相距 0 米）"   # local time


def test_flags_compare_with_verified_check_ins_only(app, driver, chat, clock):
    from models import Customer
    with q(app).factory() as s, s.begin():
        other = s.execute(select(Customer).where(Customer.name == "北京大学第一医院")).scalar_one()
        other.lat, other.lng, other.radius_m = PUMCH[0] + 0.002, PUMCH[1], 150   # 220 m away, small fence
    # refused at 北大一院, then checked in at 协和 from the very same spot
    driver.text("rep_zhang", "签到 北京大学第一医院")
    driver.location("rep_zhang", *north_of(PUMCH, 1))
    assert "未签到" in last_text(chat, "rep_zhang")
    clock.advance(minutes=5)
    driver.location("rep_zhang", *north_of(PUMCH, 1))
    first = visits(app)[-1]
    assert first.verified and first.customer.name == "北京协和医院" and first.flags == []
    driver.text("rep_zhang", "签退")
    # an off-site attempt from Tianjin, then 20 minutes later a check-in in Beijing: no "jump"
    clock.advance(minutes=30)
    driver.text("rep_zhang", "签到 首都医科大学附属北京朝阳医院")
    driver.location("rep_zhang", 39.116170, 117.175430)
    assert visits(app)[-1].status == "offsite"
    clock.advance(minutes=20)
    driver.location("rep_zhang", 39.924890, 116.451780)           # 朝阳医院, 3.6 km from 协和 in 55 min
    assert visits(app)[-1].verified and visits(app)[-1].flags == []


@pytest.mark.parametrize("lat, lng, said", [
    (0.0, 0.0, "手机还没有定位成功"), (0.0, 0.00001, "手机还没有定位成功"),
    (90.0, 180.0, "不在国内"), (35.6812, 139.7671, "不在国内"),          # Tokyo
    (91.0, 0.0, "不是有效的经纬度"), (39.9, -200.0, "不是有效的经纬度"),
    (None, 116.4, "没能读出这个位置"), (float("nan"), 116.4, "没能读出这个位置"),
    (float("inf"), 116.4, "没能读出这个位置"),
])
def test_a_location_that_is_no_position_is_refused_and_nothing_is_stored(app, driver, chat, clock, lat, lng, said):
    driver.location("rep_zhang", lat, lng)
    reply = last_text(chat, "rep_zhang")
    assert said in reply and reply.startswith("❌ 未签到：") and "这个位置没有记录" in reply
    assert reply.count("未签到") == 1
    assert visits(app) == []
    clock.advance(minutes=10)                                   # the next real check-in is judged on its own
    driver.location("rep_zhang", *PUMCH)
    [visit] = visits(app)
    assert visit.verified and visit.flags == []


def test_a_customer_without_coordinates_closes_the_last_visit_and_stays_unverified(app, driver, chat, clock):
    from handlers.customers.lookup import get_or_create
    with q(app).factory() as s, s.begin():
        assert get_or_create(s, clock, "天津市肿瘤医院").lat is None
    driver.location("rep_zhang", *PUMCH)
    clock.advance(minutes=20)
    driver.text("rep_zhang", "签到 天津市肿瘤医院")
    driver.location("rep_zhang", 39.116170, 117.175430)          # Tianjin, 110 km in 20 minutes
    reply = last_text(chat, "rep_zhang")
    assert "位置无法核实" in reply and "不算已核实拜访" in reply and "已在 天津市肿瘤医院 签到" not in reply
    assert "⚠️ 距上次在 北京协和医院 的签到" in reply and "上一个拜访（北京协和医院）没有签退" in reply
    first, second = visits(app)
    assert (first.status, first.duration_s) == ("auto_closed", None)
    assert (second.status, second.verified, second.customer.name) == ("open", False, "天津市肿瘤医院")
    assert [f["code"] for f in second.flags] == ["NO_CUSTOMER_POINT", "IMPOSSIBLE_TRAVEL"]
    driver.text("rep_zhang", "签退")
    assert [v.status for v in visits(app)] == ["auto_closed", "closed"]


def test_people_who_do_not_visit_cannot_check_in_and_bad_input_changes_nothing(app, driver, chat):
    driver.location("director", *PUMCH)
    assert "签到功能只对" in last_text(chat, "director")
    driver.text("rep_zhang", "签到 不存在的客户名称")
    assert "没有找到客户" in last_text(chat, "rep_zhang")
    driver.text("rep_zhang", "拜访小结 没签到就写")
    assert "先签到" in last_text(chat, "rep_zhang")
    driver.image("rep_zhang", chat.store_media(PNG, "image/png", "x.png"))
    assert "这张照片没有保存" in last_text(chat, "rep_zhang") and "先发送位置签到" in last_text(chat, "rep_zhang")
    for lat, lng in ((0, 0), (90, 180), (-33.8688, 151.2093)):          # no fix, the pole, Sydney
        driver.location("rep_zhang", lat, lng)
        assert "未签到" in last_text(chat, "rep_zhang") and "这个位置没有记录" in last_text(chat, "rep_zhang")
    assert visits(app) == []
    with q(app).factory() as s:
        assert s.execute(select(VisitPhoto)).first() is None


def test_open_visits_get_an_evening_reminder_and_close_themselves(app, driver, chat, clock):
    sched = build_scheduler(q(app))
    driver.location("rep_zhang", *PUMCH)             # Monday 10:00
    clock.set(clock.now().replace(hour=11, minute=0))  # 19:00 Beijing
    sched.tick()
    assert "还没有签退" in last_text(chat, "rep_zhang")
    sched.tick()
    assert len([m for m in texts_to(chat, "rep_zhang") if "还没有签退" in m]) == 1
    clock.advance(hours=3, minutes=1)                # 12 hours after check-in
    sched.tick()
    [visit] = visits(app)
    assert visit.status == "auto_closed" and visit.duration_s is None
    [flag] = [f for f in visit.flags if f["code"] == "NOT_CHECKED_OUT"]
    assert flag["message"] == "北京协和医院 的拜访 12 小时内没有签退，已自动结束，时长未知"
    assert "自动结束，时长记为未知" in last_text(chat, "rep_zhang")

"""Field visits end to end: geofenced check-ins from WeCom location messages,
check-out, notes, photos kept past WeCom's 3-day media life, and the flags."""
from __future__ import annotations

from sqlalchemy import select

from bot.scheduler import build_scheduler
from models import MediaBlob, Visit, VisitPhoto
from tests.conftest import last_text, texts_to

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


def test_checkin_inside_and_outside_the_geofence(app, driver, wecom):
    driver.location("rep_zhang", *north_of(PUMCH, 2000), label="东单")
    [attempt] = visits(app)
    assert attempt.status == "offsite" and not attempt.verified and 1990 < attempt.distance_m < 2010
    reply = last_text(wecom, "rep_zhang")
    assert "未签到" in reply and "2.0 公里" in reply and "300 米" in reply and "北京协和医院" in reply
    assert attempt.flags[0]["code"] == "FAR_FROM_CUSTOMER"
    driver.location("rep_zhang", *north_of(PUMCH, 120), label="帅府园")
    visit = visits(app)[1]
    assert visit.status == "open" and visit.verified and 115 < visit.distance_m < 125
    assert visit.coord_system == "gcj02" and visit.customer.name == "北京协和医院"
    reply = last_text(wecom, "rep_zhang")
    assert "已在 北京协和医院 签到" in reply and "120 米" in reply
    driver.location("rep_zhang", *north_of(PUMCH, 100))
    assert "无需重复签到" in last_text(wecom, "rep_zhang") and len(visits(app)) == 2


def test_checkout_note_and_photo(app, driver, wecom, clock):
    driver.location("rep_zhang", *north_of(PUMCH, 120))
    clock.advance(minutes=45)
    driver.text("rep_zhang", "拜访小结 见了设备科主任，下周演示")
    media = wecom.state.store_media("image", "visit.png", "image/png", PNG)
    driver.image("rep_zhang", media.media_id)
    assert "照片已附到 北京协和医院" in last_text(wecom, "rep_zhang")
    driver.text("rep_zhang", "签退")
    [visit] = visits(app)
    assert visit.status == "closed" and visit.duration_s == 45 * 60
    assert "45 分钟" in last_text(wecom, "rep_zhang")
    assert "见了设备科主任" in visit.notes
    [photo] = visit.photos
    assert photo.status == "pending" and photo.media_id == media.media_id
    build_scheduler(q(app)).tick()                       # the photo sweep fetches it through media/get
    with q(app).factory() as s:
        photo = s.execute(select(VisitPhoto)).scalar_one()
        assert photo.status == "fetched" and s.get(MediaBlob, photo.blob_id).data == PNG
    assert any(c.path.endswith("media/get") for c in wecom.state.calls)
    driver.text("rep_zhang", "签退")
    assert "没有进行中的拜访" in last_text(wecom, "rep_zhang")
    driver.text("rep_zhang", "我的拜访")
    assert "北京协和医院 · 已签退" in last_text(wecom, "rep_zhang") and "45分钟" in last_text(wecom, "rep_zhang")


def test_photo_fetch_retries_until_wecom_answers(app, driver, wecom, clock):
    driver.location("rep_zhang", *north_of(PUMCH, 50))
    media = wecom.state.store_media("image", "visit.png", "image/png", PNG)
    driver.image("rep_zhang", media.media_id)
    sched = build_scheduler(q(app))
    wecom.state.drop_next("media/get")
    sched.tick()
    with q(app).factory() as s:
        photo = s.execute(select(VisitPhoto)).scalar_one()
        assert photo.status == "pending" and photo.attempts == 1 and photo.error
    clock.advance(minutes=5)
    sched.tick()
    with q(app).factory() as s:
        assert s.execute(select(VisitPhoto.status)).scalar() == "fetched"


def test_signin_with_a_customer_name_then_location(app, driver, wecom):
    driver.text("rep_zhang", "签到 北京协和医院")
    assert "发送您当前的位置" in last_text(wecom, "rep_zhang")
    driver.location("rep_zhang", *north_of(PUMCH, 250))
    assert visits(app)[0].verified and "签到" in last_text(wecom, "rep_zhang")


def test_flags_impossible_travel_same_point_and_hours(app, driver, wecom, clock):
    driver.location("rep_zhang", 39.116170, 117.175430)        # 天津医科大学总医院
    clock.advance(minutes=20)
    driver.location("rep_zhang", *PUMCH)                        # ~110 km in 20 minutes
    first, second = visits(app)
    assert first.status == "auto_closed" and "NOT_CHECKED_OUT" in [f["code"] for f in first.flags]
    travel = next(f for f in second.flags if f["code"] == "IMPOSSIBLE_TRAVEL")
    assert travel["facts"]["speed_kmh"] > 300 and "公里/小时" in travel["message"]
    assert "⚠️" in last_text(wecom, "rep_zhang")
    # another rep's check-in replayed at another customer with the same coordinates
    clock.advance(hours=3)
    driver.text("rep_zhang", "签退")
    driver.text("dealer_bj_li", "签到 北京大学第一医院")
    driver.location("dealer_bj_li", *PUMCH)                  # far from 北大一院: refused
    assert "未签到" in last_text(wecom, "dealer_bj_li")
    clock.set(clock.now().replace(hour=14))                  # 22:00 in Beijing
    driver.location("dealer_bj_li", *north_of(PUMCH, 10))
    late = visits(app)[-1]
    assert "OUTSIDE_HOURS" in [f["code"] for f in late.flags]


def test_same_coordinates_at_a_different_customer_are_flagged(app, driver, wecom, clock):
    from models import Customer
    with q(app).factory() as s, s.begin():
        other = s.execute(select(Customer).where(Customer.name == "北京大学第一医院")).scalar_one()
        other.lat, other.lng, other.radius_m = PUMCH[0] + 0.002, PUMCH[1], 400   # 220 m away, big fence
    driver.location("rep_zhang", *north_of(PUMCH, 1))
    driver.text("rep_zhang", "签退")
    clock.advance(hours=2)
    driver.text("dealer_bj_li", "签到 北京大学第一医院")
    driver.location("dealer_bj_li", *north_of(PUMCH, 1))      # the very same point, claimed for 北大一院
    flagged = visits(app)[-1]
    assert flagged.customer.name == "北京大学第一医院" and flagged.verified
    same = next(f for f in flagged.flags if f["code"] == "SAME_POINT_OTHER_CUSTOMER")
    assert same["facts"]["others"][0]["customer"] == "北京协和医院" and "张勇" in same["message"]


def test_people_who_do_not_visit_cannot_check_in_and_bad_input_changes_nothing(app, driver, wecom):
    driver.location("director", *PUMCH)
    assert "签到功能只对" in last_text(wecom, "director")
    driver.text("rep_zhang", "签到 不存在的客户名称")
    assert "没有找到客户" in last_text(wecom, "rep_zhang")
    driver.text("rep_zhang", "拜访小结 没签到就写")
    assert "先签到" in last_text(wecom, "rep_zhang")
    media = wecom.state.store_media("image", "x.png", "image/png", PNG)
    driver.image("rep_zhang", media.media_id)
    assert "先签到" in last_text(wecom, "rep_zhang")
    assert visits(app) == []


def test_open_visits_get_an_evening_reminder_and_close_themselves(app, driver, wecom, clock):
    sched = build_scheduler(q(app))
    driver.location("rep_zhang", *PUMCH)             # Monday 10:00
    clock.set(clock.now().replace(hour=11, minute=0))  # 19:00 Beijing
    sched.tick()
    assert "还没有签退" in last_text(wecom, "rep_zhang")
    sched.tick()
    assert len([m for m in texts_to(wecom, "rep_zhang") if "还没有签退" in m]) == 1
    clock.advance(hours=3, minutes=1)                # 12 hours after check-in
    sched.tick()
    [visit] = visits(app)
    assert visit.status == "auto_closed" and "NOT_CHECKED_OUT" in [f["code"] for f in visit.flags]
    assert "自动结束" in last_text(wecom, "rep_zhang")

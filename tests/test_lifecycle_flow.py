"""The registration lifecycle on a driven clock: expiry warnings, automatic
release (the refused partner hears it is free), and 延期 backed by visits."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.scheduler import build_scheduler
from models import Registration, RegistrationExtension, RegistrationLock
from tests.conftest import cards_to, last_text, texts_to

PUMCH = (39.912581, 116.417570)


def q(app):
    return app.extensions["qudao"]


def regs(app):
    with q(app).factory() as s:
        return s.execute(select(Registration).order_by(Registration.id)).scalars().all()


def test_warnings_then_release_and_the_refused_partner_is_told(app, driver, wecom, clock):
    sched = build_scheduler(q(app))
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")      # protected 90 days
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")     # refused: held by 北京康健
    assert "北京康健" in last_text(wecom, "dealer_hx_sun")
    holder = regs(app)[0]
    clock.set(holder.lock_until - timedelta(days=7, minutes=-1))
    sched.tick()
    warn7 = last_text(wecom, "dealer_bj_li")
    assert "保护期将于" in warn7 and "7 天内" in warn7 and f"延期 {holder.number}" in warn7
    sched.tick()
    assert len([m for m in texts_to(wecom, "dealer_bj_li") if "保护期将于" in m]) == 1
    clock.set(holder.lock_until - timedelta(hours=23))
    sched.tick()
    assert "1 天内" in last_text(wecom, "dealer_bj_li")
    clock.set(holder.lock_until + timedelta(minutes=1))
    sched.tick()
    assert regs(app)[0].status == "expired"
    assert "已释放" in last_text(wecom, "dealer_bj_li")
    assert "现在可以报备" in last_text(wecom, "dealer_hx_sun")
    with q(app).factory() as s:
        assert s.execute(select(RegistrationLock)).first() is None
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")
    assert regs(app)[-1].status == "approved"


def test_after_downtime_only_the_most_urgent_warning_goes_out(app, driver, wecom, clock):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    clock.set(regs(app)[0].lock_until - timedelta(hours=12))    # both the 7-day and the 1-day warnings are due
    build_scheduler(q(app)).tick()
    warnings = [m for m in texts_to(wecom, "dealer_bj_li") if "保护期将于" in m]
    assert len(warnings) == 1 and "1 天内" in warnings[0]


def test_extension_needs_a_verified_visit_and_shows_it_on_the_card(app, driver, wecom, clock):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    reg = regs(app)[0]
    driver.text("dealer_bj_li", f"延期 {reg.number}")
    assert "暂不能延期" in last_text(wecom, "dealer_bj_li") and "目前 0 次" in last_text(wecom, "dealer_bj_li")
    clock.advance(days=60)
    driver.location("dealer_bj_li", PUMCH[0] + 0.0008, PUMCH[1])       # ~90 m: verified
    clock.advance(minutes=40)
    driver.text("dealer_bj_li", "拜访小结 院方招标推迟到明年一季度")
    driver.text("dealer_bj_li", "签退")
    driver.text("dealer_bj_li", f"延期 {reg.number} 招标推迟")
    assert "已提交" in last_text(wecom, "dealer_bj_li")
    [card] = cards_to(wecom, "mgr_north")
    rows = dict((r["keyname"], r["value"]) for r in card.card["horizontal_content_list"])
    assert rows["拜访证据"] == f"{(clock.now() - timedelta(minutes=40)).astimezone(clock.tz):%m-%d %H:%M} 李明 距89米 40分钟"
    assert rows["核实拜访"] == "近30天 1 次" and "+30天" in rows["延期至"]
    assert "招标推迟" in card.card["sub_title_text"]
    driver.click("mgr_north", card.task_id, "approve")
    extended = regs(app)[0]
    assert extended.lock_until == reg.lock_until + timedelta(days=30) and extended.extensions == 1
    assert "保护期延至" in last_text(wecom, "dealer_bj_li")
    driver.text("dealer_bj_li", f"延期 {reg.number}")
    assert "已延期过" in last_text(wecom, "dealer_bj_li")
    with q(app).factory() as s:
        [ext] = s.execute(select(RegistrationExtension)).scalars().all()
        assert ext.status == "approved" and ext.evidence[0]["who"] == "李明"


def test_a_field_reps_visit_counts_as_evidence_too(app, driver, wecom):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.location("rep_zhang", *PUMCH)
    driver.text("dealer_bj_li", f"延期 {regs(app)[0].number}")
    [card] = cards_to(wecom, "mgr_north")
    assert "张勇" in dict((r["keyname"], r["value"]) for r in card.card["horizontal_content_list"])["拜访证据"]

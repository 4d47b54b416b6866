"""The registration lifecycle on a driven clock: expiry warnings, automatic
release (the refused partner hears it is free), and 延期 backed by visits."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from chat.scheduling import build_scheduler
from models import Registration, RegistrationExtension, RegistrationLock
from tests.support.reading import cards_to, last_text, texts_to

PUMCH = (39.912581, 116.417570)


def q(app):
    return app.extensions["qudao"]


def regs(app):
    with q(app).factory() as s:
        return s.execute(select(Registration).order_by(Registration.id)).scalars().all()


def test_warnings_then_release_and_the_refused_partner_is_told(app, driver, chat, clock):
    sched = build_scheduler(q(app))
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")      # protected 90 days
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")     # refused: held by 北京康健
    assert "北京康健" in last_text(chat, "dealer_hx_sun")
    holder = regs(app)[0]
    # Worked: a follow-up within the last 30 days keeps it protected to the end (else it is recalled).
    clock.set(holder.received_at + timedelta(days=70))
    driver.text("dealer_bj_li", f"跟进 {holder.number} 方案报价 院方论证中")
    clock.set(holder.lock_until - timedelta(days=7, minutes=-1))
    sched.tick()
    warn7 = last_text(chat, "dealer_bj_li")
    assert "保护期将于" in warn7 and "7 天内" in warn7 and f"延期 {holder.number}" in warn7
    sched.tick()
    assert len([m for m in texts_to(chat, "dealer_bj_li") if "保护期将于" in m]) == 1
    clock.set(holder.lock_until - timedelta(hours=23))
    sched.tick()
    assert "1 天内" in last_text(chat, "dealer_bj_li")
    clock.set(holder.lock_until + timedelta(minutes=1))
    sched.tick()
    assert regs(app)[0].status == "expired"
    assert "已释放" in last_text(chat, "dealer_bj_li")
    assert "现在可以报备" in last_text(chat, "dealer_hx_sun")
    assert regs(app)[0].free_notices_done_at is not None         # everyone told: later sweeps skip it
    with q(app).factory() as s:
        assert s.execute(select(RegistrationLock)).first() is None
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")
    assert regs(app)[-1].status == "approved"


def test_after_downtime_only_the_most_urgent_warning_goes_out(app, driver, chat, clock):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    clock.set(regs(app)[0].lock_until - timedelta(hours=12))    # both the 7-day and the 1-day warnings are due
    build_scheduler(q(app)).tick()
    warnings = [m for m in texts_to(chat, "dealer_bj_li") if "保护期将于" in m]
    assert len(warnings) == 1 and "1 天内" in warnings[0]


def test_extension_needs_a_verified_visit_and_shows_it_on_the_card(app, driver, chat, clock):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    reg = regs(app)[0]
    driver.text("dealer_bj_li", f"延期 {reg.number}")
    assert "暂不能延期" in last_text(chat, "dealer_bj_li") and "目前 0 次" in last_text(chat, "dealer_bj_li")
    clock.advance(days=60)
    driver.location("dealer_bj_li", PUMCH[0] + 0.0008, PUMCH[1])       # ~90 m: verified
    clock.advance(minutes=40)
    driver.text("dealer_bj_li", "拜访小结 院方招标推迟到明年一季度")
    driver.text("dealer_bj_li", "签退")
    driver.text("dealer_bj_li", f"延期 {reg.number} 招标推迟")
    assert "已提交" in last_text(chat, "dealer_bj_li")
    [card] = cards_to(chat, "mgr_north")
    rows = card.rows
    visited = (clock.now() - timedelta(minutes=40)).astimezone(clock.tz)
    assert rows["拜访证据"] == f"{visited:%m-%d %H:%M} 李明 距89米 40分钟"
    assert rows["核实拜访"] == "近30天 1 次" and rows["拜访标记"] == "无"
    assert rows["延期至"] == f"{reg.lock_until + timedelta(days=30):%Y-%m-%d}（+30天，原 {reg.lock_until:%Y-%m-%d}）"
    assert card.note == "理由：招标推迟；拜访小结：院方招标推迟到明年一季度"
    driver.click("mgr_north", card.task_id, "approve")
    extended = regs(app)[0]
    assert extended.lock_until == reg.lock_until + timedelta(days=30) and extended.extensions == 1
    assert "保护期延至" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_bj_li", f"延期 {reg.number}")
    assert "已延期过" in last_text(chat, "dealer_bj_li")
    with q(app).factory() as s:
        [ext] = s.execute(select(RegistrationExtension)).scalars().all()
        assert ext.status == "approved" and ext.evidence[0]["who"] == "李明"


def card_rows(card) -> dict[str, str]:
    return card.rows


def visit_in_doubt(app, driver, clock) -> str:
    """A registration of 北京协和医院 and a rep's check-in there flagged as impossible travel."""
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.location("rep_zhang", 39.116170, 117.175430)            # Tianjin…
    clock.advance(minutes=20)
    driver.location("rep_zhang", *PUMCH)                            # …then 协和 20 minutes later: impossible travel
    return regs(app)[0].number


def test_a_visit_in_doubt_is_no_evidence_but_the_card_shows_it(app, driver, chat, clock):
    number = visit_in_doubt(app, driver, clock)
    driver.text("dealer_bj_li", f"延期 {number}")
    refused = last_text(chat, "dealer_bj_li")
    assert "暂不能延期" in refused and "目前 0 次" in refused
    assert "另有 1 次拜访带有存疑标记（移动速度异常），不计入" in refused
    assert cards_to(chat, "mgr_north") == []
    with q(app).factory() as s:
        assert s.execute(select(RegistrationExtension)).first() is None
    clock.advance(hours=1)
    driver.location("dealer_bj_li", *PUMCH)                         # a clean visit of the dealer's own
    driver.text("dealer_bj_li", f"延期 {number}")
    [card] = cards_to(chat, "mgr_north")
    rows = card_rows(card)
    assert rows["拜访证据"] == "11-23 11:20 李明 距0米" and rows["拜访标记"] == "无"
    assert rows["核实拜访"] == "近30天 1 次（另 1 次存疑未计入）"
    assert card.note == "存疑未计入：11-23 10:20 张勇 ⚠️移动速度异常"


def test_the_rules_may_count_a_visit_in_doubt(app, driver, chat, clock):
    from domain.rules import RuleStore
    number = visit_in_doubt(app, driver, clock)
    with q(app).factory() as s, s.begin():
        RuleStore(q(app).clock).load_content(s, {"lifecycle": {"extension": {"count_suspicious_visits": True}}},
                                              source="test")
    driver.text("dealer_bj_li", f"延期 {number}")
    [card] = cards_to(chat, "mgr_north")
    rows = card_rows(card)
    assert rows["拜访证据"] == "11-23 10:20 张勇 距0米" and rows["拜访标记"] == "⚠️移动速度异常"
    assert rows["核实拜访"] == "近30天 1 次"


def test_the_card_shows_every_flag_and_no_made_up_duration(app, driver, chat, clock):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    clock.set(clock.now().replace(hour=13))                          # 21:00 in Beijing: outside working hours
    driver.location("rep_zhang", *PUMCH)
    driver.text("rep_zhang", "拜访小结 见了设备科王主任,下周招标")
    clock.advance(hours=12, minutes=30)                              # never checked out: the sweep closes it
    build_scheduler(q(app)).tick()
    driver.text("dealer_bj_li", f"延期 {regs(app)[0].number}")
    [card] = cards_to(chat, "mgr_north")
    rows = card_rows(card)
    assert rows["拜访证据"] == "11-23 21:00 张勇 距0米"                     # no made-up "750分钟"
    assert rows["拜访标记"] == "⚠️非工作时间、未签退" and rows["核实拜访"] == "近30天 1 次"     # notes: it counts
    assert card.note == "拜访小结：见了设备科王主任,下周招标"


def test_a_field_reps_visit_counts_as_evidence_too(app, driver, chat):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.location("rep_zhang", *PUMCH)
    driver.text("dealer_bj_li", f"延期 {regs(app)[0].number}")
    [card] = cards_to(chat, "mgr_north")
    assert "张勇" in card.rows["拜访证据"]


def test_a_pending_extension_dies_with_its_registration(app, driver, chat, clock):
    sched = build_scheduler(q(app))
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    reg = regs(app)[0]
    clock.set(reg.lock_until - timedelta(hours=20))
    driver.location("rep_zhang", *PUMCH)
    driver.text("dealer_bj_li", f"延期 {reg.number} 招标推迟")
    [card] = cards_to(chat, "mgr_north")
    ext_number = card.title.split()[-1]
    clock.set(reg.lock_until + timedelta(minutes=1))                # nobody decided in time
    sched.tick()
    with q(app).factory() as s:
        [ext] = s.execute(select(RegistrationExtension)).scalars().all()
        assert (ext.status, s.get(Registration, reg.id).status) == ("void", "expired")
    released = last_text(chat, "dealer_bj_li")
    assert "已释放" in released and f"未及审批的延期申请 {ext_number} 一并失效" in released
    told = [m for m in texts_to(chat, "mgr_north") if "失效" in m]
    assert told == [f"延期申请 {ext_number} 随报备 {reg.number}（北京协和医院）到期一并失效，无需再审批。"]
    [card] = cards_to(chat, "mgr_north")                             # the card is stamped with why
    assert card.stamp == "已失效 · 报备已到期"
    dealer_told = len(texts_to(chat, "dealer_bj_li"))
    clock.advance(hours=30)                                         # past reminders and escalation
    sched.tick()
    assert cards_to(chat, "director") == [] and len(texts_to(chat, "dealer_bj_li")) == dealer_told
    for user in ("mgr_north", "director", "admin"):
        assert not any(word in m for m in texts_to(chat, user) for word in ("提醒", "升级", "已等待"))
    driver.click("mgr_north", card.task_id, "approve")              # a late tap decides nothing
    with q(app).factory() as s:
        assert s.get(Registration, reg.id).status == "expired" and s.get(Registration, reg.id).extensions == 0


def expired_unswept(app, driver, chat, clock) -> Registration:
    """李明 holds 协和; 孙强 and 赵磊 were refused on it; the lock has run out, no sweep yet."""
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")
    driver.text("dealer_tj_zhao", "报备 北京协和医院 彩超 70万")
    assert "北京康健" in last_text(chat, "dealer_hx_sun") and "北京康健" in last_text(chat, "dealer_tj_zhao")
    holder = regs(app)[0]
    clock.set(holder.lock_until + timedelta(minutes=1))
    return holder


def test_a_customer_taken_at_once_by_the_next_claim_is_not_announced_free(app, driver, chat, clock):
    from models import AuditEvent
    holder = expired_unswept(app, driver, chat, clock)
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")     # the claim expires the old lock and takes it
    assert regs(app)[-1].status == "approved"
    sched = build_scheduler(q(app))
    sched.tick()
    sched.tick()
    assert not any("现在可以报备" in m for m in texts_to(chat, "dealer_tj_zhao"))
    assert not any("现在可以报备" in m for m in texts_to(chat, "dealer_hx_sun"))
    assert len([m for m in texts_to(chat, "dealer_bj_li") if "已释放" in m]) == 1
    assert regs(app)[0].free_notices_done_at is None     # 天津瑞和 may still hear it if the new claim goes
    with q(app).factory() as s:
        assert s.execute(select(AuditEvent).where(AuditEvent.action == "registration.expired",
                                                  AuditEvent.entity_id == holder.number)).scalars().all() != []
        assert len(s.execute(select(AuditEvent).where(AuditEvent.action == "registration.expired")).all()) == 1


def test_a_customer_a_claim_left_free_is_announced_by_the_sweep(app, driver, chat, clock):
    expired_unswept(app, driver, chat, clock)
    driver.text("dealer_tj_zhao", "报备 北京协和医院 彩超 70万")    # expires the old lock, refused itself (territory)
    assert regs(app)[-1].status == "rejected"
    assert not any("现在可以报备" in m for m in texts_to(chat, "dealer_hx_sun"))   # not from inside the claim
    sched = build_scheduler(q(app))
    sched.tick()
    assert last_text(chat, "dealer_hx_sun") == "客户 北京协和医院 的报备保护已到期，现在可以报备了。"
    sched.tick()
    assert len([m for m in texts_to(chat, "dealer_hx_sun") if "现在可以报备" in m]) == 1

"""Appeals on evidence, end to end: a refused partner appeals with photos,
the area manager gets one card with both sides' evidence (and the bundle as
a message and a workbook), decides uphold / transfer / share, both sides are
told, the audit trail has it; one appeal per refusal, within the window;
the director decides when the manager is a party; a recalled partner
appeals its recall; `证据 <客户>` for managers."""
from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from chat import audit
from chat.scheduling import build_scheduler
from models import Appeal, AuditBatch, AuditEvent, MediaBlob, Registration, RegistrationLock, User
from tests.support.audit import sealed_and_intact
from tests.support.reading import cards_to, last_text, texts_to

PUMCH = (39.912581, 116.417570)
JPEG = b"\xff\xd8\xff\xe0" + b"appeal-photo" * 20


def q(app):
    return app.extensions["qudao"]


def regs(app) -> list[Registration]:
    with q(app).factory() as s:
        return s.execute(select(Registration).order_by(Registration.id)).scalars().all()


def appeals(app) -> list[Appeal]:
    with q(app).factory() as s:
        return s.execute(select(Appeal).order_by(Appeal.id)).scalars().all()


def workbook_sent_to(app, chat, user: str):
    [file] = chat.files_to(user)[-1:]
    with q(app).factory() as s:
        blob = s.get(MediaBlob, file.blob_id)
        assert blob.filename.endswith(".xlsx") and blob.kind == "file"
        return load_workbook(io.BytesIO(blob.data))


def dispute(driver, clock, app):
    """康健 holds 协和 (and works it); 华信 visited first and is refused: the two sides."""
    driver.location("dealer_hx_sun", *PUMCH)                     # 华信 was there at 10:00
    driver.text("dealer_hx_sun", "签退")
    clock.advance(minutes=30)
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    clock.advance(minutes=5)
    driver.text("dealer_bj_li", f"{regs(app)[0].number} 确认需求")
    clock.advance(minutes=5)
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")
    holder, refused = regs(app)
    assert refused.status == "rejected"
    return holder, refused


def test_an_appeal_with_photos_reaches_the_area_manager_with_both_sides_evidence(app, driver, chat, clock):
    holder, refused = dispute(driver, clock, app)
    clock.advance(minutes=10)
    driver.text("dealer_hx_sun", f"申诉 {refused.number} 理由 我司 10:00 已到院拜访并提交方案")
    [appeal] = appeals(app)
    assert appeal.number.startswith("AP20261123-") and appeal.status == "pending"
    assert appeal.holder_registration_id == holder.id and appeal.grounds == "conflict"
    filed = last_text(chat, "dealer_hx_sun")
    assert f"已提交申诉 {appeal.number}" in filed and "区域经理 王建国" in filed
    assert f"{appeal.number}" in last_text(chat, "dealer_bj_li") and "申诉" in last_text(chat, "dealer_bj_li")
    # One card, both sides: the claims with their receive times, and each side's evidence.
    [card] = cards_to(chat, "mgr_north")
    assert card.title == f"申诉裁决 {appeal.number}" and card.buttons == ["维持", "移交", "共享"]
    assert card.rows["申诉方"] == f"北京华信 {refused.number} 10:40:00"
    assert card.rows["持有方"] == f"北京康健 {holder.number} 10:30:00"
    assert card.rows["申诉方证据"] == "跟进0 拜访1"
    assert card.rows["持有方证据"] == "跟进1 拜访0"
    assert card.rows["申诉理由"] == "我司 10:00 已到院拜访并提交方案"
    bundle = texts_to(chat, "mgr_north")[-1]
    assert "**申诉方** 北京华信医疗科技有限公司" in bundle and "收到 2026-11-23 10:40:00" in bundle
    assert "**持有方** 北京康健医疗器械有限公司" in bundle and "需求确认" in bundle
    assert "孙强✅" in bundle and "registration.submitted" in bundle
    book = workbook_sent_to(app, chat, "mgr_north")
    assert book.sheetnames == ["报备", "跟进", "拜访", "审批", "申诉", "审计"]
    claims = list(book["报备"].iter_rows(min_row=2, values_only=True))
    assert [(c[0], c[3]) for c in claims] == [(refused.number, "2026-11-23 10:40:00"),
                                              (holder.number, "2026-11-23 10:30:00")]
    visits = list(book["拜访"].iter_rows(min_row=2, values_only=True))
    assert visits[0][0] == refused.number and visits[0][2] == "孙强" and visits[0][3] == "是"
    # Photos sent next are evidence: kept, then shown to the decider.
    media = chat.store_media(JPEG)
    driver.image("dealer_hx_sun", media)
    assert "共 1 张照片" in last_text(chat, "dealer_hx_sun")
    driver.text("dealer_hx_sun", "完成")
    assert "照片 1 张" in last_text(chat, "dealer_hx_sun")
    build_scheduler(q(app)).tick()
    [photo] = chat.images_to("mgr_north")
    assert "照片证据（第 1 张" in texts_to(chat, "mgr_north")[-1]
    with q(app).factory() as s:
        assert s.get(MediaBlob, photo.blob_id).data == JPEG


def file_appeal(driver, clock, app, chat):
    holder, refused = dispute(driver, clock, app)
    driver.text("dealer_hx_sun", f"申诉 {refused.number} 理由 我司先拜访")
    [card] = cards_to(chat, "mgr_north")
    return holder, refused, card


def test_transfer_asks_a_reason_moves_the_protection_and_tells_both_sides(app, driver, chat, clock):
    _holder, _refused, card = file_appeal(driver, clock, app, chat)
    driver.click("mgr_north", card.task_id, "transfer")
    assert "理由" in last_text(chat, "mgr_north") and appeals(app)[0].status == "pending"
    driver.text("mgr_north", "华信拜访在先，有签到为证")
    [appeal] = appeals(app)
    assert appeal.status == "transferred" and appeal.decision_reason == "华信拜访在先，有签到为证"
    old, new = regs(app)
    assert old.status == "transferred" and old.ended_at is not None
    assert new.status == "approved" and new.lock_until == clock.now() + timedelta(days=90)
    sealed_and_intact(q(app).factory)
    with q(app).factory() as s:
        [lock] = s.execute(select(RegistrationLock)).scalars().all()
        assert lock.registration_id == new.id
        decided = s.execute(select(AuditEvent).where(AuditEvent.action == "appeal.decided")).scalar_one()
        assert decided.verdicts[0]["reason_code"] == "TRANSFERRED" and decided.entity_id == appeal.number
    assert "保护移交给贵司" in last_text(chat, "dealer_hx_sun") and "华信拜访在先" in last_text(chat, "dealer_hx_sun")
    assert "移交给对方" in last_text(chat, "dealer_bj_li") and "华信拜访在先" in last_text(chat, "dealer_bj_li")
    assert cards_to(chat, "mgr_north")[0].stamp.startswith("已移交 · 王建国")
    driver.click("mgr_north", card.task_id, "uphold")             # a second tap
    assert "已由 王建国" in last_text(chat, "mgr_north")


def test_uphold_keeps_the_holder(app, driver, chat, clock):
    _holder, _refused, _card = file_appeal(driver, clock, app, chat)
    driver.text("mgr_north", f"维持 {appeals(app)[0].number} 康健报备在先")
    assert appeals(app)[0].status == "upheld"
    assert [r.status for r in regs(app)] == ["approved", "rejected"]
    assert "维持原状" in last_text(chat, "dealer_hx_sun") and "康健报备在先" in last_text(chat, "dealer_hx_sun")
    assert "继续有效" in last_text(chat, "dealer_bj_li")


def test_share_makes_the_holders_deal_a_joint_one(app, driver, chat, clock):
    holder, refused, card = file_appeal(driver, clock, app, chat)
    driver.click("mgr_north", card.task_id, "share")
    [appeal] = appeals(app)
    assert appeal.status == "shared" and appeal.share == Decimal("0.5000")
    deal = regs(app)[0]
    assert deal.joint_partner_id == refused.partner_id and deal.joint_status == "accepted"
    assert deal.partner_share == Decimal("0.5000")
    assert "合作销售" in last_text(chat, "dealer_hx_sun") and "分成 50%" in last_text(chat, "dealer_hx_sun")
    driver.text("dealer_hx_sun", "我的报备")
    assert holder.number in last_text(chat, "dealer_hx_sun") and "联合 北京康健" in last_text(chat, "dealer_hx_sun")


def test_only_the_decider_decides(app, driver, chat, clock):
    _holder, _refused, card = file_appeal(driver, clock, app, chat)
    driver.click("director", card.task_id, "uphold")
    assert "由 王建国 裁决" in last_text(chat, "director") and appeals(app)[0].status == "pending"


@pytest.mark.parametrize("setup, message, answer", [
    ("none", "申诉 {refused} 理由 先到", None),                           # the first appeal is fine
    ("twice", "申诉 {refused} 理由 再申诉一次", "已申诉过"),
    ("late", "申诉 {refused} 理由 先到", "已过期"),
    ("holder", "申诉 {holder} 理由 先到", "只有因撞单被拒"),
    ("none", "申诉 {refused}", "请写明申诉理由"),
    ("none", "申诉 理由 先到", "请写上被拒或被收回的报备号"),
])
def test_the_appeal_rules_as_a_table(app, driver, chat, clock, setup, message, answer):
    holder, refused = dispute(driver, clock, app)
    if setup == "twice":
        driver.text("dealer_hx_sun", f"申诉 {refused.number} 理由 先到")
    if setup == "late":
        clock.advance(days=7, minutes=1)
    who = "dealer_bj_li" if setup == "holder" else "dealer_hx_sun"
    before = len(appeals(app))
    driver.text(who, message.format(refused=refused.number, holder=holder.number))
    if answer is None:
        assert len(appeals(app)) == before + 1
    else:
        assert answer in last_text(chat, who) and len(appeals(app)) == before


def test_the_director_decides_when_the_area_manager_is_a_party(app, driver, chat, clock):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    with q(app).factory() as s, s.begin():                      # the manager approved the holder's claim
        reg = s.execute(select(Registration)).scalar_one()
        reg.decided_by_id = s.execute(select(User.id).where(User.external_id == "mgr_north")).scalar_one()
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")
    driver.text("dealer_hx_sun", f"申诉 {regs(app)[1].number} 理由 先到")
    assert cards_to(chat, "mgr_north") == [] and len(cards_to(chat, "director")) == 1
    assert "销售总监 张伟" in last_text(chat, "dealer_hx_sun")


def test_a_recalled_partner_appeals_and_is_restored(app, driver, chat, clock):
    sched = build_scheduler(q(app))
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    clock.advance(days=30, minutes=1)
    sched.tick()
    [reg] = regs(app)
    assert reg.status == "recalled"
    driver.text("dealer_bj_li", f"申诉 {reg.number} 理由 一直在跟进，只是没在系统记录")
    [appeal] = appeals(app)
    assert appeal.grounds == "recalled" and appeal.holder_registration_id is None
    [card] = cards_to(chat, "mgr_north")
    assert card.buttons == ["维持", "恢复"] and card.rows["持有方"] == "无"
    driver.click("mgr_north", card.task_id, "share")
    assert "没有持有方" in last_text(chat, "mgr_north")
    driver.text("mgr_north", f"恢复 {appeal.number} 有拜访小结为证")
    restored = regs(app)[0]
    assert restored.status == "approved" and restored.ended_at is None
    assert "保护移交给贵司" in last_text(chat, "dealer_bj_li")


def test_evidence_on_demand_for_managers_as_a_message_and_a_workbook(app, driver, chat, clock):
    holder, refused = dispute(driver, clock, app)
    driver.text("mgr_north", "证据 北京协和医院")
    text = texts_to(chat, "mgr_north")[-1]
    assert text.startswith("**证据包 · 北京协和医院**") and holder.number in text and refused.number in text
    book = workbook_sent_to(app, chat, "mgr_north")
    follow = list(book["跟进"].iter_rows(min_row=2, values_only=True))
    assert follow[0][0] == holder.number and follow[0][5] == "需求确认"
    audit = list(book["审计"].iter_rows(min_row=2, values_only=True))
    assert [a[3] for a in audit][:2] == ["registration.submitted", "registration.follow_up"]
    with q(app).factory() as s:
        exported = s.execute(select(AuditEvent).where(AuditEvent.action == "evidence.exported")).scalar_one()
        assert exported.actor == "mgr_north" and exported.after["claims"] == [holder.number, refused.number]


@pytest.mark.parametrize("user, message, answer", [
    ("dealer_bj_li", "证据 北京协和医院", "只提供给区域经理"),
    ("mgr_east", "证据 北京协和医院", "不在您负责的区域"),
    ("mgr_north", "证据 北京没有这家医院", "没有找到客户"),
    ("mgr_north", "证据", "写上客户名称"),
    ("mgr_north", "证据 天津医科大学总医院", "没有任何报备记录"),
])
def test_evidence_requests_that_get_no_bundle(app, driver, chat, user, message, answer):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text(user, message)
    assert answer in last_text(chat, user) and chat.files_to(user) == []


def test_the_workbook_s_audit_sheet_carries_each_sealed_event_s_hash_and_batch(app, driver, chat, clock):
    dispute(driver, clock, app)
    build_scheduler(q(app)).tick()                  # the scheduler seals what was recorded so far
    driver.text("mgr_north", "证据 北京协和医院")
    book = workbook_sent_to(app, chat, "mgr_north")
    header = [c.value for c in book["审计"][1]]
    assert header[-5:] == ["哈希", "事件号", "批次", "批次默克尔根", "批次哈希"]
    rows = list(book["审计"].iter_rows(min_row=2, values_only=True))
    with q(app).factory() as s:
        for row in rows:
            ev = s.get(AuditEvent, row[8])
            batch = s.get(AuditBatch, ev.batch)
            assert row[0] == ev.seq and row[7] == ev.hash == audit.content_hash(ev) and row[3] == ev.action
            assert (row[9], row[10], row[11]) == (batch.number, batch.root, batch.hash)
    assert {r[3] for r in rows} >= {"registration.submitted", "registration.follow_up"}

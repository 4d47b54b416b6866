"""Splits and rebates through the chat: a deal won through an order is split
by the rules (each line traceable: rule, version, orders), 我的分润 shows this month
by deal; a co-sell card shows the split before anyone agrees; a split line
changes only through an approval; 我的返利 moves with a confirmed order; the
mid-period nudge; the period-end run waits for the director's 同意; the
monthly statement workbook."""
from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from chat.scheduling import build_scheduler
from domain.rules.store import RuleStore, read_yaml
from handlers.earnings.statements import statements, workbook
from models import AuditEvent, Order, RebateRun, Registration, SplitEntry
from tests.support.apps import ROOT
from tests.support.reading import cards_to, last_text, texts_to


def q(app):
    return app.extensions["qudao"]


def registered(driver, app, user="dealer_bj_li", text="报备 北京协和医院 彩超 80万") -> Registration:
    driver.text(user, text)
    with q(app).factory() as s:
        return s.execute(select(Registration).order_by(Registration.id.desc())).scalars().first()


def confirmed_order(app, driver, user, text) -> Order:
    driver.text(user, text)
    with q(app).factory() as s:
        order = s.execute(select(Order).order_by(Order.id.desc())).scalars().first()
    driver.text(user, f"确认订单 {order.number}")
    with q(app).factory() as s:
        return s.get(Order, order.id)


def entries(app) -> list[SplitEntry]:
    with q(app).factory() as s:
        return s.execute(select(SplitEntry).order_by(SplitEntry.id)).scalars().all()


def test_a_deal_won_through_an_order_is_split_and_shows_in_my_splits(app, driver, chat):
    reg = registered(driver, app)
    order = confirmed_order(app, driver, "dealer_bj_li", f"订货 A100*2 报备号 {reg.number}")
    assert order.status == "confirmed"
    [line] = entries(app)
    # 康健 is gold, the deal is ultrasound: rule ultrasound_gold, 6% of the order's ¥166,600, nobody else to share
    assert (line.role, line.rule_id, line.base_yuan, line.pool_yuan, line.amount_yuan) == (
        "registering", "ultrasound_gold", Decimal("166600.00"), Decimal("9996.00"), Decimal("9996.00"))
    assert line.orders == [order.number] and line.month == "2026-11" and line.rules_version >= 1
    told = [x for x in texts_to(chat, "dealer_bj_wang") if x.startswith("💰")]
    assert told and "报备方 ¥9,996.00" in told[-1] and "ultrasound_gold" in told[-1]
    driver.text("dealer_bj_wang", "我的分润")
    mine = last_text(chat, "dealer_bj_wang")
    assert "2026-11 我的分润**：1 笔成交，合计 ¥9,996.00" in mine
    assert f"{reg.number} 北京协和医院 · 成交 ¥166,600.00 · 报备方 ¥9,996.00 · 规则 ultrasound_gold" in mine
    assert f"订单 {order.number}" in mine
    driver.text("dealer_hx_sun", "我的分润")
    assert "还没有分润" in last_text(chat, "dealer_hx_sun")
    with q(app).factory() as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "split.computed")).scalar_one()
        assert event.entity_id == reg.number and event.after["orders"] == [order.number]


def test_a_deal_won_by_hand_is_split_at_its_won_amount_once(app, driver, chat):
    reg = registered(driver, app, "dealer_hx_sun", "报备 北京大学第一医院 彩超 60万")
    driver.text("dealer_hx_sun", f"成交 {reg.number} 金额 50万")
    [line] = entries(app)
    assert (line.rule_id, line.base_yuan, line.amount_yuan, line.orders) == (
        "default", Decimal("500000.00"), Decimal("25000.00"), [])
    driver.text("dealer_hx_sun", f"成交 {reg.number} 金额 50万")        # already won: nothing more
    assert len(entries(app)) == 1


def test_the_co_sell_card_shows_the_split_before_anyone_agrees(app, driver, chat):
    driver.text("dealer_hx_sun", "报备 河北医科大学第二医院 彩超 50万")
    [card] = cards_to(chat, "rep_zhang")
    assert card.rows["分润预估"] == "报备方 北京华信医疗科技有限公司 ¥7,500.00、直销团队 ¥17,500.00（规则 cosell）"


def test_a_split_line_changes_only_through_the_directors_approval(app, driver, chat):
    reg = registered(driver, app)
    confirmed_order(app, driver, "dealer_bj_li", f"订货 A100*2 报备号 {reg.number}")
    driver.text("dealer_bj_li", f"分润调整 {reg.number} 报备方 8000 理由 客户追加折让")
    assert "只能由区域经理" in last_text(chat, "dealer_bj_li")
    driver.text("mgr_north", f"分润调整 {reg.number} 报备方 8000 理由 客户追加折让")
    assert "总监同意后生效" not in last_text(chat, "mgr_north") and "张伟 同意后生效" in last_text(chat, "mgr_north")
    assert entries(app)[0].amount_yuan == Decimal("9996.00")          # nothing changes before the decision
    [card] = [c for c in cards_to(chat, "director") if c.title.startswith("分润调整")]
    assert card.rows["调整为"] == "¥8,000.00"
    driver.click("director", card.task_id, "approve")
    [line] = entries(app)
    assert (line.amount_yuan, line.computed_yuan, line.adjusted_by) == (Decimal("8000.00"), Decimal("9996.00"),
                                                                        line.adjusted_by)
    assert line.adjusted_by.startswith("SA")
    driver.text("dealer_bj_li", "我的分润")
    assert "已调整，原 ¥9,996.00" in last_text(chat, "dealer_bj_li")


def test_a_bad_adjustment_request_gets_the_usage(app, driver, chat):
    driver.text("mgr_north", "分润调整 RG20261123-0001 老板 100")
    assert "用法" in last_text(chat, "mgr_north")


def test_an_adjustment_beyond_any_share_gets_the_usage_and_changes_nothing(app, driver, chat):
    reg = registered(driver, app)
    confirmed_order(app, driver, "dealer_bj_li", f"订货 A100*2 报备号 {reg.number}")
    driver.text("mgr_north", f"分润调整 {reg.number} 报备方 {'9' * 30} 理由 客户追加折让")
    assert "用法" in last_text(chat, "mgr_north")
    assert [c for c in cards_to(chat, "director") if c.title.startswith("分润调整")] == []
    assert entries(app)[0].amount_yuan == Decimal("9996.00") and entries(app)[0].adjusted_by is None


def test_my_rebate_moves_with_a_confirmed_order(app, driver, chat):
    driver.text("dealer_sh_chen", "我的返利")
    before = last_text(chat, "dealer_sh_chen")
    assert "2026年第四季度返利" in before and "目标 ¥1,500,000.00 · 已确认 ¥0.00（0%）" in before
    assert "距下一档（≥80% 返 1%）还差 ¥1,200,000.00，达到后返利 ¥12,000.00" in before
    confirmed_order(app, driver, "dealer_sh_chen", "订货 A100*2")
    driver.text("dealer_sh_chen", "我的返利")
    after = last_text(chat, "dealer_sh_chen")
    assert "已确认 ¥166,600.00（11.1%）" in after and "还差 ¥1,033,400.00" in after
    assert "计入订单 1 笔" in after and "预计期末" in after
    driver.text("mgr_north", "我的返利")
    assert "只对经销商开放" in last_text(chat, "mgr_north")


def test_a_cancelled_or_unconfirmed_order_does_not_count(app, driver, chat):
    driver.text("dealer_sh_chen", "订货 A100*2")          # a draft, never confirmed
    driver.text("dealer_sh_chen", "我的返利")
    assert "已确认 ¥0.00" in last_text(chat, "dealer_sh_chen")


def use_rules(app, extra: dict) -> None:
    """The default rules with some sections replaced, published as the active version."""
    base = read_yaml((ROOT / "config/rules/default.yaml").read_text(encoding="utf-8"))
    with q(app).factory() as s, s.begin():
        RuleStore(q(app).clock).load_content(s, {**base, **extra}, source="test")


def test_a_program_scoped_to_a_product_line_counts_only_that_lines_value(app, driver, chat):
    use_rules(app, {"rebates": {"programs": [{"id": "2026Q4", "name": "监护冲刺", "start": "2026-10-01",
                                              "end": "2026-12-31", "product_lines": ["监护"],
                                              "tiers": [{"at": 0.8, "rate": 0.01}]}]}})
    order = confirmed_order(app, driver, "dealer_bj_li", "订货 A100*2 B200*5")
    assert order.total_yuan == Decimal("217600.00")          # 166,600 of ultrasound, 51,000 of monitors
    driver.text("dealer_bj_li", "我的返利")
    mine = last_text(chat, "dealer_bj_li")
    assert "已确认 ¥51,000.00（2.6%）" in mine and "仅 监护" in mine and "计入订单 1 笔" in mine


def test_partners_close_to_a_tier_are_nudged_once_from_mid_period(app, driver, chat, clock):
    confirmed_order(app, driver, "dealer_sh_chen", "订货 A100*2")
    use_rules(app, {"rebates": {"programs": [{"id": "2026Q4", "name": "四季度返利", "start": "2026-10-01",
                                              "end": "2026-12-31", "nudge_within": 0.75,
                                              "tiers": [{"at": 0.8, "rate": 0.01}, {"at": 1.0, "rate": 0.02}]}]}})
    sched = build_scheduler(q(app))
    clock.advance(days=1)
    sched.tick()
    nudges = [x for x in texts_to(chat, "dealer_sh_chen") if x.startswith("📈")]
    assert len(nudges) == 1 and "再确认 ¥1,033,400.00" in nudges[0] and "≥80% 档" in nudges[0]
    assert not [x for x in texts_to(chat, "dealer_bj_li") if x.startswith("📈")]      # 0% is not close
    clock.advance(days=1)
    sched.tick()
    assert len([x for x in texts_to(chat, "dealer_sh_chen") if x.startswith("📈")]) == 1


def test_at_period_end_the_run_waits_for_the_directors_approval(app, driver, chat, clock):
    confirmed_order(app, driver, "dealer_sh_chen", "订货 A100*2")
    use_rules(app, {"rebates": {"programs": [{"id": "2026Q4", "name": "四季度返利", "start": "2026-10-01",
                                              "end": "2026-11-30",
                                              "tiers": [{"at": 0.1, "rate": 0.01}, {"at": 1.0, "rate": 0.02}]}]}})
    sched = build_scheduler(q(app))
    clock.advance(days=9)
    sched.tick()
    with q(app).factory() as s:
        run = s.execute(select(RebateRun)).scalar_one()
    assert run.status == "proposed" and run.total_yuan == Decimal("1666.00")
    hy = next(x for x in run.lines if x["partner"] == "上海恒远医疗设备有限公司")
    assert (hy["achieved"], hy["rebate"], len(hy["orders"])) == ("166600.00", "1666.00", 1)
    [card] = [c for c in cards_to(chat, "director") if c.title.startswith("返利核算")]
    driver.click("mgr_north", card.task_id, "approve")
    assert "不归您审批" in last_text(chat, "mgr_north")
    driver.click("director", card.task_id, "approve")
    assert "已同意返利核算 2026Q4" in last_text(chat, "director")
    assert any("返利已核定" in x and "¥1,666.00" in x for x in texts_to(chat, "dealer_sh_chen"))
    sched.tick()
    with q(app).factory() as s:
        assert s.execute(select(RebateRun.status)).scalars().all() == ["approved"]
        rules = RuleStore(q(app).clock).active(s)
        [st] = [x for x in statements(s, q(app).clock, rules, "2026-11") if x.partner.name.startswith("上海恒远")]
        wb = load_workbook(io.BytesIO(workbook(st, q(app).clock, rules)))
    assert wb.sheetnames == ["对账单", "分润明细", "返利明细"]
    row = [c.value for c in wb["返利明细"][2]]
    assert row[1] == "2026Q4" and row[7] == 1666 and row[10].startswith("SO")


def test_a_period_nobody_earned_in_is_closed_without_a_card(app, driver, chat, clock):
    use_rules(app, {"rebates": {"programs": [{"id": "2026Q4", "name": "四季度返利", "start": "2026-10-01",
                                              "end": "2026-11-30", "tiers": [{"at": 0.8, "rate": 0.01}]}]}})
    sched = build_scheduler(q(app))
    clock.advance(days=9)
    sched.tick()
    sched.tick()
    with q(app).factory() as s:
        [run] = s.execute(select(RebateRun)).scalars().all()
    assert run.status == "empty" and run.total_yuan == 0 and len(run.lines) == 4
    assert [c for c in cards_to(chat, "director") if c.title.startswith("返利核算")] == []


def test_the_monthly_statement_traces_every_figure(app, driver, chat):
    reg = registered(driver, app)
    order = confirmed_order(app, driver, "dealer_bj_li", f"订货 A100*2 报备号 {reg.number}")
    reg2 = registered(driver, app, "dealer_bj_li", "报备 北京大学第一医院 监护仪 60万")
    driver.text("dealer_bj_li", f"成交 {reg2.number} 金额 40万")
    with q(app).factory() as s:
        rules = RuleStore(q(app).clock).active(s)
        [st] = statements(s, q(app).clock, rules, "2026-11")
        assert statements(s, q(app).clock, rules, "2026-10") == []
        wb = load_workbook(io.BytesIO(workbook(st, q(app).clock, rules)))
    detail = [[c.value for c in r] for r in wb["分润明细"].iter_rows(min_row=2)]
    assert [(r[1], r[3], r[7], r[8], r[10]) for r in detail] == [
        (reg.number, "报备方", 9996, "ultrasound_gold", order.number),
        (reg2.number, "报备方", 20000, "default", "无（按成交金额）")]
    summary = {r[0].value: (r[1].value, r[2].value, r[3].value) for r in wb["对账单"].iter_rows(min_row=6)}
    assert summary["分润合计"] == (29996, "=SUM('分润明细'!H2:H3)", "分润明细 第 1–2 行")
    assert wb["对账单"]["C6"].data_type == "f"          # our sums stay formulas (names people typed never are)
    assert summary["应付合计"][0] == 29996
    assert sum(r[7] for r in detail) == summary["分润合计"][0]

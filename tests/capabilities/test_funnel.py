"""The funnel and the partner scorecard: 漏斗 (area), 漏斗 <伙伴>, 伙伴 <伙伴>
— who may see what, the figures (stage counts, value, conversion, ageing,
win rate, lost reasons, follow-up gap, visits, appeals), the picture
rendered, and the weekly chart that gains the funnel."""
from __future__ import annotations

import struct
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from chat.context import Context
from chat.scheduling import build_scheduler
from handlers.reports import funnel as funnels
from models import MediaBlob, Order, Registration
from tests.support.reading import last_text

PUMCH = (39.912581, 116.417570)


def q(app):
    return app.extensions["qudao"]


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def number(app, customer: str) -> str:
    with q(app).factory() as s:
        return s.execute(select(Registration.number).where(Registration.customer_text == customer)
                         .order_by(Registration.id.desc())).scalars().first()


def pipeline(driver, app, clock):
    """康健: 协和 at 方案报价; 北大一院 lost to a competitor; 朝阳医院 won through an order.
    华信: 北京儿童医院 at 初步接触."""
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    clock.advance(days=2)
    driver.text("dealer_bj_li", f"{number(app, '北京协和医院')} 确认需求")
    clock.advance(days=2)
    driver.text("dealer_bj_li", f"{number(app, '北京协和医院')} 报价了")
    driver.text("dealer_bj_li", "报备 北京大学第一医院 监护仪 60万")
    driver.text("dealer_bj_li", f"输单 {number(app, '北京大学第一医院')} 原因 竞品 低价")
    driver.text("dealer_bj_li", "报备 首都医科大学附属北京朝阳医院 彩超 50万")
    driver.text("dealer_bj_li", f"订货 A100*2 报备号 {number(app, '首都医科大学附属北京朝阳医院')}")
    with q(app).factory() as s:
        order = s.execute(select(Order)).scalars().first().number
    driver.text("dealer_bj_li", f"确认订单 {order}")
    driver.text("dealer_hx_sun", "报备 北京儿童医院 彩超 30万")
    clock.advance(days=3)


def test_the_area_funnel_is_a_picture_and_a_one_line_summary(app, driver, chat, clock):
    pipeline(driver, app, clock)
    driver.text("mgr_north", "漏斗")
    [image] = chat.images_to("mgr_north")
    with q(app).factory() as s:
        blob = s.get(MediaBlob, image.blob_id)
        assert blob.kind == "chart" and png_size(blob.data) == (900, 1200)
    line = last_text(chat, "mgr_north")
    assert line.startswith("📊 北京市、天津市、河北省（近 365 天）")
    assert "在跟 2 个 ¥110万（初步接触 1、方案报价 1）" in line
    assert "赢单 1 个 ¥16.66万" in line and "输单 1 个" in line and "赢率 50%" in line


def test_a_partners_funnel_for_its_manager_and_for_itself(app, driver, chat, clock):
    pipeline(driver, app, clock)
    driver.text("mgr_north", "漏斗 北京华信")
    assert "北京华信医疗科技有限公司（近 365 天）：在跟 1 个 ¥30万（初步接触 1）" in last_text(chat, "mgr_north")
    driver.text("dealer_bj_wang", "漏斗")
    assert "北京康健医疗器械有限公司" in last_text(chat, "dealer_bj_wang")
    assert len(chat.images_to("dealer_bj_wang")) == 1


@pytest.mark.parametrize("user, message, answer", [
    ("dealer_bj_li", "漏斗 北京华信", "只能查看贵司"),
    ("mgr_east", "漏斗 北京康健", "不在您负责的区域"),
    ("mgr_north", "漏斗 不存在的伙伴", "没有找到伙伴"),
    ("mgr_north", "伙伴", "请写上伙伴名称"),
    ("admin", "伙伴 北京", "没有找到伙伴"),                 # several match: which one is not guessed
])
def test_funnel_and_scorecard_requests_that_show_nothing(app, driver, chat, user, message, answer):
    driver.text(user, message)
    assert answer in last_text(chat, user) and chat.images_to(user) == []


def test_conversion_counts_every_stage_a_deal_reached_and_a_won_deal_passed_them_all(app, driver, chat, clock):
    for name in ("北京协和医院", "北京大学第一医院", "首都医科大学附属北京朝阳医院", "北京儿童医院"):
        driver.text("dealer_bj_li", f"报备 {name} 彩超 10万")
    driver.text("dealer_bj_li", f"{number(app, '北京大学第一医院')} 报价了")             # reached 方案报价
    driver.text("dealer_bj_li", f"{number(app, '首都医科大学附属北京朝阳医院')} 谈判")     # 商务谈判…
    driver.text("dealer_bj_li", f"跟进 {number(app, '首都医科大学附属北京朝阳医院')} 需求确认 客户改需求")  # …and back
    driver.text("dealer_bj_li", f"{number(app, '北京儿童医院')} 确认需求")
    driver.text("dealer_bj_li", f"赢单 {number(app, '北京儿童医院')}")                    # won at 需求确认
    clock.advance(days=4)
    with q(app).factory() as s:
        ctx = Context.for_system(s, q(app).services)
        data = funnels.funnel(ctx, "北方", funnels.deals(ctx))
    assert [s.reached for s in data.stages] == [4, 3, 3, 2]
    assert data.conversions() == [0.75, 1.0, pytest.approx(2 / 3), 0.5]
    assert [s.count for s in data.stages] == [1, 1, 1, 0] and data.won == 1
    assert [s.ageing_days for s in data.stages][:3] == [4.0, 4.0, 4.0]
    assert data.stages[1].value == Decimal("100000.00")


def test_a_partner_scorecard_shows_the_kpis(app, driver, chat, clock):
    pipeline(driver, app, clock)
    driver.location("dealer_bj_li", *PUMCH)
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")
    driver.text("dealer_hx_sun", f"申诉 {number(app, '北京协和医院')} 理由 先到")
    driver.text("mgr_north", "伙伴 北京康健")
    card = last_text(chat, "mgr_north")
    assert card.startswith("**伙伴记分卡 · 北京康健医疗器械有限公司**")
    assert "> 报备 3 个：" in card and "赢单 1" in card and "输单 1" in card
    assert "赢率 50%（赢 1 / 输 1）" in card and "输单原因：竞品 1" in card
    # 协和: approved day 0, 确认需求 day 2, 报价 day 4, a visit day 7 → gaps 2, 2, 3; 北大一院 and 朝阳医院
    # were approved and decided the same day (0, 0): 7 days over 5 gaps.
    assert "平均跟进间隔 1.4 天（跟进 5 次）" in card
    assert "拜访 1 次：已核实 1" in card and "申诉 0 次" in card
    driver.text("mgr_north", "伙伴 北京华信")
    assert "申诉 1 次：待裁决 1" in last_text(chat, "mgr_north")


def test_the_weekly_chart_gains_the_funnel(app, driver, chat, clock):
    pipeline(driver, app, clock)                    # the week of Monday 11-23
    clock.set(datetime(2026, 11, 30, 9, 1, tzinfo=clock.tz))                  # the next Monday, 09:01
    build_scheduler(q(app)).tick()
    [image] = chat.images_to("mgr_north")
    with q(app).factory() as s:
        assert png_size(s.get(MediaBlob, image.blob_id).data) == (900, 1200)
    caption = last_text(chat, "mgr_north")
    assert "商机漏斗：" in caption and "赢单 1 个" in caption

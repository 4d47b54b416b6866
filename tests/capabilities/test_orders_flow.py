"""Orders end to end: a dealer orders in chat, gets a priced summary card,
confirms it; credit, territory (窜货) and the rest of the checks decide."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from models import Order
from tests.support.audit import sealed_and_intact
from tests.support.reading import cards_to, last_text, texts_to


def q(app):
    return app.extensions["qudao"]


def orders(app):
    with q(app).factory() as s:
        rows = s.execute(select(Order).order_by(Order.id)).scalars().all()
        for o in rows:
            _ = o.lines
        return rows


def order_card(chat, user="dealer_bj_li"):
    return [c for c in cards_to(chat, user) if c.task_id.startswith("so-")][-1]


def test_order_gets_a_priced_summary_card_and_confirms(app, driver, chat):
    driver.text("dealer_bj_li", "订货 A100*20 B200*5")
    [order] = orders(app)
    assert order.status == "draft" and order.number.startswith("SO20261123-")
    a100, b200 = order.lines
    # gold tier: 15% off list (rule store), 98,000 → 83,300 and 12,000 → 10,200
    assert (a100.sku, a100.qty, a100.unit_price, a100.price_source) == ("A100", 20, Decimal("83300.00"), "tier:gold")
    assert b200.unit_price == Decimal("10200.00") and order.total_yuan == Decimal("1717000.00")
    detail = texts_to(chat, "dealer_bj_li")[-1]
    assert "A100 彩超 ×20" in detail and "¥83,300" in detail and "¥171.7万" in detail and "金牌价" in detail
    card = order_card(chat)
    rows = card.rows
    assert rows["A100"].startswith("彩超 20×") and "¥171.7万" in rows["合计"]
    assert card.buttons == ["确认下单", "取消"]
    driver.click("dealer_bj_li", card.task_id, "confirm")
    [order] = orders(app)
    assert order.status == "confirmed" and order.confirmed_at is not None
    assert "已确认" in last_text(chat, "dealer_bj_li")
    assert order_card(chat).stamp.startswith("已确认 · 李明")
    driver.text("dealer_bj_li", "我的订单")
    assert order.number in last_text(chat, "dealer_bj_li") and "已确认" in last_text(chat, "dealer_bj_li")
    sealed_and_intact(q(app).factory)


def test_order_over_the_credit_limit_is_refused_with_the_exposure(app, driver, chat):
    driver.text("dealer_bj_li", "订货 A100*40")          # 40 × 83,300 = 3,332,000; limit 3,000,000, receivables 500,000
    [order] = orders(app)
    assert order.status == "rejected"
    reply = last_text(chat, "dealer_bj_li")
    assert "order.credit" in reply and "信用额度" in reply
    assert "¥50万" in reply and "¥333.2万" in reply and "¥383.2万" in reply and "¥300万" in reply
    credit = next(v for v in order.verdicts if v["rule_id"] == "order.credit")
    assert credit["outcome"] == "reject" and credit["facts"]["exposure"] == 3832000
    assert [c for c in cards_to(chat, "dealer_bj_li") if c.task_id.startswith("so-")] == []


def test_open_orders_count_against_credit(app, driver, chat):
    driver.text("dealer_bj_li", "订货 A100*20")            # 1,666,000
    driver.click("dealer_bj_li", order_card(chat).task_id, "confirm")
    driver.text("dealer_bj_li", "订货 A100*12")            # 500,000 + 1,666,000 + 999,600 > 3,000,000
    assert orders(app)[-1].status == "rejected"
    assert "未发货订单 ¥166.6万" in last_text(chat, "dealer_bj_li")


def test_ship_to_outside_the_territory_is_routed_to_the_area_manager(app, driver, chat):
    driver.text("dealer_bj_li", "订货 A100*2\n收货地址：上海市浦东新区张江路100号")
    [order] = orders(app)
    assert order.status == "draft" and order.ship_to_region == "上海市"
    assert "窜货" in texts_to(chat, "dealer_bj_li")[-1]
    driver.click("dealer_bj_li", order_card(chat).task_id, "confirm")
    assert orders(app)[0].status == "pending_approval"
    assert "等待审批" in last_text(chat, "dealer_bj_li")
    [card] = cards_to(chat, "mgr_north")
    assert cards_to(chat, "mgr_east") == [] and cards_to(chat, "director") == []
    rows = card.rows
    assert "上海市" in rows["收货地址"] and rows["授权区域"] == "北京市" and "窜货" in rows["审批原因"]
    driver.click("mgr_north", card.task_id, "approve")
    assert orders(app)[0].status == "confirmed"
    assert "已确认" in last_text(chat, "dealer_bj_li") and "王建国" in last_text(chat, "dealer_bj_li")


def test_a_quantity_that_is_no_whole_number_is_refused_never_rounded(app, driver, chat):
    for text, shown in (("订货 A100*1.5", "A100（1.5）"), ("订货 A100*0", "A100（0）"), ("订货 A100*-5", "A100（-5）"),
                        ("订货 A100*2 B200*2.5台", "B200（2.5）")):
        driver.text("dealer_bj_li", text)
        reply = last_text(chat, "dealer_bj_li")
        assert reply.startswith("数量不对") and shown in reply and "什么也没有下单" in reply, (text, reply)
        assert "请告诉我" not in reply
    assert orders(app) == []


def test_the_card_lists_stock_as_checked_only_when_stock_is_loaded(app, driver, chat):
    driver.text("dealer_bj_li", "订货 A100*2")
    assert "库存" not in order_card(chat).note
    from models import StockLevel
    with q(app).factory() as s, s.begin():
        s.add(StockLevel(sku="A100", qty_available=10, updated_at=q(app).clock.now()))
    driver.text("dealer_bj_li", "订货 A100*2")
    assert "✅ 授权·起订量·整箱·信用·区域·库存" in order_card(chat).note
    driver.text("dealer_bj_li", "订货 A100*12")
    note = order_card(chat).note
    assert "⚠️ 库存" in note and "·库存" not in note.split("⚠️")[0]

"""Special prices up the approval ladder: a request on a draft order goes to the
area manager then the director, ends in stamps the dealer hears about, and a
later change to the order voids it."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from models import Order, SpecialPrice
from tests.support.reading import cards_to, last_text, texts_to


def q(app):
    return app.extensions["qudao"]


def one(app, model):
    with q(app).factory() as s:
        rows = s.execute(select(model).order_by(model.id)).scalars().all()
        for r in rows:
            if isinstance(r, Order):
                _ = r.lines
        return rows


def sp_cards(chat, user):
    return [c for c in cards_to(chat, user) if c.task_id.startswith("sp-")]


def order_card(chat, user="dealer_bj_li"):
    return [c for c in cards_to(chat, user) if c.task_id.startswith("so-")][-1]


def place(driver, app, text="订货 A100*20"):
    driver.text("dealer_bj_li", text)
    return one(app, Order)[-1]


def test_twelve_percent_goes_to_manager_then_director_and_reprices_the_order(app, driver, chat):
    order = place(driver, app)
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} A100 单价 73300 理由：竞品报价低")
    [sp] = one(app, SpecialPrice)
    assert sp.status == "pending" and sp.depth == Decimal("0.1200")     # (83,300 − 73,300) / 83,300
    reply = last_text(chat, "dealer_bj_li")
    assert sp.number in reply and "区域经理 → 销售总监" in reply and "王建国" in reply
    assert sp_cards(chat, "director") == []            # step 2 waits for step 1
    [card] = sp_cards(chat, "mgr_north")
    rows = card.rows
    assert rows["目录价"] == "¥98,000" and rows["政策价"].startswith("¥83,300") and "12.0%" in rows["申请价"]
    assert "少收 ¥20万" in rows["毛利影响"] and "→" in rows["毛利影响"] and order.number in rows["关联"]
    assert "第 1/2 步" in card.note and "竞品报价低" in card.note

    driver.click("mgr_north", card.task_id, "approve")
    assert sp_cards(chat, "mgr_north")[0].stamp.startswith("已同意 · 王建国")
    assert "第 1/2 步" in last_text(chat, "mgr_north") and "张伟" in last_text(chat, "mgr_north")
    assert "王建国 已同意（第 1/2 步）" in last_text(chat, "dealer_bj_li")
    [card2] = sp_cards(chat, "director")
    assert "第 2/2 步" in card2.note

    driver.click("director", card2.task_id, "approve")
    assert sp_cards(chat, "director")[0].stamp.startswith("已同意 · 张伟")
    [sp] = one(app, SpecialPrice)
    assert sp.status == "approved"
    dealer = texts_to(chat, "dealer_bj_li")
    assert any("已批准（王建国、张伟）" in m for m in dealer)
    [order] = one(app, Order)
    assert order.status == "draft" and order.lines[0].unit_price == Decimal("73300.00")
    assert order.lines[0].price_source == f"special:{sp.number}" and order.total_yuan == Decimal("1466000.00")
    new_card = order_card(chat)
    rows = new_card.rows
    assert rows["A100"] == "彩超 20×¥73,300=¥146.6万" and rows["合计"].startswith("¥146.6万")
    assert f"特价 {sp.number}" in texts_to(chat, "dealer_bj_li")[-1]        # the detail names the price's source
    driver.click("dealer_bj_li", new_card.task_id, "confirm")
    assert one(app, Order)[0].status == "confirmed"


def test_a_change_to_the_order_voids_the_approved_special_price(app, driver, chat):
    order = place(driver, app)
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} A100 单价 80000 理由：招标限价")   # ~4% → one step
    [card] = sp_cards(chat, "mgr_north")
    driver.click("mgr_north", card.task_id, "approve")
    assert one(app, SpecialPrice)[0].status == "approved"
    driver.text("dealer_bj_li", f"修改订单 {order.number} A100*25")
    [sp] = one(app, SpecialPrice)
    assert sp.status == "void"
    amended = next(m for m in texts_to(chat, "dealer_bj_li") if m.startswith("已修改订单"))
    assert f"特价 {sp.number} 随之失效" in amended
    [order] = one(app, Order)
    assert order.revision == 2 and order.lines[0].qty == 25 and order.lines[0].unit_price == Decimal("83300.00")
    assert "失效" in last_text(chat, "mgr_north") and sp.number in last_text(chat, "mgr_north")


def test_a_pending_request_is_void_when_the_order_changes_and_its_card_says_so(app, driver, chat):
    order = place(driver, app)
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} A100 单价 73300 理由：竞品报价低")
    [card] = sp_cards(chat, "mgr_north")
    driver.text("dealer_bj_li", f"确认订单 {order.number}")
    assert "审批中" in last_text(chat, "dealer_bj_li")        # can't confirm while the price is being decided
    driver.text("dealer_bj_li", f"修改订单 {order.number} A100*10")
    assert sp_cards(chat, "mgr_north")[0].stamp.startswith("已失效")
    driver.click("mgr_north", card.task_id, "approve")
    assert "此审批已失效" in last_text(chat, "mgr_north")
    assert one(app, SpecialPrice)[0].status == "void"


def test_beyond_the_ladder_goes_to_the_director_with_a_warning(app, driver, chat):
    order = place(driver, app)
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} A100 单价 60000 理由：战略客户")   # 28% below policy
    assert sp_cards(chat, "mgr_north") == []
    [card] = sp_cards(chat, "director")
    assert "超出特价政策上限" in card.note
    assert "⚠️" in last_text(chat, "dealer_bj_li")


def test_free_standing_special_price_is_used_by_the_next_order_for_that_customer(app, driver, chat):
    driver.text("dealer_bj_li", "申请特价 A100 8折 客户北京协和医院 原因 招标限价")   # 78,400 vs 83,300: 5.9%
    [sp] = one(app, SpecialPrice)
    assert sp.order_id is None and sp.customer_text == "北京协和医院"
    [card] = sp_cards(chat, "mgr_north")
    driver.click("mgr_north", card.task_id, "approve")
    [card2] = sp_cards(chat, "director")
    driver.click("director", card2.task_id, "approve")
    assert "订货 A100*10 客户 北京协和医院" in last_text(chat, "dealer_bj_li")
    order = place(driver, app, "订货 A100*10 客户：北京协和医院")
    assert order.lines[0].unit_price == Decimal("78400.00") and order.lines[0].price_source == f"special:{sp.number}"
    driver.click("dealer_bj_li", order_card(chat).task_id, "confirm")
    assert one(app, SpecialPrice)[0].status == "used"
    other = place(driver, app, "订货 A100*10 客户：北京协和医院")
    assert other.lines[0].unit_price == Decimal("83300.00")          # used up


def test_a_reason_is_asked_for_and_bad_prices_change_nothing(app, driver, chat):
    order = place(driver, app)
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} A100 单价 73300")
    assert "理由" in last_text(chat, "dealer_bj_li") and one(app, SpecialPrice) == []
    driver.text("dealer_bj_li", "竞品报价低")
    assert len(one(app, SpecialPrice)) == 1
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} A100 单价 90000 理由 试试")
    assert "不低于" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} A100 单价 100 理由 试试")
    assert "不合理" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} B200 单价 9000 理由 试试")
    assert "没有 B200" in last_text(chat, "dealer_bj_li")
    assert len(one(app, SpecialPrice)) == 1


def test_a_grant_for_a_customer_not_in_the_list_is_used_by_the_example_it_gives(app, driver, chat):
    """The approval message's example (客户 …) used to price at policy when the
    customer was not in the customer list; it names the SP number as well."""
    driver.text("dealer_bj_li", "申请特价 A100 8折 客户 北京新世纪儿童医院 原因 招标限价")   # 5.9%: two steps
    [sp] = one(app, SpecialPrice)
    assert sp.customer_id is None
    driver.click("mgr_north", sp_cards(chat, "mgr_north")[0].task_id, "approve")
    driver.click("director", sp_cards(chat, "director")[0].task_id, "approve")
    message = last_text(chat, "dealer_bj_li")
    example = "订货 A100*10 客户 北京新世纪儿童医院"
    assert example in message and f"订货 A100*10 {sp.number}" in message
    order = place(driver, app, example)
    assert order.lines[0].unit_price == Decimal("78400.00") and order.lines[0].price_source == f"special:{sp.number}"
    other = place(driver, app, f"订货 A100*10 {sp.number}")
    assert other.lines[0].price_source == f"special:{sp.number}"
    unrelated = place(driver, app, "订货 A100*10 客户 北京儿童医院")
    assert unrelated.lines[0].unit_price == Decimal("83300.00")


def test_a_card_for_several_products_shows_each_products_prices(app, driver, chat):
    driver.text("dealer_bj_li", "申请特价 A100 B200 8折 客户 北京协和医院 原因 打包投标")
    [card] = sp_cards(chat, "mgr_north")
    rows = card.rows
    assert rows["目录价"] == "A100 ¥98,000；B200 ¥12,000"
    assert rows["政策价"] == "A100 ¥83,300；B200 ¥10,200"
    assert rows["申请价"].startswith("A100 ¥78,400；B200 ¥9,600")
    order = place(driver, app, "订货 A100*2 B200*5")
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} A100 B200 8折 理由：打包投标")
    [_, card2] = sp_cards(chat, "mgr_north")
    rows = card2.rows
    assert rows["目录价合计"] == "¥25.6万" and rows["政策价合计"] == "¥21.76万"


def test_the_example_asked_for_is_one_that_works(app, driver, chat):
    order = place(driver, app)
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} A100 理由：竞品报价低")
    asked = last_text(chat, "dealer_bj_li")
    example = asked.split("例如：", 1)[1].split("，或", 1)[0]
    assert example == f"特价申请 订单 {order.number} A100 单价 79900 理由：竞品报价低"
    driver.text("dealer_bj_li", example)
    [sp] = one(app, SpecialPrice)
    assert sp.status == "pending" and sp.items[0]["asked_price"] == "79900.00"


def test_the_help_cards_special_price_example_is_accepted(app, driver, chat):
    import re

    from chat.router import help_text
    price = re.search(r"特价申请 订单 单号 A100 单价 (\d+)",
                      help_text(app.extensions["qudao"].services.registry, "zh")).group(1)
    order = place(driver, app)
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} A100 单价 {price} 理由：竞品报价低")
    [sp] = one(app, SpecialPrice)
    assert sp.status == "pending" and "不合理" not in last_text(chat, "dealer_bj_li")

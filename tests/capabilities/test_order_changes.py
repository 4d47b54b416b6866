"""Changing, cancelling and confirming orders after they were placed: a change
the checks refuse leaves the order as it was, lines can be dropped, what was
approved for the old version is voided and said so, lapsed drafts take their
special prices with them, and once the ERP has an order the chat can't change it."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from chat.scheduling import build_scheduler
from models import ApprovalFlow, Order, PriceListEntry, SpecialPrice
from tests.capabilities.test_orders_flow import orders, q
from tests.support.apps import add_integration
from tests.support.reading import cards_to, last_text, texts_to


def order_cards(chat, user="dealer_bj_li"):
    return [c for c in cards_to(chat, user) if c.task_id.startswith("so-")]


def place(driver, app, text):
    driver.text("dealer_bj_li", text)
    return orders(app)[-1]


def confirmed(driver, app, chat, text="订货 A100*20"):
    place(driver, app, text)
    driver.click("dealer_bj_li", order_cards(chat)[-1].task_id, "confirm")
    return orders(app)[-1]


def lines_of(order) -> list[tuple[str, int]]:
    return [(ln.sku, ln.qty) for ln in order.lines]


# ---- a refused change leaves the order as it was ----------------------------------

def test_a_change_over_credit_is_refused_and_the_confirmed_order_stands(app, driver, chat):
    order = confirmed(driver, app, chat)                   # A100×20 = ¥166.6万, confirmed
    driver.text("dealer_bj_li", f"修改订单 {order.number} A100*45")   # ¥374.85万 + ¥50万 receivables > ¥300万
    reply = last_text(chat, "dealer_bj_li")
    assert "修改未通过" in reply and "order.credit" in reply and "保持原样" in reply and "A100×20" in reply
    [after] = orders(app)
    assert (after.status, after.revision, lines_of(after)) == ("confirmed", 1, [("A100", 20)])
    assert after.confirmed_at is not None and after.total_yuan == Decimal("1666000.00")
    # …and the corrected change the answer asked for goes through.
    driver.text("dealer_bj_li", f"修改订单 {order.number} A100*25")
    [after] = orders(app)
    assert (after.status, after.revision, lines_of(after)) == ("draft", 2, [("A100", 25)])
    assert any("需要重新确认" in m for m in texts_to(chat, "dealer_bj_li")[-2:])


def test_a_change_that_breaks_the_pack_multiple_leaves_the_draft_and_its_card(app, driver, chat):
    order = place(driver, app, "订货 A100*2 B200*5")
    card = order_cards(chat)[-1]
    driver.text("dealer_bj_li", f"修改订单 {order.number} B200*7")
    reply = last_text(chat, "dealer_bj_li")
    assert "order.pack" in reply and "5 的整数倍" in reply and "保持原样" in reply
    [after] = orders(app)
    assert (after.status, after.revision, lines_of(after)) == ("draft", 1, [("A100", 2), ("B200", 5)])
    driver.click("dealer_bj_li", card.task_id, "confirm")              # the card still works
    assert orders(app)[0].status == "confirmed"


def test_a_confirmation_that_fails_the_recheck_keeps_the_draft(app, driver, chat):
    """Changed: confirming used to turn such an order into a dead 未通过 one."""
    order = place(driver, app, "订货 A100*20")
    token = add_integration(app)
    app.test_client().post("/erp/v1/receivables", headers={"Authorization": f"Bearer {token}"},
                           json={"partner": "P-BJ-KJ", "unpaid_yuan": 1500000})
    driver.click("dealer_bj_li", order_cards(chat)[-1].task_id, "confirm")
    reply = last_text(chat, "dealer_bj_li")
    assert "复核未通过" in reply and "仍为待确认" in reply and f"修改订单 {order.number} A100*数量" in reply
    assert orders(app)[0].status == "draft"
    driver.text("dealer_bj_li", f"修改订单 {order.number} A100*15")     # 1.5M + 1.2495M ≤ 3M
    driver.click("dealer_bj_li", order_cards(chat)[-1].task_id, "confirm")
    assert orders(app)[0].status == "confirmed"


# ---- dropping lines ------------------------------------------------------------------

def test_lines_are_dropped_by_a_zero_or_by_name_but_never_the_last(app, driver, chat):
    order = place(driver, app, "订货 A100*2 B200*5")
    driver.text("dealer_bj_li", f"修改订单 {order.number} B200*0")
    assert lines_of(orders(app)[0]) == [("A100", 2)]
    assert any("删除 B200×5" in m for m in texts_to(chat, "dealer_bj_li")[-2:])
    driver.text("dealer_bj_li", f"修改订单 {order.number} B200*10")
    assert lines_of(orders(app)[0]) == [("A100", 2), ("B200", 10)]
    driver.text("dealer_bj_li", f"修改订单 {order.number} 删除 B200")
    assert lines_of(orders(app)[0]) == [("A100", 2)] and orders(app)[0].revision == 4
    driver.text("dealer_bj_li", f"修改订单 {order.number} 删除 B200")
    assert "没有 B200" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_bj_li", f"修改订单 {order.number} 删除 A100")
    assert f"取消订单 {order.number}" in last_text(chat, "dealer_bj_li")
    [after] = orders(app)
    assert (after.status, after.revision, lines_of(after)) == ("draft", 4, [("A100", 2)])


def test_a_wrong_quantity_in_a_change_changes_nothing(app, driver, chat):
    order = place(driver, app, "订货 A100*2")
    driver.text("dealer_bj_li", f"修改订单 {order.number} A100*1.5")
    assert "A100（1.5）" in last_text(chat, "dealer_bj_li") and "订单未修改" in last_text(chat, "dealer_bj_li")
    assert (orders(app)[0].revision, lines_of(orders(app)[0])) == (1, [("A100", 2)])


def test_the_hints_use_the_orders_own_products(app, driver, chat):
    order = place(driver, app, "订货 B200*5")
    detail = texts_to(chat, "dealer_bj_li")[-1]
    assert f"修改订单 {order.number} B200*10" in detail and "A100" not in detail
    driver.text("dealer_bj_li", f"修改订单 {order.number}")
    assert f"修改订单 {order.number} B200*10" in last_text(chat, "dealer_bj_li")


def test_a_price_that_moved_before_the_tap_is_shown_again_not_confirmed(app, driver, chat, clock):
    order = place(driver, app, "订货 A100*2 B200*5")
    first_card = order_cards(chat)[-1]
    line_ids = [ln.id for ln in order.lines]
    with q(app).factory() as s, s.begin():          # the partner's own price list now prices A100
        partner_id = order.partner_id
        s.add(PriceListEntry(scope=f"partner:{partner_id}", sku="A100", price_yuan=Decimal("80000"),
                             updated_at=clock.now()))
    driver.click("dealer_bj_li", first_card.task_id, "confirm")
    [again] = orders(app)
    assert again.status == "draft" and again.confirmed_at is None
    a100, b200 = again.lines
    assert (a100.unit_price, a100.price_source) == (Decimal("80000.00"), f"price_list:partner:{partner_id}")
    assert b200.unit_price == Decimal("10200.00")
    assert again.total_yuan == Decimal("211000.00") and [ln.id for ln in again.lines] != line_ids
    told = "\n".join(texts_to(chat, "dealer_bj_li")[-2:])
    assert "价格或金额有变化" in told and "¥21.76万 → ¥21.1万" in told
    assert order_cards(chat)[-1].task_id == again.card_task_id != first_card.task_id
    driver.click("dealer_bj_li", first_card.task_id, "confirm")          # the old card is stale now
    assert orders(app)[0].status == "draft"
    driver.click("dealer_bj_li", again.card_task_id, "confirm")
    [done] = orders(app)
    assert done.status == "confirmed" and done.total_yuan == Decimal("211000.00")


# ---- what a change, a cancellation or a lapse voids, and who hears it -------------------

def test_changing_an_approved_cross_territory_order_voids_its_approval_and_says_so(app, driver, chat):
    order = confirmed(driver, app, chat, "订货 A100*2\n收货地址：上海市浦东新区张江路100号")
    driver.click("mgr_north", cards_to(chat, "mgr_north")[0].task_id, "approve")
    assert orders(app)[0].status == "confirmed"
    driver.text("dealer_bj_li", f"修改订单 {order.number} A100*3")
    told = "\n".join(texts_to(chat, "dealer_bj_li")[-3:])
    assert "原有的审批（窜货，王建国 已同意）随之失效" in told and "需要重新确认" in told
    assert "您已同意的订单" in last_text(chat, "mgr_north") and order.number in last_text(chat, "mgr_north")
    with q(app).factory() as s:
        assert s.execute(select(ApprovalFlow.status)).scalars().all() == ["void"]
    driver.click("dealer_bj_li", order_cards(chat)[-1].task_id, "confirm")      # asked again
    assert orders(app)[0].status == "pending_approval" and len(cards_to(chat, "mgr_north")) == 2


def test_a_changed_pending_order_names_the_revision_in_the_approvers_hint(app, driver, chat):
    order = confirmed(driver, app, chat, "订货 A100*2\n收货地址：上海市浦东新区张江路100号")
    driver.text("dealer_bj_li", f"修改订单 {order.number} A100*3")
    assert "等待 王建国 的审批（窜货）随之撤回" in "\n".join(texts_to(chat, "dealer_bj_li")[-3:])
    driver.click("dealer_bj_li", order_cards(chat)[-1].task_id, "confirm")
    driver.text("mgr_north", f"驳回 {order.number} 不同意")
    assert f"回复 驳回 {order.number}/2" in last_text(chat, "mgr_north")
    assert orders(app)[0].status == "pending_approval"


def test_a_lapsed_draft_voids_its_special_price_and_tells_everyone(app, driver, chat, clock):
    sched = build_scheduler(q(app))
    order = place(driver, app, "订货 A100*20")
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} A100 单价 80000 理由：招标限价")   # one step
    driver.click("mgr_north", cards_to(chat, "mgr_north")[0].task_id, "approve")
    clock.advance(hours=49)
    sched.tick()
    with q(app).factory() as s:
        assert s.execute(select(Order.status)).scalar() == "cancelled"
        sp = s.execute(select(SpecialPrice)).scalar_one()
    assert sp.status == "void"
    assert any("已失效" in m and sp.number in m for m in texts_to(chat, "dealer_bj_li"))
    assert any(sp.number in m and "超时未确认" in m for m in texts_to(chat, "mgr_north"))


def test_a_pending_special_price_is_waited_for_not_lapsed_on_confirm(app, driver, chat, clock):
    order = place(driver, app, "订货 A100*20")
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} A100 单价 80000 理由：招标限价")
    clock.advance(hours=49)
    driver.text("dealer_bj_li", f"确认订单 {order.number}")
    assert "审批中" in last_text(chat, "dealer_bj_li")
    with q(app).factory() as s:
        assert s.execute(select(Order.status)).scalar() == "draft"
        assert s.execute(select(SpecialPrice.status)).scalar() == "pending"


def test_cancelling_tells_the_dealer_and_the_approvers_what_went_with_it(app, driver, chat):
    order = place(driver, app, "订货 A100*20")
    driver.text("dealer_bj_li", f"特价申请 订单 {order.number} A100 单价 73300 理由：竞品报价低")   # two steps
    driver.click("mgr_north", cards_to(chat, "mgr_north")[0].task_id, "approve")
    driver.text("dealer_bj_li", f"取消订单 {order.number}")
    reply = last_text(chat, "dealer_bj_li")
    assert "已取消" in reply and "特价 SP" in reply and "随之失效" in reply
    assert "您已同意的特价申请" in last_text(chat, "mgr_north") and "已取消" in last_text(chat, "mgr_north")
    assert "审批卡已失效" in last_text(chat, "director")
    assert cards_to(chat, "director")[0].stamp.startswith("已失效")


# ---- once the ERP has it ---------------------------------------------------------------------

def test_an_order_the_erp_took_is_changed_only_through_the_channel_manager(app, driver, chat, clock):
    token = add_integration(app)
    client, auth = app.test_client(), {"Authorization": f"Bearer {token}"}
    order = confirmed(driver, app, chat)
    assert client.get("/erp/v1/orders?format=bad", headers=auth).status_code == 400
    assert orders(app)[0].exported_at is None                              # a refused call takes nothing
    assert [r["order_number"] for r in client.get("/erp/v1/orders", headers=auth).json["rows"]] == [order.number]
    assert orders(app)[0].exported_at is not None
    for command in (f"修改订单 {order.number} A100*10", f"取消订单 {order.number}"):
        driver.text("dealer_bj_li", command)
        reply = last_text(chat, "dealer_bj_li")
        assert "已于" in reply and "传给 ERP" in reply and "王建国" in reply
    [after] = orders(app)
    assert (after.status, after.revision, lines_of(after)) == ("confirmed", 1, [("A100", 20)])
    clock.advance(hours=2)
    resp = client.post("/erp/v1/shipments", headers=auth, json={"order": order.number, "status": "shipped"})
    assert resp.status_code == 200 and resp.json["results"][0]["result"] == "updated"
    driver.text("dealer_bj_li", f"取消订单 {order.number}")
    assert "已发货" in last_text(chat, "dealer_bj_li") and "王建国" in last_text(chat, "dealer_bj_li")


def test_an_order_not_yet_exported_can_still_be_cancelled_and_the_erp_cancels_too(app, driver, chat):
    token = add_integration(app)
    first = confirmed(driver, app, chat, "订货 A100*2")
    driver.text("dealer_bj_li", f"取消订单 {first.number}")
    assert orders(app)[0].status == "cancelled"
    second = confirmed(driver, app, chat, "订货 A100*3")
    resp = app.test_client().post("/erp/v1/shipments", headers={"Authorization": f"Bearer {token}"},
                                  json={"order": second.number, "status": "cancelled"})
    assert resp.status_code == 200 and orders(app)[1].status == "cancelled"
    assert f"订单 {second.number} 已取消" in last_text(chat, "dealer_bj_li")


def test_confirming_a_closed_order_says_where_it_stands(app, driver, chat):
    refused = place(driver, app, "订货 A100*40")                           # over credit: refused
    driver.text("dealer_bj_li", f"确认订单 {refused.number}")
    assert "未通过检查，不能确认" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_bj_li", f"订单 {refused.number}")
    shown = last_text(chat, "dealer_bj_li")
    assert "❌" in shown and "信用额度不足" in shown and "确认后需审批" not in shown
    done = confirmed(driver, app, chat, "订货 A100*2")
    driver.text("dealer_bj_li", f"确认订单 {done.number}")
    assert "已确认，无需再确认" in last_text(chat, "dealer_bj_li")


def test_an_export_stamps_only_confirmed_orders_and_only_the_first_time(app, driver, chat, clock):
    token = add_integration(app)
    client, auth = app.test_client(), {"Authorization": f"Bearer {token}"}
    taken = confirmed(driver, app, chat, "订货 B200*5")
    cancelled = confirmed(driver, app, chat, "订货 B200*10")
    driver.text("dealer_bj_li", f"取消订单 {cancelled.number}")
    first = client.get("/erp/v1/orders?status=confirmed,cancelled", headers=auth).json["rows"]
    assert sorted({r["order_number"] for r in first}) == sorted([taken.number, cancelled.number])
    stamps = {o.number: o.exported_at for o in orders(app)}
    assert stamps[taken.number] is not None and stamps[cancelled.number] is None
    later = confirmed(driver, app, chat, "订货 B200*15")
    clock.advance(hours=1)
    rows = client.get("/erp/v1/orders", headers=auth).json["rows"]
    assert [r["order_number"] for r in rows] == [taken.number, later.number]
    again = {o.number: o.exported_at for o in orders(app)}
    assert again[taken.number] == stamps[taken.number] and again[later.number] is not None
    assert again[later.number] > again[taken.number]

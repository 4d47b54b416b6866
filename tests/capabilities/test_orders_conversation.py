"""Orders as people talk: 是 / 取消 after a draft, a letter O for a zero, other
words for ordering, 我的额度, A100多少钱, and change hints the rules accept."""
from __future__ import annotations

import re

from sqlalchemy import select

from models import Order
from tests.support.reading import last_text, texts_to


def orders(app):
    with app.extensions["qudao"].factory() as s:
        rows = s.execute(select(Order).order_by(Order.id)).scalars().all()
        for o in rows:
            _ = o.lines
        return rows


def test_yes_after_a_draft_confirms_it_and_cancel_cancels_the_next(app, driver, chat):
    driver.text("dealer_bj_li", "要货 A100*2")
    [order] = orders(app)
    assert order.status == "draft"
    driver.text("dealer_bj_li", "好的")
    assert orders(app)[0].status == "confirmed" and "已确认" in last_text(chat, "dealer_bj_li")
    driver.text("dealer_bj_li", "进货 A100 3台")
    assert orders(app)[1].status == "draft"
    driver.text("dealer_bj_li", "取消")
    assert orders(app)[1].status == "cancelled" and "取消" in last_text(chat, "dealer_bj_li")
    assert orders(app)[0].status == "confirmed"                     # only the draft it was about


def test_cancel_without_a_draft_just_says_nothing_waits(app, driver, chat):
    driver.text("dealer_bj_li", "订货 A100*2")
    driver.text("dealer_bj_li", "我的订单")                          # a lookup: the question still waits
    driver.text("dealer_bj_li", "取消")
    assert orders(app)[0].status == "cancelled"


def test_a_letter_o_for_a_zero_is_asked_not_guessed(app, driver, chat):
    driver.text("dealer_bj_li", "订货 A1OO*2")
    assert orders(app) == []
    asked = last_text(chat, "dealer_bj_li")
    assert "A1OO" in asked and "A100" in asked and "是" in asked
    driver.text("dealer_bj_li", "是")
    [order] = orders(app)
    assert [(ln.sku, ln.qty) for ln in order.lines] == [("A100", 2)]


def test_my_credit_spells_out_what_is_left_and_why(app, driver, chat):
    driver.text("dealer_bj_li", "我的额度")
    text = last_text(chat, "dealer_bj_li")
    assert "¥300万" in text and "¥50万" in text and "可用额度 **¥250万**" in text
    driver.text("dealer_bj_li", "订货 A100*20")
    driver.text("dealer_bj_li", "是")                                # confirmed: 166.6万 of the limit in use
    driver.text("dealer_bj_li", "my credit")
    text = last_text(chat, "dealer_bj_li")
    assert "¥3,000,000" in text and "¥1,666,000" in text and "available **¥834,000**" in text
    driver.text("mgr_north", "我的额度")
    assert "只有渠道伙伴" in last_text(chat, "mgr_north")


def test_a_dealer_asks_its_own_price(app, driver, chat):
    driver.text("dealer_bj_li", "A100多少钱")
    text = last_text(chat, "dealer_bj_li")
    assert "A100 彩超" in text and "¥83,300" in text and "¥98,000" in text and "金牌价" in text
    driver.text("dealer_hx_sun", "彩超什么价？")                      # silver tier, by product word
    assert "A100" in last_text(chat, "dealer_hx_sun") and "银牌价" in last_text(chat, "dealer_hx_sun")
    driver.text("dealer_bj_li", "价格 A999")
    assert "没有找到型号 A999" in last_text(chat, "dealer_bj_li")


def test_the_change_hint_is_one_the_checks_accept_now(app, driver, chat):
    # 30 × ¥83,300 + ¥50万 receivables = ¥299.9万 of the ¥300万 limit: more would be refused
    driver.text("dealer_bj_li", "订货 A100*30")
    detail = texts_to(chat, "dealer_bj_li")[-1]
    [order] = orders(app)
    hint = re.search(rf"修改订单 {order.number} (A100\*\d+)", detail)
    assert hint is not None and int(hint.group(1).split("*")[1]) < 30
    driver.text("dealer_bj_li", f"修改订单 {order.number} {hint.group(1)}")
    assert "已修改订单" in "\n".join(texts_to(chat, "dealer_bj_li")[-3:])
    assert orders(app)[0].lines[0].qty == int(hint.group(1).split("*")[1])

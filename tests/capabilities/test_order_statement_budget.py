"""Statements per order on the month-end path (issue 16): a dealer places an
order and confirms it from its card. Counted with SQLAlchemy's
``before_cursor_execute`` over processing each inbox row (``Inbox.process``:
the command, its audit event, its replies written to the outbox, the row
marked done), warm (an order placed and confirmed before, as in a worker), on
PostgreSQL with Redis as in production. Delivering the replies is apart.

Placing (14): the rule version with the catalog, the products, the partner's
row lock, the special prices it may use, the price list, the stock, the other
open orders, the order's INSERT and then its number, totals and card id in one
UPDATE, its lines, the audit event, the detail and the card, the row done. The
"change it like this" hint in the detail prices other quantities with what was
just read; a new order's lines are not read back.

Confirming (17): the card's handle (one upsert), the order, the partner's and
the order's row locks, the order's special prices (one pending holds it, the
approved ones price it), the rule version, the lines, the products, the
free-standing special prices, the stock, the price list, the other open
orders, the stamp, the audit event, the status, the answer, the row done. Lines priced afresh to the same figures
are kept, not deleted and written again."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from chat.messages import CardClick
from models import Order, OrderLine
from tests.support.reading import cards_to
from tests.support.statements import counting

pytestmark = pytest.mark.postgres

PLACE_BUDGET = 14
CONFIRM_BUDGET = 17
DEALER = "dealer_bj_li"


def _run(app, driver, msg) -> list[str]:
    q = app.extensions["qudao"]
    inbox_id = q.inbox.accept(msg, f"test:orders:{msg.msg_id}")
    with counting(q.engine) as st:
        assert q.inbox.process(inbox_id) == "done"
    q.deliverer.drain()
    return st.short(200)


def _place(app, driver, text: str) -> list[str]:
    return _run(app, driver, driver._inbound(DEALER, "text", text=text))


def _confirm(app, driver, chat) -> list[str]:
    card = [c for c in cards_to(chat, DEALER) if c.task_id.startswith("so-")][-1]
    click = driver._inbound(DEALER, "card_click", card=CardClick(card.task_id, "confirm", ref="ref-" + card.task_id))
    return _run(app, driver, click)


def _lines(app) -> list[tuple[int, str, int]]:
    with app.extensions["qudao"].factory() as s:
        return s.execute(select(OrderLine.id, OrderLine.sku, OrderLine.qty).order_by(OrderLine.id)).all()


def _count(statements: list[str], start: str) -> int:
    return sum(sql.startswith(start) for sql in statements)


def test_an_order_placed_and_confirmed_costs_at_most_its_budget(pg_app, pg_driver, chat):
    _place(pg_app, pg_driver, "订货 A100*2")         # warm: caches, the dealer's platform noted
    _confirm(pg_app, pg_driver, chat)

    placing = _place(pg_app, pg_driver, "订货 A100*3 B200*5")
    listing = "\n".join(placing)
    assert len(placing) <= PLACE_BUDGET, listing
    assert _count(placing, "SELECT order_lines") == 0, listing            # a new order has none to read
    assert _count(placing, "UPDATE orders") == 1, listing                 # number, totals and card together
    for table in ("price_list_entries", "stock_levels"):                 # the hint reuses the order's reads
        assert _count(placing, f"SELECT {table}.") == 1, listing
    assert sum("sum(orders.total_yuan)" in sql for sql in placing) == 1, listing
    lines_before = _lines(pg_app)

    confirming = _confirm(pg_app, pg_driver, chat)
    listing = "\n".join(confirming)
    assert len(confirming) <= CONFIRM_BUDGET, listing
    assert _count(confirming, "DELETE FROM order_lines") == 0 and _count(confirming, "INSERT INTO order_lines") == 0
    assert _count(confirming, "INSERT INTO card_refs") == 1 and _count(confirming, "UPDATE card_refs") == 0, listing
    assert _count(confirming, "SELECT special_prices.") == 2, listing     # the order's, the free-standing
    assert _lines(pg_app) == lines_before                                 # the same rows, kept

    with pg_app.extensions["qudao"].factory() as s:
        last = s.execute(select(Order).order_by(Order.id.desc()).limit(1)).scalar_one()
        assert last.status == "confirmed" and [ln.sku for ln in last.lines] == ["A100", "B200"]
        assert last.number == f"SO20261123-{last.id:04d}" and last.card_task_id.startswith(f"so-{last.id}-r")
        assert last.total_yuan == sum(ln.amount_yuan for ln in last.lines)

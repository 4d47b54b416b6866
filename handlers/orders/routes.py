"""What ordering answers: 订货 and its questions, the order commands by number
(确认 / 取消 / 修改 / 查), 我的订单, the order summary card's buttons, the
order approval kind (窜货), and the sweep that lapses unconfirmed drafts."""
from __future__ import annotations

from chat.registry import Registry
from domain.language.field_reader import FieldOptions, fields_reader
from domain.language.readers import read_ref
from domain.language.recognisers import price_question
from handlers.orders import account, erp_api, sweep
from handlers.orders import commands as orders
from handlers.orders.approval_kind import OrderKind

ORDER_LINES = fields_reader(FieldOptions(lines="order"))


def install(registry: Registry) -> None:
    registry.command("order", run=lambda ctx, parsed: orders.place(ctx, parsed, ctx.inbound.text or ""),
                     words=("订货", "下单", "补货", "订购", "要货", "进货", "采购", "补单", "拿货", "备货", "order"),
                     reader=ORDER_LINES)
    registry.command("order", "my_orders", run=lambda ctx, parsed: orders.my_orders(ctx),
                     words=("我的订单", "my orders"), lookup=True, lists=True)
    registry.command("order", "amend", run=orders.amend, reader=ORDER_LINES,
                     words=("修改订单", "订单修改", "改订单", "改单", "amend order", "change order"))
    registry.command("order", "cancel", run=orders.cancel_by_text, reader=read_ref,
                     words=("取消订单", "撤销订单", "撤回订单", "订单取消", "cancel order"))
    registry.command("order", "confirm", run=orders.confirm_by_text, reader=read_ref,
                     words=("确认订单", "订单确认", "confirm order"))
    registry.command("order", "show", run=orders.show, reader=read_ref,
                     words=("查询订单", "查看订单", "查订单", "订单查询", "订单详情", "show order", "order status"))
    # Shared verbs before an order number (SO…).
    registry.shared_verb(("修改", "更改", "变更", "amend"), "SO", "order", "amend")
    registry.shared_verb(("撤销", "撤回", "withdraw", "取消", "cancel"), "SO", "order", "cancel")
    registry.shared_verb(("确认", "confirm"), "SO", "order", "confirm")
    registry.shared_verb(("查询", "查一下", "查看", "查找", "查", "query", "订单"), "SO", "order", "show")
    for flow in ("order_fix", "order_qty"):
        registry.continuation(flow, orders.continue_flow)
    registry.continuation(orders.DRAFT_FLOW, orders.answer_draft, on_cancel=orders.cancel_draft)
    registry.command("order", "credit", run=account.my_credit, lookup=True,
                     words=("我的额度", "我的信用额度", "信用额度", "可用额度", "额度", "my credit", "credit"))
    registry.command("order", "price", run=account.price_of, reader=ORDER_LINES, lookup=True,
                     words=("查价格", "查价", "price of", "price"))
    # "A100多少钱", "彩超什么价", "价格 A100" ("价格不合理…" is no question about one)
    registry.opener(price_question(("order", "price")))
    registry.card_action(orders.order_for_card, orders.on_card_click)
    registry.approval_kind(OrderKind())
    registry.sweep("orders", 300, sweep.sweep)
    # The ERP takes confirmed orders and tells shipments and unpaid receivables.
    registry.endpoint("GET", "/erp/v1/orders", erp_api.orders)
    registry.endpoint("POST", "/erp/v1/shipments", erp_api.shipments, writes=True)
    registry.endpoint("POST", "/erp/v1/receivables", erp_api.receivables, writes=True)
    registry.help("> 订货 A100*20 B200*5 [收货地址：…]　我的订单　修改订单 单号 A100*25 / 删除 B200　取消订单 单号\n"
                  "> 我的额度　A100多少钱",
                  "> order A100*20 B200*5 · my orders · 修改订单 <number> A100*25 · 取消订单 <number>\n"
                  "> my credit · price A100",
                  roles=("dealer",))

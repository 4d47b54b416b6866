"""Every user-facing sentence of special prices (特价), Chinese first, English too."""
from __future__ import annotations

from chat.texts import GENERAL
from domain.wording import Wording
from handlers.orders.texts import TEXTS as ORDERS

TEXTS: dict[str, tuple[str, str]] = {
    "sp_partners_only": ("只有渠道伙伴账号可以申请特价。", "Only partner accounts can ask for special prices."),
    "sp_ask_price": ("请写明申请单价或折扣，例如：{example}，或 申请特价 A100 8折 客户 北京协和医院 原因 招标限价。",
                     "Give the price or discount, e.g. {example}, or 申请特价 A100 8折 客户 … 原因 …"),
    "sp_example_order": ("特价申请 订单 {number} {sku} 单价 {price} 理由：竞品报价低",
                         "特价申请 订单 {number} {sku} 单价 {price} 理由：竞品报价低"),
    "sp_example_generic": ("特价申请 订单 <单号> A100 单价 80000 理由：竞品报价低",
                           "特价申请 订单 <number> A100 单价 80000 理由：竞品报价低"),
    "sp_ask_reason": ("请告诉我申请特价的理由（例如：竞品报价低、招标限价），发送“取消”放弃。",
                      "Why is the special price needed (e.g. competitor's offer, tender cap)? Send \"cancel\" to stop."),
    "sp_order_not_draft": ("订单 {number} 当前为{status}，特价需在确认订单前申请；可先修改订单，或取消后重新下单。",
                           "Order {number} is {status}; special prices are asked before confirming. Change or re-place the order."),
    "sp_need_customer": ("不关联订单的特价申请需要写明客户，例如：申请特价 A100 8折 客户 北京协和医院 原因 招标限价。",
                         "A special price without an order needs the customer, e.g. 申请特价 A100 8折 客户 … 原因 …"),
    "sp_not_in_order": ("订单 {number} 里没有 {skus}。", "Order {number} has no {skus}."),
    "sp_name_sku": ("请写明申请特价的型号，例如：A100。", "Which product is the special price for (e.g. A100)?"),
    "sp_one_price_many_skus": ("一个单价只能对应一个型号；多个型号请分别申请，或用折扣（如 8折）。",
                               "One unit price fits one product; ask per product, or give a discount (e.g. 8折)."),
    "sp_price_implausible": ("{sku} 申请价 {asked} 不合理（目录价 {list}），请核对。", "The price {asked} for {sku} looks wrong (list {list})."),
    "sp_not_below_policy": ("{sku} 申请价 {asked} 不低于贵司政策价 {policy}，无需特价审批，直接下单即可。",
                            "{asked} for {sku} is not below your policy price {policy}; no special price is needed."),
    "sp_verdict": ("申请价低于政策价 {depth}，按特价政策需 {steps} 审批。", "{depth} below the policy price: {steps} must approve."),
    "sp_item": ("{sku}{qty} 申请价 {asked}（政策价 {policy}）", "{sku}{qty} at {asked} (policy {policy})"),
    "sp_submitted": ("⏳ 特价申请 {number} 已提交：{what}，再降 {depth}。\n审批流程：{ladder}（当前：{first}）。结果会通知您。",
                     "⏳ Special price {number} submitted: {what}, {depth} below policy.\nApprovals: {ladder} (now: {first}). You will be told."),
    "sp_card_title": ("特价审批 {number}", "Special price approval {number}"),
    "sp_card_impact": ("少收 {amount}", "{amount} less revenue"),
    "sp_card_impact_each": ("每台少收 {amounts}", "{amounts} less per unit"),
    "sp_card_margin": ("，毛利率 {before}→{after}", ", margin {before}→{after}"),
    "sp_card_reason": ("理由：{reason}", "Reason: {reason}"),
    "sp_approved_order": ("✅ 特价申请 {number} 已批准（{who}）：{what}，已用于订单 {order}。",
                          "✅ Special price {number} approved ({who}): {what}; applied to order {order}."),
    "sp_order_repriced": ("订单 {order} 已按特价更新，合计 {total}，请确认新的订单卡。",
                          "Order {order} now uses the special price, total {total}; please confirm the new card."),
    "sp_approved_grant": ("✅ 特价申请 {number} 已批准（{who}）：{what}，{until} 前有效。下单时注明客户即可使用，例如：订货 {sku}*{qty} 客户 {customer}；"
                          "或注明特价单号：订货 {sku}*{qty} {number}。",
                          "✅ Special price {number} approved ({who}): {what}, valid until {until}. Name the customer when ordering, e.g. 订货 {sku}*{qty} 客户 {customer}, "
                          "or the number: 订货 {sku}*{qty} {number}."),
    "sp_rejected": ("❌ 特价申请 {number} 被{who}驳回。理由：{reason}", "❌ Special price {number} was rejected by {who}. Reason: {reason}"),
    "sp_rejected_order_stays": ("订单 {order} 仍按政策价，可直接确认。", "Order {order} stays at the policy price and can be confirmed."),
    "sp_void_withdrawn": ("已被经销商撤回", "was withdrawn by the dealer"),
    "sp_expired": ("特价 {number} 已过有效期，未使用部分失效；如仍需要请重新申请。",
                   "Special price {number} has expired; ask again if you still need it."),
    "sp_none": ("贵司还没有特价申请。", "Your company has no special-price requests yet."),
    "sp_header": ("**特价申请**（最近 {n} 条）", "**Special prices** (latest {n})"),
    "sp_cannot_withdraw": ("特价申请 {number} 当前为{status}，不能撤回。", "Special price {number} is {status} and cannot be withdrawn."),
    "sp_withdrawn": ("已撤回特价申请 {number}。", "Special price {number} withdrawn."),
    "sp_withdrawn_repriced": ("订单 {order} 已恢复政策价，合计 {total}，请确认新的订单卡。",
                              "Order {order} is back at the policy price, total {total}; please confirm the new card."),
    "sp_amend_no": ("特价申请不能修改；请撤回（撤销 SP…）后重新申请。", "A special-price request cannot be changed; withdraw it and ask again."),
}

t = Wording(TEXTS, ORDERS, GENERAL)

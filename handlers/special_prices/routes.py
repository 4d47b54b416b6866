"""What special pricing answers: 特价申请 (on a draft order or for a customer)
and its reason question, 我的特价, 查 / 撤销 SP…, the special-price approval
kind (the ladder), and the sweep that lapses unused grants."""
from __future__ import annotations

from chat.messages import Text
from chat.registry import Registry
from domain.language.field_reader import FieldOptions, fields_reader
from domain.language.readers import read_ref
from handlers.special_prices import commands, sweep
from handlers.special_prices.approval_kind import SpecialPriceKind
from handlers.special_prices.texts import t

SPECIAL_LINES = fields_reader(FieldOptions(lines="special_price"))


def install(registry: Registry) -> None:
    registry.command("special_price", run=lambda ctx, parsed: commands.request(ctx, parsed, ctx.inbound.text or ""),
                     words=("特价申请", "申请特价", "特价", "special price", "special-price"), reader=SPECIAL_LINES)
    registry.command("special_price", "mine", run=lambda ctx, parsed: commands.my_special_prices(ctx),
                     words=("我的特价", "我的特价申请", "my special prices", "my special price"),
                     lookup=True, lists=True)
    registry.command("special_price", "show", run=commands.show, reader=read_ref)
    registry.command("special_price", "cancel", run=commands.withdraw, reader=read_ref)
    # A special price is decided as asked: a change is a new request.
    registry.command("special_price", "amend", run=lambda ctx, parsed: ctx.reply(Text(t("sp_amend_no", ctx.lang))),
                     reader=SPECIAL_LINES)
    registry.shared_verb(("修改", "更改", "变更", "amend"), "SP", "special_price", "amend")
    registry.shared_verb(("撤销", "撤回", "withdraw", "取消", "cancel"), "SP", "special_price", "cancel")
    registry.shared_verb(("查询", "查一下", "查看", "查找", "查", "query"), "SP", "special_price", "show")
    registry.continuation("special_reason", commands.continue_reason)
    registry.approval_kind(SpecialPriceKind())
    registry.sweep("special_prices", 300, sweep.sweep)
    registry.help("> 特价申请 订单 单号 A100 单价 80000 理由：…　申请特价 A100 8折 客户 … 原因 …　我的特价",
                  "> special price: 特价申请 订单 <number> A100 单价 80000 理由 … · 我的特价",
                  roles=("dealer",))

"""What deal registration answers: 报备 and its follow-up questions, 修改 /
撤销 / 延期 of a registration, 我的报备 and 查询, the registration approval
kind, and the lifecycle sweep (expiry warnings, expiry, "free now")."""
from __future__ import annotations

from chat.registry import Registry
from domain.language.field_reader import FieldOptions, fields_reader
from domain.language.readers import read_extension, read_ref
from domain.language.recognisers import labelled_deal, word_last
from handlers.registration import changes, extensions, lifecycle, queries, register
from handlers.registration.approval_kind import RegistrationKind

REGISTER = ("register", None)
AMEND_WORDS = ("修改", "更改", "变更", "amend")
WITHDRAW_WORDS = ("撤销", "撤回", "withdraw")
QUERY_WORDS = ("查询", "查一下", "查看", "查找", "查", "query")


def install(registry: Registry) -> None:
    registry.command("register", run=register.register_command,
                     words=("商机报备", "报备商机", "报个单", "报单", "报备", "登记商机", "新商机", "登记",
                            "register", "reg"),
                     reader=fields_reader(FieldOptions(free_customer=True, ask_missing=True)))
    registry.command("register", "amend", run=changes.amend, words=("修改报备", *AMEND_WORDS),
                     reader=fields_reader(FieldOptions()))
    registry.command("register", "withdraw", run=changes.withdraw,
                     words=("撤销报备", "撤回报备", "取消报备", *WITHDRAW_WORDS), reader=read_ref)
    registry.command("register", "extend", run=extensions.request, words=("申请延期", "延期", "extend"),
                     reader=read_extension)
    registry.command("query", "mine", run=lambda ctx, parsed: queries.my_registrations(ctx),
                     words=("我的报备", "我的商机", "my deals", "my registrations", "my deal"), lookup=True, lists=True)
    registry.command("query", run=lambda ctx, parsed: queries.query_customer(ctx, parsed.customer),
                     words=QUERY_WORDS, lookup=True,
                     reader=fields_reader(FieldOptions(free_customer=True, question_tail=True)))
    registry.wraps_lists("query")               # "查询 我的报备"
    # Verbs shared with orders and special prices: without an SO…/SP… number they are ours.
    registry.shared_verb(AMEND_WORDS, None, "register", "amend")
    registry.shared_verb(WITHDRAW_WORDS, None, "register", "withdraw")
    registry.shared_verb(QUERY_WORDS, None, "query")
    # "客户：…\n金额：…" and "北京协和医院 彩超 80万 报备" need no leading word.
    registry.fallback(labelled_deal(REGISTER))
    registry.fallback(word_last(REGISTER, ("报备", "报个单", "报单", "登记商机")))
    registry.continuation("register", register.continue_registration)
    registry.approval_kind(RegistrationKind())
    registry.approval_kind(extensions.ExtensionKind())
    registry.order_by(lambda text: register.claim_key(text, registry.vocabulary))
    registry.sweep("registration_lifecycle", 300, lifecycle.sweep)
    registry.help("> 报备 客户 产品 金额 [预计签约]　例：报备 北京协和医院 彩超2台 80万 12月底\n"
                  "> 我的报备　查询 客户名　修改 报备号 金额 150万　撤销 报备号　延期 报备号",
                  "> register <customer> <product> <amount> [close date] · my deals · query <customer>\n"
                  "> 修改 <number> 金额 <amount> (amend) · 撤销 <number> (withdraw) · 延期 <number> (extend)")

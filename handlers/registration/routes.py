"""What deal registration answers: 报备 and its follow-up questions, 修改 /
撤销 / 延期 of a registration, 跟进 (and "RG… 报价了"), 成交 / 输单, 我的报备
and 查询, the registration approval kind, what it does when a visit is
verified or an order confirmed, and its sweep (expiry, staleness and recall,
"free now", cool-down ends)."""
from __future__ import annotations

from chat.registry import Registry
from domain.language.field_reader import FieldOptions, fields_reader
from domain.language.readers import read_extension, read_ref
from domain.language.recognisers import labelled_deal, number_first, word_last
from handlers.registration import (
    changes,
    contests,
    extensions,
    follow_ups,
    joint,
    joint_cards,
    outcomes,
    pile_ups,
    queries,
    register,
    sweep,
)
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
    registry.command("register", "follow_up", run=follow_ups.follow_up, reader=read_ref,
                     words=("跟进", "跟踪", "follow up", "follow-up"))
    registry.opener(number_first(("register", "follow_up"), "RG"))      # "RG… 报价了"
    registry.command("register", "won", run=outcomes.won_command, words=("赢单", "成交", "签单", "won"),
                     reader=fields_reader(FieldOptions()))
    registry.command("register", "lost", run=outcomes.lost_command, words=("输单", "丢单", "lost"), reader=read_ref)
    registry.command("register", "joint_accept", run=joint.accept_command, reader=read_ref,
                     words=("接受合作", "同意合作", "accept joint"))
    registry.command("register", "joint_decline", run=joint.decline_command, reader=read_ref,
                     words=("拒绝合作", "decline joint"))
    registry.card_action(joint_cards.registration_for_task, joint.on_card_click,
                         subject_ref=lambda ctx, reg: reg.number)
    registry.continuation("joint_decline", joint.on_decline_reason, greedy=True)
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
    registry.continuation(pile_ups.FLOW, lambda ctx, state, text: pile_ups.answer(ctx, state, text, register.register))
    registry.approval_kind(RegistrationKind())
    registry.approval_kind(contests.ContestKind())
    registry.approval_kind(extensions.ExtensionKind())
    registry.order_by(lambda text: register.claim_key(text, registry.vocabulary))
    # The parser's tables and the traditional→simplified converter are built on first use.
    registry.warm_up(lambda: register.claim_key("报备 北京協和醫院 彩超 50万 12月底", registry.vocabulary))
    registry.sweep("registration_lifecycle", 300, sweep.sweep)
    registry.on("visit.verified", follow_ups.on_visit_verified)
    registry.on("order.confirmed", outcomes.on_order_confirmed)
    registry.help("> 报备 客户 产品 金额 [预计签约]　例：报备 北京协和医院 彩超2台 80万 12月底\n"
                  "> 我的报备　修改 报备号 金额 150万　撤销 报备号　延期 报备号\n"
                  "> 跟进 报备号 方案报价 说明（或：报备号 报价了）　成交 报备号 金额 150万　输单 报备号 原因 竞品\n"
                  "> 联合报备：报备 … 合作 伙伴名；被邀请方：接受合作 报备号 / 拒绝合作 报备号 理由",
                  "> register <customer> <product> <amount> [close date] · my deals\n"
                  "> 修改 <number> 金额 <amount> (amend) · 撤销 <number> (withdraw) · 延期 <number> (extend)\n"
                  "> 跟进 <number> <stage> <note> (follow up) · 成交 <number> 金额 <amount> (won) · "
                  "输单 <number> 原因 <reason> (lost)\n"
                  "> joint: 报备 … 合作 <partner>; invited: 接受合作 <number> / 拒绝合作 <number> <reason>",
                  roles=("dealer", "rep"))
    registry.help("> 查询 客户名　（谁报备了它、相似名称的客户）",
                  "> query <customer> (who holds it, and customers with similar names)")

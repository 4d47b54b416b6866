"""What leads answer: 线索 … (a rep or manager enters one; a partner's bare 线索
lists theirs), 我的线索, 线索 统计, 接受线索 / 放弃线索 and the card's 接受 / 放弃,
POST /api/v1/leads for other systems, the sweep that hands leads out and on
(new ones, and offers past the SLA), 分配线索 by a manager, and what happens when a deal made of a
lead is recalled or won (events published by registration)."""
from __future__ import annotations

from chat.registry import Registry
from domain.language.field_reader import FieldOptions, fields_reader
from domain.language.readers import read_ref
from handlers.leads import answers, intake, manage, views


def install(registry: Registry) -> None:
    registry.command("lead", "mine", run=lambda ctx, parsed: views.my_leads(ctx),
                     words=("我的线索", "my leads"), lookup=True, lists=True)
    registry.command("lead", "stats", run=views.stats, lookup=True,
                     words=("线索统计", "线索 统计", "线索分析", "lead stats", "leads stats"))
    registry.command("lead", "accept", run=answers.accept_command, reader=read_ref,
                     words=("接受线索", "accept lead"))
    registry.command("lead", "decline", run=answers.decline_command, reader=read_ref,
                     words=("放弃线索", "decline lead", "give up lead"))
    registry.command("lead", "assign", run=manage.assign_command, reader=read_ref,
                     words=("分配线索", "指派线索", "assign lead"))
    registry.command("lead", run=intake.lead_command, reader=fields_reader(FieldOptions(free_customer=True)),
                     words=("线索", "新线索", "录入线索", "lead"))
    registry.card_action(answers.offer_for_task, answers.on_card_click,
                         subject_ref=lambda ctx, offer: f"lead:{offer.lead_id}")
    registry.continuation(answers.DECLINE_FLOW, answers.on_reason, greedy=True)
    registry.sweep("leads", 30, answers.sweep)
    registry.endpoint("POST", "/api/v1/leads", intake.api_leads, writes=True)
    registry.on("registration.recalled", answers.on_registration_recalled)
    registry.on("registration.won", answers.on_registration_won)
    registry.help("> 我的线索　接受线索 编号　放弃线索 编号 原因（或在线索卡片上点 接受 / 放弃）",
                  "> my leads · 接受线索 <number> (accept) · 放弃线索 <number> <reason> (give up), or tap the card",
                  roles=("dealer",))
    registry.help("> 线索 客户 产品 金额 联系人 … 来源 …　线索 统计　分配线索 线索编号 伙伴",
                  "> 线索 <customer> <product> <amount> 联系人 … 来源 … (enter a lead) · 线索 统计 (lead stats) · "
                  "分配线索 <number> <partner> (hand a lead out)",
                  roles=("rep", "manager", "director", "admin"))

"""What approvers answer with: a tap on an approval card, 同意 / 驳回 <number>
typed, the reject reason, 转交, 委托 / 取消委托 (also "12月5日-12月12日 请张伟代我
审批"), and the SLA sweep (reminders, escalation)."""
from __future__ import annotations

from chat.registry import Registry
from domain.language.readers import read_delegation, read_transfer_to
from domain.language.recognisers import absence_opening_with_dates
from handlers.approvals import commands, delegation, mine, sla


def install(registry: Registry) -> None:
    registry.card_action(commands.approval_for_card, commands.on_card_click,
                         subject_ref=lambda ctx, appr: commands.subject_ref_of(ctx, appr.id))
    registry.text_action(commands.parse_decision, lambda ctx, decision: commands.on_text_decision(ctx, *decision),
                         subject_ref=lambda decision: decision[1])
    registry.continuation("reject_reason", commands.on_reject_reason, greedy=True,
                          after_lookup=commands.reason_still_waiting, moved_on=commands.reject_dropped)
    registry.command("approval", "transfer", run=commands.transfer, reader=read_transfer_to,
                     words=("转交给", "转交", "转给", "转办", "移交", "transfer"))
    registry.command("approval", "delegate", run=delegation.delegate, reader=read_delegation,
                     words=("委托审批", "审批委托", "委托给", "委托", "请假", "delegate"))
    registry.command("approval", "undelegate", run=lambda ctx, parsed: delegation.undelegate(ctx),
                     reader=read_delegation,
                     words=("取消委托", "撤销委托", "撤回委托", "结束委托", "收回委托", "取消代批", "cancel delegation",
                            "end delegation", "undelegate"))
    registry.command("approval", "mine", run=mine.my_approvals, lookup=True, lists=True,
                     words=("待审批", "我的审批", "待我审批", "我的待办", "待办", "my approvals", "pending approvals",
                            "approvals"))
    registry.opener(absence_opening_with_dates(("approval", "delegate")))
    registry.not_commands("委托书", "委托函")
    registry.sweep("approvals_sla", 60, sla.sweep)
    registry.help("> 待审批 / 我的审批　点卡片 同意/驳回，或 同意 单号 / 驳回 单号 理由\n"
                  "> 转交 单号 审批人　委托 张伟 12月5日至12月12日　取消委托",
                  "> my approvals (待审批): tap 同意/驳回, or 同意 <number> / 驳回 <number> <reason>\n"
                  "> 转交 <number> <approver> · 委托 <stand-in> <from> 至 <to> · 取消委托",
                  roles=("manager", "director"))

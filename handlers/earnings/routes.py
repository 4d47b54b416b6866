"""What earnings answer: 我的分润, 我的返利, 分润调整 (an approval kind), the split
computed when a deal is won (registration publishes "registration.won"), the
rebate nudge and the period-end run with its card to the approver."""
from __future__ import annotations

from datetime import time

from chat.registry import Registry
from handlers.earnings import adjustments, rebates, splits


def install(registry: Registry) -> None:
    registry.command("earnings", "splits", run=lambda ctx, parsed: splits.my_splits(ctx), lookup=True, lists=True,
                     words=("我的分润", "分润", "我的佣金", "my splits", "my commission"))
    registry.command("earnings", "rebates", run=lambda ctx, parsed: rebates.my_rebates(ctx), lookup=True, lists=True,
                     words=("我的返利", "返利", "返利进度", "my rebates", "my rebate"))
    registry.command("earnings", "adjust", run=adjustments.ask, words=("分润调整", "调整分润", "adjust split"))
    registry.approval_kind(adjustments.AdjustmentKind())
    registry.on("registration.won", splits.on_registration_won)
    registry.calendar_job("rebate_nudge", lambda r: time(10, 0), rebates.nudges)
    registry.calendar_job("rebate_period_end", lambda r: time(9, 0), rebates.period_end)
    registry.card_action(rebates.run_for_task, rebates.on_run_click, subject_ref=lambda ctx, run: f"rebate:{run.id}")
    registry.help("> 我的分润（本月，按成交）　我的返利（进度、差额、预计返利）",
                  "> my splits (this month, by deal) · my rebates (progress, what is missing, projected rebate)",
                  roles=("dealer",))
    registry.help("> 分润调整 报备号 角色 金额 理由（总监同意后生效）",
                  "> 分润调整 <RG number> <role> <amount> <reason> (split adjustment; takes effect once approved)",
                  roles=("manager", "director", "admin"))

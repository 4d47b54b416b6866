"""The reports capability: 漏斗 (the funnel picture) and 伙伴 (a partner's
scorecard) on demand; the managers' morning digest and the weekly chart
(which shows the area's funnel too) on the clock."""
from __future__ import annotations

from chat.registry import Registry
from domain.language.readers import read_name
from handlers.reports import digest, pipeline_views, weekly


def install(registry: Registry) -> None:
    registry.command("report", "funnel", run=pipeline_views.funnel_command, reader=read_name, lookup=True,
                     words=("商机漏斗", "漏斗", "funnel"))
    registry.command("report", "scorecard", run=pipeline_views.scorecard_command, reader=read_name, lookup=True,
                     words=("伙伴记分卡", "记分卡", "伙伴", "scorecard"))
    registry.not_commands("伙伴们", "伙伴关系")
    registry.help("> 漏斗（本区域）　漏斗 伙伴名　伙伴 伙伴名（记分卡：报备、赢率、输单原因、跟进间隔、拜访、申诉）",
                  "> funnel (your area) · funnel <partner> · scorecard <partner>")
    registry.calendar_job("digest_morning", lambda r: r.schedule.digest_morning, digest.morning_digests)
    registry.calendar_job("weekly_chart", lambda r: r.schedule.weekly_time, weekly.weekly_pictures,
                          weekday=lambda r: r.schedule.weekly_weekday)

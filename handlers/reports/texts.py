"""Sentences of the morning digest and the weekly picture, Chinese first."""
from __future__ import annotations

from chat.texts import GENERAL
from domain.wording import Wording
from handlers.visits.texts import TEXTS as VISITS

TEXTS: dict[str, tuple[str, str]] = {
    "digest_title": ("**☀️ {name}，{day} 渠道日报**（{area}）", "**☀️ {name}, channel digest for {day}** ({area})"),
    "digest_regs": ("新报备 {n} 个：{detail}", "{n} new registrations: {detail}"),
    "digest_no_regs": ("新报备：无", "No new registrations"),
    "digest_conflicts": ("撞单 {n} 次：", "{n} conflicts:"),
    "digest_held_by": ("已被 {holder} 保护", "held by {holder}"),
    "digest_pending": ("⏳ 待您审批 {n} 个，最早 {oldest}：", "⏳ {n} waiting for you, oldest {oldest}:"),
    "digest_no_pending": ("✅ 没有待您审批的事项。", "✅ Nothing waits for your approval."),
    "digest_visits": ("拜访 {n} 次：已核实 {verified}，范围外 {offsite}，存疑 {doubtful}，其他标记 {noted}",
                      "{n} visits: {verified} verified, {offsite} off-site, {doubtful} in doubt, {noted} with notes"),
    "digest_orders": ("确认订单 {n} 张，合计 {total}", "{n} orders confirmed, {total} in all"),
    "weekly_title": ("渠道周报 · {area}", "Weekly · {area}"),
    "weekly_caption": ("📊 {name}，上周（{period}）：新报备 {regs} 个，拜访 {visits} 次（其中 {flagged} 次存疑，图中红色），范围外签到尝试 {offsite} 次。",
                       "📊 {name}, last week ({period}): {regs} registrations, {visits} visits ({flagged} in doubt, red), {offsite} off-site attempts."),
}

t = Wording(TEXTS, VISITS, GENERAL)

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
    "weekly_caption_funnel": ("商机漏斗：{line}", "Funnel: {line}"),
    "partner_not_found": ("没有找到伙伴“{name}”（可写伙伴简称或编号，例如：北京康健）。", "No partner \"{name}\" found (a short name or code will do, e.g. 北京康健)."),
    "partner_outside_area": ("{partner} 不在您负责的区域（{area}）。", "{partner} does not work in your area ({area})."),
    "funnel_who": ("漏斗和伙伴记分卡提供给经理、总监和渠道伙伴。", "The funnel and scorecards are for managers, the director and partners."),
    "funnel_own_only": ("只能查看贵司（{partner}）的漏斗和记分卡。", "You can see your own company's ({partner}) only."),
    "funnel_title": ("商机漏斗 · {label}", "Funnel · {label}"),
    "funnel_empty_line": ("{label} 近 {days} 天没有生效的商机。", "{label}: no accepted deals in the last {days} days."),
    "funnel_line": ("{label}（近 {days} 天）：在跟 {open} 个 {open_value}（{at}），赢单 {won} 个 {won_value}，输单 {lost} 个{rate}{age}。",
                    "{label} (last {days} days): {open} open, {open_value} ({at}); {won} won, {won_value}; {lost} lost{rate}{age}."),
    "win_rate": ("，赢率 {rate}", ", win rate {rate}"),
    "open_age": ("；在跟商机平均已 {days} 天", "; open deals are {days} days old on average"),
    "none": ("无", "none"),
    "scorecard_usage": ("请写上伙伴名称，例如：伙伴 北京康健", "Name the partner, e.g. 伙伴 北京康健"),
    "score_title": ("**伙伴记分卡 · {partner}**（近 {days} 天）", "**Scorecard · {partner}** (last {days} days)"),
    "score_regs": ("> 报备 {n} 个：{detail}", "> {n} registrations: {detail}"),
    "score_win": ("> 赢率 {rate}（赢 {won} / 输 {lost}），赢单金额 {value}", "> win rate {rate} ({won} won / {lost} lost), {value} won"),
    "score_lost_reasons": ("> 输单原因：{reasons}", "> lost because: {reasons}"),
    "score_gap": ("> 平均跟进间隔 {gap} 天（跟进 {n} 次）", "> {gap} days between follow-ups on average ({n} follow-ups)"),
    "score_visits": ("> 拜访 {n} 次：已核实 {verified}，存疑 {doubt}；范围外尝试 {offsite} 次", "> {n} visits: {verified} verified, {doubt} in doubt; {offsite} off-site attempts"),
    "score_appeals": ("> 申诉 {n} 次：{detail}", "> {n} appeals: {detail}"),
    "score_appeal_pending": ("待裁决", "pending"),
    "score_appeal_upheld": ("维持", "upheld"),
    "score_appeal_transferred": ("移交", "transferred"),
    "score_appeal_shared": ("共享", "shared"),
}

t = Wording(TEXTS, VISITS, GENERAL)

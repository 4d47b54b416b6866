"""The picture's fixed words, Chinese and English, and so the glyphs a font
must have to be used for it at all."""
from __future__ import annotations

# Reading order of the known statuses; the English words mirror
# handlers.common.texts.STATUS (a test keeps the two in step).
STATUS_WORDS: dict[str, str] = {"已生效": "approved", "待审批": "pending", "未通过": "rejected",
                                "已过期": "expired", "已撤销": "withdrawn", "已收回": "recalled", "赢单": "won",
                                "输单": "lost", "已移交": "transferred"}

# Fixed words of the picture: (Chinese, English).
WORDS: dict[str, tuple[str, str]] = {
    "status_title": ("报备状态", "Registrations"),
    "visits_title": ("拜访次数", "Visits"),
    "empty": ("该周无数据", "No data that week"),       # the picture is of a past week, named in its header
    "rest": ("其他 {n} 人", "{n} others"),
    "legend_visits": ("拜访", "visits"),
    "legend_flagged": ("其中存疑（括号内）", "in doubt (in brackets)"),
    "funnel_title": ("商机漏斗", "Deal funnel"),
    "funnel_empty": ("暂无商机", "No deals yet"),
    "funnel_count": ("{n} 个 · {value}", "{n} - {value}"),
    "funnel_stay": ("停留 {d} 天", "{d} d here"),
    "funnel_conversion": ("转化 {p}", "{p} move on"),
    "money_wan": ("万", "0k"),
}

# A font must draw every fixed Chinese character of the picture to be used at all.
REQUIRED_GLYPHS = frozenset(
    ch for text in [*STATUS_WORDS, *(zh for zh, _ in WORDS.values())]
    for ch in text if not ch.isascii())

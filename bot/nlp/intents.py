"""Intent from the leading keyword: "报备 …", "订货：…", "my deals", "?".

Users type the command word first (that is what the help card teaches), so
only the start of the message is inspected; the rest is handed back as the
body for field parsing. Longer keywords are tried first ("特价申请" before
"特价", "查询" before "查").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .fields import LABEL_KIND

# (keyword, intent, action). Order within the table does not matter.
_KEYWORDS: tuple[tuple[str, str, str | None], ...] = (
    *((k, "register", None) for k in ("商机报备", "报备商机", "报个单", "报单", "报备", "登记商机", "新商机",
                                       "登记", "register", "reg")),
    *((k, "order", None) for k in ("订货", "下单", "补货", "订购", "order")),
    *((k, "special_price", None) for k in ("特价申请", "申请特价", "特价", "special price", "special-price")),
    *((k, "checkin", None) for k in ("签到", "check in", "check-in", "checkin")),
    *((k, "checkout", None) for k in ("签退", "check out", "check-out", "checkout")),
    *((k, "visit_note", None) for k in ("拜访小结", "拜访记录", "小结", "visit note", "visit-note")),
    *((k, "query", "mine") for k in ("我的报备", "我的商机", "my deals", "my registrations", "my deal")),
    *((k, "order", "my_orders") for k in ("我的订单", "my orders")),
    *((k, "query", None) for k in ("查询", "查一下", "查看", "查找", "查", "query")),
    *((k, "help", None) for k in ("帮助", "菜单", "怎么用", "使用说明", "指令", "help", "menu", "?")),
    *((k, "register", "amend") for k in ("修改报备", "修改", "更改", "变更", "amend")),
    *((k, "register", "withdraw") for k in ("撤销报备", "撤回报备", "撤销", "撤回", "withdraw")),
    *((k, "register", "extend") for k in ("申请延期", "延期", "extend")),
    *((k, "unknown", "alias") for k in ("别名", "alias")),
)
_SORTED = sorted(_KEYWORDS, key=lambda k: len(k[0]), reverse=True)

# A greeting alone is a request for the menu.
_GREETINGS = ("你好", "您好", "hello", "hi", "hey", "在吗", "在么", "嗨", "哈喽")
# Politeness before the command: "我要报备 …", "请帮我下单 …".
_POLITE = re.compile(r"^(?:请|麻烦|帮我|帮忙|我要|我想|我需要|想要|要)+")
_SPEAKER = re.compile(r"([^\s:]{1,12})\s*:\s*")
# Separators allowed between keyword and body, and decoration around keywords.
_LEAD_STRIP = " :,;、.。!~-【】[]"


@dataclass(frozen=True)
class IntentMatch:
    intent: str
    action: str | None
    body: str  # message text after the keyword, separators trimmed


def _keyword_at_start(text: str) -> IntentMatch | None:
    low = text.lower()
    for word, intent, action in _SORTED:
        if not low.startswith(word):
            continue
        nxt = low[len(word):len(word) + 1]
        # ASCII keywords need a word boundary: "reg" must not match "regular".
        if word.isascii() and word[-1].isalnum() and nxt.isascii() and nxt.isalnum():
            continue
        return IntentMatch(intent, action, text[len(word):].lstrip(_LEAD_STRIP + "\n"))
    return None


def detect_intent(text: str) -> IntentMatch:
    """Classify a cleaned message; the fallback is intent 'unknown'."""
    text = text.strip().lstrip(_LEAD_STRIP)
    if not text:
        return IntentMatch("unknown", None, "")
    hit = _keyword_at_start(text)
    if hit:
        return hit
    low = text.lower()
    for greeting in _GREETINGS:
        if low.startswith(greeting):
            rest = text[len(greeting):]
            if rest[:1].isascii() and rest[:1].isalpha():
                continue  # "history", "hint": not a greeting
            rest = rest.lstrip(_LEAD_STRIP + "\n")
            inner = detect_intent(rest) if rest else None
            if inner is None or inner.intent == "unknown" and inner.action is None:
                return IntentMatch("help", None, rest)
            return inner
    # "王经理：报备 …" (a quoted or forwarded line): a short speaker prefix
    # ending in a colon, then a keyword.
    speaker = _SPEAKER.match(text)
    if speaker and speaker.group(1).lower() not in LABEL_KIND:
        hit = _keyword_at_start(text[speaker.end():])
        if hit:
            return hit
    polite = _POLITE.match(text)
    if polite and polite.end() < len(text):
        hit = _keyword_at_start(text[polite.end():])
        if hit:
            return hit
    return IntentMatch("unknown", None, text)

"""Neutral outgoing messages → WeCom API payloads.

Limits from platforms.md: text/markdown ≤ 2048 bytes; a button_interaction
card has ≤ 6 horizontal rows and ≤ 6 buttons; task_id ≤ 128 bytes of
[A-Za-z0-9_-@]. Group chats cannot carry button cards, so cards always go 1:1.
"""
from __future__ import annotations

from typing import Any

from chat.messages import Card, CardStamp, File, Image, Markdown, Outgoing, Text, fit_rows

MAX_CONTENT_BYTES = 2048
# template_card button_interaction: at most 6 horizontal_content_list rows and 6 buttons (path/90236).
CARD_ROWS = 6
CARD_BUTTONS = 6
DUPLICATE_CHECK_INTERVAL_S = 1800


def clip_utf8(text: str, limit: int = MAX_CONTENT_BYTES) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    suffix = "…"
    cut = raw[: limit - len(suffix.encode())]
    return cut.decode("utf-8", errors="ignore") + suffix


def _clip_chars(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def render_send(recipient: str, msg: Outgoing, agent_id: str, uncertain: bool = False,
                media_id: str | None = None) -> dict[str, Any]:
    """``media_id``: for an Image or a File, its upload (the transport uploads first)."""
    base: dict[str, Any] = {
        "touser": recipient,
        "agentid": int(agent_id) if str(agent_id).isdigit() else agent_id,
    }
    if uncertain:
        # Let WeCom drop an identical copy (path/90236): the outbox asks for it from
        # the first send, so a retry after a crash is the same request; not for a
        # legitimate repeat (the same answer to "帮助" twice), which it would swallow.
        base.update(enable_duplicate_check=1, duplicate_check_interval=DUPLICATE_CHECK_INTERVAL_S)
    if isinstance(msg, Text):
        return {**base, "msgtype": "text", "text": {"content": clip_utf8(msg.body)}}
    if isinstance(msg, Markdown):
        return {**base, "msgtype": "markdown", "markdown": {"content": clip_utf8(msg.body)}}
    if isinstance(msg, Image):
        return {**base, "msgtype": "image", "image": {"media_id": media_id}}
    if isinstance(msg, File):
        return {**base, "msgtype": "file", "file": {"media_id": media_id}}
    if isinstance(msg, Card):
        card: dict[str, Any] = {
            "card_type": "button_interaction",
            "source": {"desc": "渠道助手"},
            "main_title": {"title": _clip_chars(msg.title, 26), "desc": _clip_chars(msg.desc, 30)},
            "horizontal_content_list": [
                {"keyname": _clip_chars(k, 5), "value": _clip_chars(v, 30)} for k, v in fit_rows(msg, CARD_ROWS)
            ],
            "task_id": msg.task_id,
            "button_list": [{"text": b.text, "style": int(b.style), "key": b.key} for b in msg.buttons[:CARD_BUTTONS]],
        }
        if msg.note:
            card["sub_title_text"] = _clip_chars(msg.note, 80)
        return {**base, "msgtype": "template_card", "template_card": card}
    raise TypeError(f"not a send message: {msg!r}")


def render_group(msg: Text | Markdown) -> dict[str, Any]:
    """A post through a group robot's webhook (doc path/91770): text ≤ 2048 bytes
    with ``mentioned_list``, markdown ≤ 4096 bytes (kept at 2048 like the rest)."""
    if isinstance(msg, Text):
        text: dict[str, Any] = {"content": clip_utf8(msg.body)}
        if msg.mention:
            text["mentioned_list"] = [msg.mention]
        return {"msgtype": "text", "text": text}
    return {"msgtype": "markdown", "markdown": {"content": clip_utf8(msg.body)}}


def render_update(recipient: str, msg: CardStamp, agent_id: str, response_code: str) -> dict[str, Any]:
    return {
        "userids": [recipient],
        "agentid": int(agent_id) if str(agent_id).isdigit() else agent_id,
        "response_code": response_code,
        "button": {"replace_name": _clip_chars(msg.text, 40)},
    }

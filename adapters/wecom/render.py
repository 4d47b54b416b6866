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


# A send's own invisible tag: zero-width characters (the parser folds them away
# if a user pastes the text back) spelling the outbox row's id in base 3.
_TAG_DIGITS = ("\u200b", "\u200c", "\u2060")


def send_tag(send_id: str | int | None) -> str:
    if send_id is None or not str(send_id).isdigit():
        return ""
    n, out = int(send_id), []
    while True:
        n, d = divmod(n, 3)
        out.append(_TAG_DIGITS[d])
        if n == 0:
            break
    return "\u2060" + "".join(reversed(out))


def _content(body: str, tag: str) -> str:
    return clip_utf8(body, MAX_CONTENT_BYTES - len(tag.encode())) + tag


def render_send(recipient: str, msg: Outgoing, agent_id: str, uncertain: bool = False,
                media_id: str | None = None, send_id: str | int | None = None) -> dict[str, Any]:
    """``media_id``: for an Image or a File, its upload (the transport uploads first).

    ``send_id`` (the outbox row): every send of it carries WeCom's duplicate
    check, from the first try, with the same body, so a send whose outcome we
    never learned (a worker killed mid-call, a timeout) and its retry reach the
    member once (path/90236). WeCom compares content, so a text's body ends in
    the row's invisible tag: a legitimate repeat (the same answer to "帮助"
    twice) is another row, another tag, and is not swallowed. Without a
    ``send_id`` only a retry (``uncertain``) asks for the check, as before.
    """
    base: dict[str, Any] = {
        "touser": recipient,
        "agentid": int(agent_id) if str(agent_id).isdigit() else agent_id,
    }
    if uncertain or send_id is not None:
        base.update(enable_duplicate_check=1, duplicate_check_interval=DUPLICATE_CHECK_INTERVAL_S)
    tag = send_tag(send_id)
    if isinstance(msg, Text):
        return {**base, "msgtype": "text", "text": {"content": _content(msg.body, tag)}}
    if isinstance(msg, Markdown):
        return {**base, "msgtype": "markdown", "markdown": {"content": _content(msg.body, tag)}}
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

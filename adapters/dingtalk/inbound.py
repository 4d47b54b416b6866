"""A robot callback's JSON → the neutral ``Inbound``.

Fields (platforms.md, "Enterprise robot, HTTP mode"; the dingtalk-stream SDK's
ChatbotMessage): ``msgtype``, ``text.content``, ``msgId``, ``createAt`` (ms),
``conversationType`` ("1" 1:1, "2" group), ``conversationId``,
``conversationTitle`` (groups), ``senderStaffId`` (the userid; absent for
people outside the organisation), ``senderNick``, ``isInAtList``,
``robotCode``, ``sessionWebhook``, ``sessionWebhookExpiredTime``. A picture
comes as ``msgtype: picture`` with ``content.downloadCode``. No location
message ever reaches a robot (check-ins use the position page instead).
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chat.messages import Inbound, InboundKind

GROUP = "2"


def _s(d: Any, key: str) -> str:
    v = d.get(key) if isinstance(d, dict) else None
    return v if isinstance(v, str) else ("" if v is None else str(v))


def _created(doc: dict) -> datetime:
    try:
        return datetime.fromtimestamp(int(doc.get("createAt")) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return datetime.fromtimestamp(0, tz=UTC)


def _rich_text(content: Any) -> str:
    """richText: a list of parts, text and pictures; the words are what we read."""
    parts = content.get("richText") if isinstance(content, dict) else None
    return "".join(_s(p, "text") for p in parts if isinstance(p, dict)) if isinstance(parts, list) else ""


def to_inbound(doc: dict) -> Inbound:
    group = _s(doc, "conversationType") == GROUP
    base: dict[str, Any] = {
        "platform": "dingtalk", "sender": _s(doc, "senderStaffId"), "msg_id": _s(doc, "msgId"),
        "created_at": _created(doc), "sender_name": _s(doc, "senderNick") or None,
        # 1:1 everything is for the bot; in a group only what @-mentions it.
        "mentioned": bool(doc.get("isInAtList")) if group else True,
    }
    if group:
        base.update(chat_id=_s(doc, "conversationId"), chat_title=_s(doc, "conversationTitle") or None)
    msg_type = _s(doc, "msgtype")
    if msg_type == "text":
        return Inbound(kind=InboundKind.TEXT, text=_s(doc.get("text"), "content").strip(), **base)
    if msg_type == "richText":
        return Inbound(kind=InboundKind.TEXT, text=_rich_text(doc.get("content")).strip(), **base)
    if msg_type == "picture":
        content = doc.get("content")
        code = _s(content, "downloadCode") or _s(content, "pictureDownloadCode")
        return Inbound(kind=InboundKind.IMAGE, media_id=code or None, **base)
    return Inbound(kind=InboundKind.UNSUPPORTED, event=msg_type, **base)


def dedup_key(doc: dict) -> str:
    """DingTalk repeats a callback it got no answer to; msgId names the message."""
    return f"dingtalk:msg:{_s(doc, 'msgId')}"

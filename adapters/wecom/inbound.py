"""WeCom callback XML (already decrypted and parsed) → the neutral ``Inbound``.

Doc: https://developer.work.weixin.qq.com/document/path/90239 (消息格式) and
path/90240 (事件格式). We map fields ourselves instead of using wechatpy's
``parse_message`` because it cannot read non-numeric MsgIds (a 2025 payload
carried ``CAIQg/PKxgYY2sC9tpuAgAMg9/zKaw==``) and does not know
``template_card_event``.
"""
from __future__ import annotations

import math
from datetime import UTC, datetime

from chat.messages import CardClick, Inbound, InboundKind

GROUP = "group"


def _s(d: dict, key: str) -> str | None:
    v = d.get(key)
    if v is None:
        return None
    return v if isinstance(v, str) else str(v)


def _f(d: dict, key: str) -> float | None:
    """A coordinate; "nan", "inf", "1e999" are no number at all (None: the
    check-in says it could not read the position), and never reach a JSON column."""
    try:
        value = float(d[key])
    except (KeyError, TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _group_fields(doc: dict) -> dict:
    """A message from a group chat, as the group's robot hands it on: ``ChatId``,
    ``ChatType`` "group", the sender in ``From/UserId`` (and ``Name``), the
    text in ``Text/Content`` (the group robot callback; a robot only gets the
    messages that @-mention it). Its ``WebhookUrl`` is the adapter's (callback.py)."""
    sender = doc.get("From") if isinstance(doc.get("From"), dict) else {}
    if _s(doc, "ChatType") != GROUP or not _s(doc, "ChatId"):
        return {"sender": _s(sender, "UserId")} if _s(sender, "UserId") else {}
    return {"sender": _s(sender, "UserId") or "", "sender_name": _s(sender, "Name"), "chat_id": _s(doc, "ChatId"),
            "mentioned": True}


def _content(doc: dict) -> str:
    text = doc.get("Text")
    return (_s(text, "Content") if isinstance(text, dict) else None) or _s(doc, "Content") or ""


def to_inbound(doc: dict) -> Inbound:
    msg_type = (_s(doc, "MsgType") or "").strip()
    sender = _s(doc, "FromUserName") or ""
    try:
        created = datetime.fromtimestamp(int(_s(doc, "CreateTime") or 0), tz=UTC)
    except (ValueError, OverflowError):
        created = datetime.fromtimestamp(0, tz=UTC)
    base = {"platform": "wecom", "sender": sender, "created_at": created, "msg_id": _s(doc, "MsgId") or "",
            "mentioned": True, **_group_fields(doc)}
    if msg_type == "text":
        return Inbound(kind=InboundKind.TEXT, text=_content(doc), **base)
    if msg_type == "location":
        # Chat location messages are believed GCJ-02 (platforms.md: unverified); we record it.
        return Inbound(kind=InboundKind.LOCATION, lat=_f(doc, "Location_X"), lng=_f(doc, "Location_Y"),
                       label=_s(doc, "Label"), coord_system="gcj02", **base)
    if msg_type == "image":
        return Inbound(kind=InboundKind.IMAGE, media_id=_s(doc, "MediaId"), pic_url=_s(doc, "PicUrl"), **base)
    if msg_type == "event":
        event = _s(doc, "Event") or ""
        if event == "template_card_event":
            click = CardClick(task_id=_s(doc, "TaskId") or "", key=_s(doc, "EventKey") or "",
                              ref=_s(doc, "ResponseCode"))
            return Inbound(kind=InboundKind.CARD_CLICK, event=event, card=click, **base)
        if event == "LOCATION":
            # The app's periodic position report (path/90240): no check-in, nothing to answer.
            return Inbound(kind=InboundKind.EVENT, event=event, lat=_f(doc, "Latitude"), lng=_f(doc, "Longitude"),
                           coord_system="gcj02", **base)
        if event == "enter_agent":
            # Sent each time the user opens the app (path/90240): the neutral "opened".
            return Inbound(kind=InboundKind.OPENED, event=event, **base)
        return Inbound(kind=InboundKind.EVENT, event=event, **base)
    return Inbound(kind=InboundKind.UNSUPPORTED, event=msg_type, **base)


def dedup_key(doc: dict) -> str:
    """MsgId for messages; for events WeCom suggests FromUserName+CreateTime, which
    collides for two clicks in one second, so card fields are added (path/90238)."""
    msg_id = _s(doc, "MsgId")
    if msg_id:
        return f"wecom:msg:{msg_id}"
    parts = [_s(doc, k) or "" for k in ("FromUserName", "CreateTime", "Event", "EventKey", "TaskId", "ResponseCode")]
    return "wecom:evt:" + ":".join(parts)

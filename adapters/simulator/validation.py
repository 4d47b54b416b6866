"""Checks the fake ``message/send`` applies before delivering, like WeCom does.

Doc: https://developer.work.weixin.qq.com/document/path/90236 (发送应用消息)
and path/94888 (更新模版卡片消息). Everything here is pure: it returns a
normalised message or raises ``ApiError`` carrying WeCom's error code.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from . import codes
from .codes import ApiError

SUPPORTED_MSGTYPES = ("text", "markdown", "template_card", "image", "file")
SUPPORTED_CARD_TYPES = ("button_interaction", "text_notice")
CONTENT_MAX_BYTES = 2048           # text and markdown content
TASK_ID_RE = re.compile(r"[A-Za-z0-9_\-@]{1,128}")
USERID_RE = re.compile(r"[A-Za-z0-9_\-.@]{1,64}")   # WeCom userid syntax
MAX_HORIZONTAL = 6
MAX_BUTTONS = 6
BUTTON_KEY_MAX_BYTES = 1024
DEFAULT_DUPLICATE_INTERVAL = 1800  # seconds; WeCom's default, max 4 h


@dataclass(frozen=True)
class OutgoingMessage:
    touser: str                    # as sent: "u1|u2" or "@all"
    msgtype: str
    payload: dict                  # the body's sub-object named by msgtype
    duplicate_check: bool
    duplicate_interval: int

    def dedup_key(self) -> str:
        # WeCom compares "the same content to the same receivers" (doc path/90236).
        return json.dumps([self.touser, self.msgtype, self.payload],
                          sort_keys=True, ensure_ascii=False)


def _param(detail: str) -> ApiError:
    return ApiError(codes.INVALID_PARAMETER, detail)


def require_json_object(body: Any) -> dict:
    if not isinstance(body, dict):
        raise ApiError(codes.BAD_JSON, "body must be a JSON object")
    return body


def check_agentid(body: dict, agent_id: str | int) -> None:
    value = body.get("agentid")
    if value is None or value == "":
        raise ApiError(codes.MISSING_AGENTID)
    if str(value).strip() != str(agent_id):
        raise ApiError(codes.INVALID_AGENTID, f"agentid {value}")


def split_touser(touser: Any, known: set[str] | None) -> tuple[list[str], list[str]]:
    """(valid, invalid) userids from a ``|``-separated touser; "@all" = every known user."""
    if not isinstance(touser, str) or not touser.strip():
        return [], []
    if touser.strip() == "@all":
        return sorted(known or []), []
    valid: list[str] = []
    invalid: list[str] = []
    for uid in (u.strip() for u in touser.split("|")):
        if not uid:
            continue
        ok = bool(USERID_RE.fullmatch(uid)) and (known is None or uid in known)
        target = valid if ok else invalid
        if uid not in target:
            target.append(uid)
    return valid, invalid


def _check_content(sub: Any, msgtype: str) -> dict:
    if not isinstance(sub, dict):
        raise ApiError(codes.EMPTY_CONTENT, f"{msgtype}.content missing")
    content = sub.get("content")
    if not isinstance(content, str) or not content:
        raise ApiError(codes.EMPTY_CONTENT, f"{msgtype}.content missing")
    size = len(content.encode("utf-8"))
    if size > CONTENT_MAX_BYTES:
        raise ApiError(codes.CONTENT_TOO_LONG, f"{msgtype}.content is {size} bytes, max {CONTENT_MAX_BYTES}")
    return {"content": content}


def _check_buttons(buttons: Any) -> None:
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= MAX_BUTTONS:
        raise _param(f"template_card.button_list must hold 1..{MAX_BUTTONS} buttons")
    for i, button in enumerate(buttons):
        where = f"template_card.button_list[{i}]"
        if not isinstance(button, dict):
            raise _param(f"{where} must be an object")
        if not isinstance(button.get("text"), str) or not button["text"].strip():
            raise _param(f"{where}.text required")
        style = button.get("style", 1)
        if isinstance(style, bool) or not isinstance(style, int) or not 1 <= style <= 4:
            raise _param(f"{where}.style must be 1..4")
        if button.get("type", 0) == 1:   # a link button opens a URL, no callback key
            if not button.get("url"):
                raise _param(f"{where}.url required when type is 1")
            continue
        key = button.get("key")
        if not isinstance(key, str) or not key:
            raise _param(f"{where}.key required")
        if len(key.encode("utf-8")) > BUTTON_KEY_MAX_BYTES:
            raise _param(f"{where}.key longer than {BUTTON_KEY_MAX_BYTES} bytes")


def _check_horizontal(rows: Any) -> None:
    if rows is None:
        return
    if not isinstance(rows, list) or len(rows) > MAX_HORIZONTAL:
        raise _param(f"template_card.horizontal_content_list holds at most {MAX_HORIZONTAL} rows")
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("keyname"), str) or not row["keyname"]:
            raise _param(f"template_card.horizontal_content_list[{i}].keyname required")


def validate_card(card: Any) -> dict:
    """Validate a template_card object (for send and for a whole-card update)."""
    if not isinstance(card, dict):
        raise _param("template_card must be an object")
    card_type = card.get("card_type")
    if card_type not in SUPPORTED_CARD_TYPES:
        raise _param(f"template_card.card_type {card_type!r} not supported "
                     f"(simulator knows {', '.join(SUPPORTED_CARD_TYPES)})")
    task_id = card.get("task_id")
    if (task_id is not None or card_type == "button_interaction") and (
            not isinstance(task_id, str) or not TASK_ID_RE.fullmatch(task_id)):
        raise _param("template_card.task_id must be 1..128 bytes of [A-Za-z0-9_-@]")
    main_title = card.get("main_title")
    if main_title is not None and not isinstance(main_title, dict):
        raise _param("template_card.main_title must be an object")
    title = (main_title or {}).get("title")
    if card_type == "button_interaction":
        if not isinstance(title, str) or not title.strip():
            raise _param("template_card.main_title.title required")
        _check_buttons(card.get("button_list"))
    else:
        # text_notice: a title or sub_title_text, and a card_action (type 1 url / 2 mini program).
        if not (title or card.get("sub_title_text")):
            raise _param("template_card.main_title.title or sub_title_text required")
        action = card.get("card_action")
        if not isinstance(action, dict) or action.get("type") not in (1, 2):
            raise _param("template_card.card_action.type must be 1 or 2 for text_notice")
        if action["type"] == 1 and not action.get("url"):
            raise _param("template_card.card_action.url required")
    _check_horizontal(card.get("horizontal_content_list"))
    return card


def parse_send(body: Any, agent_id: str | int) -> OutgoingMessage:
    """Validate a message/send body except recipients and media lookups."""
    body = require_json_object(body)
    check_agentid(body, agent_id)
    msgtype = body.get("msgtype")
    if msgtype not in SUPPORTED_MSGTYPES:
        raise ApiError(codes.INVALID_MSGTYPE, f"msgtype {msgtype!r}")
    sub = body.get(msgtype)
    if msgtype in ("text", "markdown"):
        payload = _check_content(sub, msgtype)
    elif msgtype in ("image", "file"):
        if not isinstance(sub, dict) or not sub.get("media_id"):
            raise ApiError(codes.MISSING_MEDIA_ID)
        payload = {"media_id": str(sub["media_id"])}
    else:
        payload = validate_card(sub)
    interval = body.get("duplicate_check_interval", DEFAULT_DUPLICATE_INTERVAL)
    if isinstance(interval, bool) or not isinstance(interval, int) or not 0 < interval <= 4 * 3600:
        raise _param("duplicate_check_interval must be 1..14400 seconds")
    touser = body.get("touser")
    return OutgoingMessage(
        touser=touser if isinstance(touser, str) else "",
        msgtype=msgtype,
        payload=payload,
        duplicate_check=str(body.get("enable_duplicate_check", 0)) == "1",
        duplicate_interval=interval,
    )

"""What the fake WeCom does with a valid message/send or update_template_card.

Delivery rules mimicked (doc path/90236 and the limits page path/90312):
- an identical message inside ``duplicate_check_interval`` with
  ``enable_duplicate_check=1`` is accepted (errcode 0, the earlier msgid) but
  not shown again;
- more than 30 messages a minute / 1000 an hour from the app to one member
  are accepted (errcode 0) and silently dropped — the bot must pace itself;
- unknown userids are reported in ``invaliduser``; if none is valid: 81013.
"""
from __future__ import annotations

import secrets
from typing import Any

from . import codes
from .codes import ApiError
from .state import SimulatorState
from .validation import OutgoingMessage, check_agentid, require_json_object, split_touser, validate_card

INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def new_msgid() -> str:
    return secrets.token_urlsafe(32)


def send_message(state: SimulatorState, msg: OutgoingMessage, known: set[str] | None) -> dict:
    valid, invalid = split_touser(msg.touser, known)
    if not valid:
        raise ApiError(codes.ALL_USERS_INVALID, invaliduser="|".join(invalid))
    payload = msg.payload
    if msg.msgtype in ("text", "markdown") and isinstance(payload.get("content"), str):
        # What the member's client shows: zero-width characters take no room on
        # screen (the bot tags each send with some, see adapters/wecom/render.py).
        # The duplicate check still compares the content as sent.
        payload = {**payload, "content": payload["content"].translate(INVISIBLE)}
    if msg.msgtype in ("image", "file"):
        media = state.media(msg.payload["media_id"])
        if media is None:
            raise ApiError(codes.INVALID_MEDIA_ID, msg.payload["media_id"])
        if msg.msgtype == "file":
            # The chat page shows a file by its name, as WeCom's client does.
            payload = {**msg.payload, "filename": media.filename}
    is_card = msg.msgtype == "template_card"
    task_id = msg.payload.get("task_id") if is_card else None
    # One lock across dedup + task_id + rate limit + delivery: two bot workers
    # sending the same message at once must not both get through.
    with state.lock:
        if msg.duplicate_check:
            prior = state.recent_duplicate(msg.dedup_key(), msg.duplicate_interval)
            if prior is not None:
                for uid in valid:
                    state.record_undelivered(uid, msg.msgtype, msg.payload, "duplicate", prior["msgid"])
                return {**prior, "invaliduser": "|".join(invalid)}
        if task_id:
            state.take_task_id(task_id)
        msgid = new_msgid()
        delivered = []
        for uid in valid:
            if not state.rate_allows(uid):
                state.record_undelivered(uid, msg.msgtype, msg.payload, "rate_limited", msgid)
                continue
            entry = state.add_entry(uid, "bot", msg.msgtype, payload, source="api", msgid=msgid)
            state.count_delivery(uid)
            if task_id:
                state.add_card(uid, task_id, msg.payload, msgid, entry["id"])
            delivered.append(uid)
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok",
                                  "invaliduser": "|".join(invalid), "msgid": msgid}
        # Only interactive cards get a response_code (doc path/90236, 返回示例).
        if is_card and msg.payload.get("card_type") == "button_interaction":
            answer["response_code"] = state.issue_response_code(task_id, delivered, "send")
        if msg.duplicate_check:
            state.remember_sent(msg.dedup_key(), answer)
        return answer


def update_template_card(state: SimulatorState, body: Any, agent_id: str | int,
                         known: set[str] | None) -> dict:
    """message/update_template_card (doc path/94888): one use per response_code, 72 h."""
    body = require_json_object(body)
    check_agentid(body, agent_id)
    button = body.get("button")
    new_card = body.get("template_card")
    replace_name = button.get("replace_name") if isinstance(button, dict) else None
    if new_card is None and not (isinstance(replace_name, str) and replace_name.strip()):
        raise ApiError(codes.INVALID_PARAMETER, "button.replace_name or template_card required")
    if new_card is not None:
        validate_card(new_card)
    userids = body.get("userids") or []
    if not isinstance(userids, list) or not all(isinstance(u, str) for u in userids):
        raise ApiError(codes.INVALID_PARAMETER, "userids must be a list of strings")
    atall = str(body.get("atall", 0)) == "1"
    if not userids and not atall:
        raise ApiError(codes.INVALID_PARAMETER, "userids, partyids, tagids and atall all empty")
    with state.lock:
        peek = state.response_code(str(body.get("response_code") or ""))
        if peek and new_card is not None and new_card.get("task_id") not in (None, peek.task_id):
            raise ApiError(codes.INVALID_PARAMETER, "template_card.task_id differs from the original")
        rec = state.consume_response_code(body.get("response_code"))
        allowed = set(rec.userids)
        wanted = list(rec.userids) if atall else userids
        targets = [u for u in wanted if u in allowed and (known is None or u in known)]
        invalid = [u for u in wanted if u not in targets]
        if new_card is not None:
            state.replace_card(rec.task_id, targets, new_card)
        else:
            state.replace_card_buttons(rec.task_id, targets, replace_name)
    # update_template_card reports invaliduser as a list, unlike message/send.
    return {"errcode": 0, "errmsg": "ok", "invaliduser": invalid}

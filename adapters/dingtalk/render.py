"""Neutral outgoing messages → DingTalk payloads.

- Text and markdown go either to the conversation's sessionWebhook
  (``{"msgtype": "text"|"markdown", …, "at": {"atUserIds": […]}}``) or through
  the robot send APIs (``msgKey`` sampleText / sampleMarkdown, ``msgParam`` a
  JSON *string*). DingTalk markdown has no WeCom ``<font color>`` tag and needs
  an explicit line break, so both are translated.
- Cards go to the card platform: our template (``DINGTALK_CARD_TEMPLATE_ID``)
  takes the string variables in ``card_params`` (see the README); in a group
  the card is delivered into the group (``dtv1.card//IM_GROUP.{id}``), else to
  the user's chat with the robot (``dtv1.card//IM_ROBOT.{userid}``).
- A stamp updates the card's public data, so everyone who sees it sees it.
"""
from __future__ import annotations

import json
import re
from typing import Any

from chat.addresses import Address
from chat.messages import Card, CardStamp, Markdown, Text, fit_rows

# Kept well under what DingTalk takes for a robot text or markdown (about 20,000
# bytes; unverified): a longer answer is a bug, and a clipped one still reads.
MAX_CHARS = 4000
TITLE_CHARS = 30
# Our card template shows this many fact rows (the rest folds into the overflow row).
CARD_ROWS = 10
_FONT = re.compile(r"<font[^>]*>(.*?)</font>", re.S)


def clip(text: str, limit: int = MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dingtalk_markdown(body: str) -> str:
    """WeCom-flavoured markdown (what capabilities write) as DingTalk shows it."""
    text = _FONT.sub(r"\1", body)
    return clip("  \n".join(text.split("\n")))


def markdown_title(body: str) -> str:
    """The notification title DingTalk requires: the first line, without marks."""
    first = next((ln for ln in _FONT.sub(r"\1", body).split("\n") if ln.strip()), "渠道助手")
    return clip(re.sub(r"[*#>`\[\]]|\(https?://[^)]*\)", "", first).strip() or "渠道助手", TITLE_CHARS)


def webhook_body(msg: Text | Markdown) -> dict[str, Any]:
    at = {"at": {"atUserIds": [msg.mention]}} if msg.mention else {}
    if isinstance(msg, Text):
        return {"msgtype": "text", "text": {"content": clip(msg.body)}, **at}
    return {"msgtype": "markdown", "markdown": {"title": markdown_title(msg.body),
                                                "text": dingtalk_markdown(msg.body)}, **at}


def robot_message(msg: Text | Markdown) -> tuple[str, str]:
    """(msgKey, msgParam) for the robot send APIs."""
    if isinstance(msg, Text):
        return "sampleText", json.dumps({"content": clip(msg.body)}, ensure_ascii=False)
    return "sampleMarkdown", json.dumps({"title": markdown_title(msg.body), "text": dingtalk_markdown(msg.body)},
                                        ensure_ascii=False)


def image_message(media_id: str) -> tuple[str, str]:
    return "sampleImageMsg", json.dumps({"photoURL": media_id})


def card_params(card: Card) -> dict[str, str]:
    """The template's variables; the card platform takes strings only."""
    facts = "  \n".join(f"**{k}**：{v}" for k, v in fit_rows(card, CARD_ROWS))
    buttons = [{"id": b.key, "text": b.text, "style": int(b.style)} for b in card.buttons]
    return {"title": clip(card.title, 60), "desc": clip(card.desc, 120), "facts": facts, "note": clip(card.note, 300),
            "buttons": json.dumps(buttons, ensure_ascii=False), "status": "active", "stamp": ""}


def open_space_id(to: Address) -> str:
    return f"dtv1.card//IM_GROUP.{to.id}" if to.group else f"dtv1.card//IM_ROBOT.{to.id}"


def create_card(card: Card, to: Address, template_id: str, robot_code: str, route_key: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {
        "cardTemplateId": template_id,
        "outTrackId": card.task_id,
        "callbackType": "HTTP",
        "cardData": {"cardParamMap": card_params(card)},
        "openSpaceId": open_space_id(to),
        "userIdType": 1,
    }
    if route_key:
        body["callbackRouteKey"] = route_key
    if to.group:
        body["imGroupOpenSpaceModel"] = {"supportForward": False}
        body["imGroupOpenDeliverModel"] = {"robotCode": robot_code}
    else:
        body["imRobotOpenSpaceModel"] = {"supportForward": False}
        body["imRobotOpenDeliverModel"] = {"spaceType": "IM_ROBOT", "robotCode": robot_code}
    return body


def stamp_card(stamp: CardStamp, out_track_id: str) -> dict[str, Any]:
    """The buttons go, the stamp shows: the card's public data, seen by everyone."""
    return {"outTrackId": out_track_id,
            "cardData": {"cardParamMap": {"status": "done", "stamp": clip(stamp.text, 60), "buttons": "[]"}},
            "cardUpdateOptions": {"updateCardDataByKey": True}}

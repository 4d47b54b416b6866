"""Show a bot's passive (synchronous) reply the way the WeCom client would.

Passive reply types (doc path/90241): text, image, ... and, for a card click,
``update_button`` (grey the clicker's buttons with ``Button/ReplaceName``) or
``update_template_card`` (a whole new card, in XML). Both card updates apply
only to the user who clicked, and use no response_code.
"""
from __future__ import annotations

import re
from typing import Any

from .state import SimulatorState

# XML elements that repeat in a TemplateCard and so are lists in the JSON form.
_LIST_FIELDS = {"horizontal_content_list", "button_list", "jump_list", "vertical_content_list"}
_RENAMES = {"key_name": "keyname"}   # the JSON API spells it "keyname"


def _snake(name: str) -> str:
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return _RENAMES.get(snake, snake)


def _scalar(value: str) -> Any:
    return int(value) if value.isdigit() and len(value) < 10 else value


def xml_card_to_json(node: Any) -> Any:
    """``<MainTitle><Title>..`` → ``{"main_title": {"title": ..}}``; repeated tags → lists."""
    if isinstance(node, list):
        return [xml_card_to_json(n) for n in node]
    if not isinstance(node, dict):
        return _scalar(node) if isinstance(node, str) else node
    out: dict[str, Any] = {}
    for key, value in node.items():
        name = _snake(key)
        converted = xml_card_to_json(value)
        if name in _LIST_FIELDS and not isinstance(converted, list):
            converted = [converted]
        out[name] = converted
    if isinstance(out.get("task_id"), int):   # ids stay strings even if all digits
        out["task_id"] = str(out["task_id"])
    return out


def apply_passive_reply(state: SimulatorState, userid: str, reply: dict,
                        clicked_task_id: str | None = None) -> dict:
    """Record the reply in the user's chat; returns a short description for the page."""
    msgtype = str(reply.get("MsgType") or "unknown")
    if msgtype in ("text", "markdown"):
        entry = state.add_entry(userid, "bot", msgtype, {"content": str(reply.get("Content") or "")},
                                source="passive")
        return {"kind": msgtype, "entry_id": entry["id"]}
    if msgtype == "image":
        image = reply.get("Image") if isinstance(reply.get("Image"), dict) else {}
        entry = state.add_entry(userid, "bot", "image", {"media_id": str(image.get("MediaId") or "")},
                                source="passive")
        return {"kind": "image", "entry_id": entry["id"]}
    if msgtype == "update_button" and clicked_task_id:
        button = reply.get("Button") if isinstance(reply.get("Button"), dict) else {}
        name = str(button.get("ReplaceName") or "")
        updated = state.replace_card_buttons(clicked_task_id, [userid], name)
        return {"kind": "update_button", "replace_name": name, "updated": updated}
    if msgtype == "update_template_card" and clicked_task_id:
        card = xml_card_to_json(reply.get("TemplateCard") or {})
        updated = state.replace_card(clicked_task_id, [userid], card)
        return {"kind": "update_template_card", "updated": updated}
    # Anything else is shown raw so the bot's author can see what was sent.
    entry = state.add_entry(userid, "bot", msgtype, {"raw": reply}, source="passive")
    return {"kind": "other", "entry_id": entry["id"]}

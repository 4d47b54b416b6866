"""The one place that reads a card click (card platform callback, HTTP mode).

A click on a button whose action is "回传请求" comes back, sealed with the event
crypto, as JSON like the recorded fixtures in tests/fixtures/dingtalk/
(shapes from the dingtalk-stream SDK's CardCallbackMessage and DingTalk's card
callback docs): ``type`` "actionCallback", ``outTrackId`` (our task id),
``userId`` (the clicker), ``corpId``, ``spaceType``/``spaceId`` (IM_GROUP and
the group's openConversationId for a card in a group) and ``content`` (or
``value``): a JSON *string* {"cardPrivateData": {"actionIds": [...],
"params": {...}}}. Our card template puts the button's key in
``params.action`` and in ``actionIds``; either is read.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from adapters import jsonsafe


@dataclass(frozen=True)
class Click:
    out_track_id: str
    user_id: str
    action: str
    group_id: str | None        # the group the card is in, if the callback says


def _private_data(doc: dict) -> dict:
    for field in ("content", "value"):
        raw = doc.get(field)
        if isinstance(raw, str) and raw.strip():
            try:
                raw = jsonsafe.loads(raw)
            except jsonsafe.BadJson:
                continue
        if isinstance(raw, dict) and isinstance(raw.get("cardPrivateData"), dict):
            return raw["cardPrivateData"]
    return {}


def _action(private: dict) -> str:
    params = private.get("params")
    if isinstance(params, dict) and isinstance(params.get("action"), str) and params["action"]:
        return params["action"]
    ids = private.get("actionIds")
    if isinstance(ids, list) and ids and isinstance(ids[0], str):
        return ids[0]
    return ""


def parse_click(doc: Any) -> Click | None:
    """A card click, or None if ``doc`` is no click (another event)."""
    if not isinstance(doc, dict) or not doc.get("outTrackId") or doc.get("type", "actionCallback") != "actionCallback":
        return None
    user = doc.get("userId")
    if not isinstance(user, str) or not user:
        return None
    group = doc.get("spaceId") if doc.get("spaceType") == "IM_GROUP" else None
    return Click(str(doc["outTrackId"]), user, _action(_private_data(doc)),
                 group if isinstance(group, str) and group else None)

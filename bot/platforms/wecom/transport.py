"""Delivers one neutral outgoing message through the WeCom API."""
from __future__ import annotations

from typing import Any

from bot.messages import CardStamp, Outgoing
from bot.platforms.wecom.api import WeComApi, WeComError
from bot.platforms.wecom.render import render_send, render_update


class DeliveryError(Exception):
    def __init__(self, message: str, transient: bool):
        super().__init__(message)
        self.transient = transient


class WeComTransport:
    platform = "wecom"

    def __init__(self, api: WeComApi):
        self.api = api

    def deliver(self, recipient: str, msg: Outgoing, uncertain: bool = False) -> dict[str, Any]:
        try:
            if isinstance(msg, CardStamp):
                data = self.api.update_template_card(render_update(recipient, msg, self.api.agent_id))
            else:
                data = self.api.send_message(render_send(recipient, msg, self.api.agent_id, uncertain))
        except WeComError as exc:
            raise DeliveryError(str(exc), transient=exc.transient) from exc
        result = {"msgid": data.get("msgid")}
        if data.get("response_code"):
            result["response_code"] = data["response_code"]
        if data.get("invaliduser"):
            # WeCom answers 0 but names the users it could not reach.
            raise DeliveryError(f"invalid user {data['invaliduser']}", transient=False)
        return result

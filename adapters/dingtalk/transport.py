"""Delivers one neutral outgoing message to a DingTalk user or group.

Text and markdown: through the conversation's sessionWebhook while it is valid
(an answer right where the user wrote), else the robot send APIs. Cards: the
card platform, into the group or the user's chat with the robot. Stamps: the
card's public data. Images: uploaded, then sent by the robot.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.dingtalk import render
from adapters.dingtalk.api import DingTalkApi, DingTalkError
from adapters.dingtalk.webhooks import SessionWebhooks
from chat import addresses
from chat.context import PlatformTraits
from chat.delivery import DeliveryError
from chat.media import BlobStore
from chat.messages import Card, CardStamp, Image, Markdown, Outgoing, Text

# A picture's downloadCode is short-lived (unverified: about a day); the photo
# fetcher gives up after this.
MEDIA_KEPT_FOR = timedelta(days=1)


def _already_delivered(exc: DingTalkError) -> bool:
    """createAndDeliver refuses an outTrackId it already has: our earlier try arrived."""
    words = (exc.code + " " + exc.message).lower()
    return "outtrackid" in words and "exist" in words


class DingTalkTransport:
    platform = "dingtalk"
    # Robots may post about 20 messages a minute into one conversation; beyond
    # that DingTalk throttles the robot for minutes (platforms.md: custom group
    # robots 20/min; the same cap is kept for 1:1 chats, unverified). The outbox
    # paces each address (a user, a group) under it.
    send_limits = ((60, 20),)
    # Cards live in groups (card platform, IM_GROUP); robots get no locations.
    traits = PlatformTraits(cards_in_groups=True, location_messages=False)

    def __init__(self, api: DingTalkApi, webhooks: SessionWebhooks, template_id: str, route_key: str = "",
                 blobs: BlobStore | None = None):
        self.api = api
        self.webhooks = webhooks
        self.template_id = template_id
        self.route_key = route_key
        self.blobs = blobs

    def fetch_media(self, media_id: str) -> tuple[bytes, str, str]:
        try:
            return self.api.download_file(media_id)
        except DingTalkError as exc:
            raise DeliveryError(str(exc), transient=exc.transient) from exc

    def deliver(self, recipient: str, msg: Outgoing, uncertain: bool = False,
                card_ref: str | None = None) -> dict[str, Any]:
        to = addresses.parse(recipient)
        try:
            if isinstance(msg, CardStamp):
                out_track_id = card_ref or msg.task_id
                self.api.update_card(render.stamp_card(msg, out_track_id))
                return {"card_ref": out_track_id}
            if isinstance(msg, Card):
                return self._card(msg, to, uncertain)
            if isinstance(msg, Image):
                return self._robot(to, *render.image_message(self._upload(msg)))
            if isinstance(msg, Text | Markdown):
                return self._text(recipient, to, msg)
        except DingTalkError as exc:
            raise DeliveryError(str(exc), transient=exc.transient) from exc
        raise DeliveryError(f"not a message DingTalk can show: {type(msg).__name__}", transient=False)

    def _card(self, card: Card, to: addresses.Address, uncertain: bool) -> dict[str, Any]:
        body = render.create_card(card, to, self.template_id, self.api.robot_code, self.route_key)
        try:
            data = self.api.create_and_deliver_card(body)
        except DingTalkError as exc:
            if uncertain and _already_delivered(exc):
                return {"card_ref": card.task_id, "repeat": True}
            raise
        failed = [r for r in (data.get("result") or {}).get("deliverResults") or [] if not r.get("success", True)]
        if failed:
            raise DeliveryError(f"card not delivered: {failed[0].get('errorMsg', '')}", transient=False)
        return {"card_ref": card.task_id}

    def _text(self, recipient: str, to: addresses.Address, msg: Text | Markdown) -> dict[str, Any]:
        url = self.webhooks.current(recipient)
        if url:
            try:
                self.api.post_webhook(url, render.webhook_body(msg))
                return {"via": "session_webhook"}
            except DingTalkError as exc:
                if exc.transient:
                    raise
                self.webhooks.forget(recipient)      # gone early: the robot API still reaches them
        return self._robot(to, *render.robot_message(msg))

    def _robot(self, to: addresses.Address, msg_key: str, msg_param: str) -> dict[str, Any]:
        if to.group:
            data = self.api.send_to_group(to.id, msg_key, msg_param)
            return {"via": "robot_group", "process_query_key": data.get("processQueryKey")}
        data = self.api.send_to_users([to.id], msg_key, msg_param)
        if to.id in (data.get("invalidStaffIdList") or []):
            raise DeliveryError(f"invalid user {to.id}", transient=False)
        if to.id in (data.get("flowControlledStaffIdList") or []):
            raise DeliveryError(f"flow controlled: {to.id}", transient=True)
        return {"via": "robot_1to1", "process_query_key": data.get("processQueryKey")}

    def _upload(self, msg: Image) -> str:
        blob = self.blobs.get(msg.blob_id)
        return self.api.upload_image(blob.filename, blob.data, blob.content_type)

"""Delivers one neutral outgoing message through the WeCom API."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.wecom.api import WeComApi, WeComError
from adapters.wecom.group_webhooks import GroupWebhooks
from adapters.wecom.render import DUPLICATE_CHECK_INTERVAL_S, render_group, render_send, render_update
from chat import addresses
from chat.context import PlatformTraits
from chat.delivery import DeliveryError
from chat.media import BlobStore
from chat.messages import CardStamp, File, Image, Markdown, Outgoing, Text

# Temporary media (inbound photos, our uploads) live 3 days (doc path/90253).
MEDIA_KEPT_FOR = timedelta(days=3)
# An upload of ours is reused while WeCom surely still has it.
UPLOAD_REUSE = timedelta(days=2, hours=12)


class WeComTransport:
    platform = "wecom"
    # One app to one member: 30 messages a minute, 1000 an hour; WeCom drops the
    # excess silently (platforms.md, "Limits").
    send_limits = ((60, 30), (3600, 1000))
    # A self-built app can't post button cards into a group (platforms.md, "Group
    # chats"); chat location messages do reach it.
    traits = PlatformTraits(cards_in_groups=False, location_messages=True)
    # A group robot's webhook takes 20 messages a minute (doc path/91770).
    group_send_limits = ((60, 20),)
    # enable_duplicate_check's window (render.py): the outbox asks for the check from
    # the first send, so a retry after a crash is the same request and WeCom drops it.
    duplicate_window_s = DUPLICATE_CHECK_INTERVAL_S

    def __init__(self, api: WeComApi, blobs: BlobStore | None = None, group_webhooks: GroupWebhooks | None = None):
        self.api = api
        self.blobs = blobs
        self.group_webhooks = group_webhooks

    def _media_id(self, msg: Image | File) -> str:
        """Upload the picture or file unless WeCom still has an earlier upload of it."""
        blob = self.blobs.get(msg.blob_id)
        media_id = self.blobs.upload_since(blob, UPLOAD_REUSE)
        if media_id is None:
            media_id = self.api.upload_media(msg.kind, blob.filename, blob.data, blob.content_type)
            self.blobs.remember_upload(blob.id, media_id)
        return media_id

    def fetch_media(self, media_id: str) -> tuple[bytes, str, str]:
        try:
            return self.api.get_media(media_id)
        except WeComError as exc:
            raise DeliveryError(str(exc), transient=exc.transient) from exc

    def _to_group(self, chat_id: str, msg: Outgoing) -> dict[str, Any]:
        if not isinstance(msg, Text | Markdown):
            # Never asked for: the core reads traits and keeps cards out of WeCom groups.
            raise DeliveryError(f"a WeCom group gets text and markdown only, not {type(msg).__name__}",
                                transient=False)
        url = self.group_webhooks.of(chat_id) if self.group_webhooks else None
        if url is None:
            raise DeliveryError(f"no webhook known for group {chat_id} (no message from it lately)", transient=False)
        try:
            self.api.post_group_webhook(url, render_group(msg))
        except WeComError as exc:
            raise DeliveryError(str(exc), transient=exc.transient) from exc
        return {"via": "group_webhook"}

    def deliver(self, recipient: str, msg: Outgoing, uncertain: bool = False,
                card_ref: str | None = None) -> dict[str, Any]:
        to = addresses.parse(recipient)
        if to.group:
            return self._to_group(to.id, msg)
        if isinstance(msg, CardStamp) and not card_ref:
            # No unused response code (never learned, or already used): WeCom can't
            # update the card, and trying would only earn an error.
            return {"skipped": "no unused response code for this card"}
        try:
            if isinstance(msg, CardStamp):
                data = self.api.update_template_card(render_update(recipient, msg, self.api.agent_id, card_ref))
            elif isinstance(msg, Image | File):
                data = self.api.send_message(render_send(recipient, msg, self.api.agent_id, uncertain,
                                                         media_id=self._media_id(msg)))
            else:
                data = self.api.send_message(render_send(recipient, msg, self.api.agent_id, uncertain))
        except WeComError as exc:
            raise DeliveryError(str(exc), transient=exc.transient) from exc
        result: dict[str, Any] = {"msgid": data.get("msgid")}
        if isinstance(msg, CardStamp):
            result["card_ref"] = None               # each response code works once
        elif data.get("response_code"):
            result["card_ref"] = data["response_code"]
        if data.get("invaliduser"):
            # WeCom answers 0 but names the users it could not reach.
            raise DeliveryError(f"invalid user {data['invaliduser']}", transient=False)
        return result

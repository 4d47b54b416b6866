"""The platform-free test backend: capability tests talk to the chat core
through it, as errbot's TestBot and bolt's mock web API do.

``ChatDriver`` feeds neutral :class:`Inbound` messages into the durable inbox
(the same path an adapter takes after verifying a callback); the
``RecordingTransport`` is the platform on the other side of the outbox: it
records every neutral message delivered, per recipient, and plays a card
platform (a sent card gets a handle, a stamp replaces its buttons).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

from bot.platforms import Platform
from chat.context import MediaSource, PlatformTraits
from chat.delivery import DeliveryError
from chat.messages import Card, CardClick, CardStamp, File, Image, Inbound, InboundKind, Markdown, Outgoing, Text

PLATFORM = "test"
MEDIA_KEPT_FOR = timedelta(days=3)
# The demo organisation's group chats (config/demo/org.yaml).
GROUP_BJ = "grp_bj_kangjian"
GROUP_FIELD = "grp_north_field"
GROUP_TITLES = {GROUP_BJ: "北京康健 × 示例医疗", GROUP_FIELD: "北方区外勤"}


@dataclass
class CardView:
    """A delivered card as its recipient sees it now."""
    task_id: str
    title: str
    desc: str
    rows: dict[str, str]
    buttons: list[str]
    note: str
    stamp: str | None = None            # the stamp text once the card was stamped

    @property
    def active(self) -> bool:
        return self.stamp is None


@dataclass
class Delivered:
    recipient: str
    msg: Outgoing
    uncertain: bool


@dataclass
class RecordingTransport:
    platform: str = PLATFORM
    send_limits: tuple = ((60, 30), (3600, 1000))      # the pacing the core must respect, as on a real platform
    delivered: list[Delivered] = field(default_factory=list)
    down: bool = False                                 # answer every send with a transient failure
    media: dict[str, tuple[bytes, str, str]] = field(default_factory=dict)
    fetches: list[str] = field(default_factory=list)    # media ids fetched, in order
    failing_fetches: int = 0                             # the next this many fetches fail (transient)
    # What the platform played here can do (a test may play one with cards in groups, or without).
    traits: PlatformTraits = field(default_factory=PlatformTraits)

    def deliver(self, recipient: str, msg: Outgoing, uncertain: bool = False, card_ref: str | None = None) -> dict:
        if self.down:
            raise DeliveryError("platform unreachable (test)", transient=True)
        self.delivered.append(Delivered(recipient, msg, uncertain))
        if isinstance(msg, Card):
            return {"card_ref": f"ref-{msg.task_id}"}
        return {}

    # -- what tests read ---------------------------------------------------------
    def messages_to(self, user: str) -> list[Outgoing]:
        return [d.msg for d in self.delivered if d.recipient == user]

    def in_group(self, chat_id: str) -> list[Outgoing]:
        """Everything posted into that group chat."""
        return self.messages_to(f"group:{chat_id}")

    def texts_in_group(self, chat_id: str) -> list[str]:
        return self.texts_to(f"group:{chat_id}")

    def texts_to(self, user: str) -> list[str]:
        return [m.body for m in self.messages_to(user) if isinstance(m, Text | Markdown)]

    def images_to(self, user: str) -> list[Image]:
        return [m for m in self.messages_to(user) if isinstance(m, Image)]

    def files_to(self, user: str) -> list[File]:
        return [m for m in self.messages_to(user) if isinstance(m, File)]

    def stamps_to(self, user: str) -> list[CardStamp]:
        return [m for m in self.messages_to(user) if isinstance(m, CardStamp)]

    def cards_to(self, user: str) -> list[CardView]:
        views: dict[str, CardView] = {}
        for m in self.messages_to(user):
            if isinstance(m, Card):
                views[m.task_id] = CardView(m.task_id, m.title, m.desc, {r[0]: r[1] for r in m.rows},
                                            [b.text for b in m.buttons], m.note)
            elif isinstance(m, CardStamp) and m.task_id in views:
                views[m.task_id].stamp = m.text
        return list(views.values())

    # -- the platform's media store (photos the users send) ---------------------------
    def store_media(self, data: bytes, content_type: str = "image/jpeg", filename: str = "photo.jpg") -> str:
        """A photo a user sent: the platform keeps it under the id returned."""
        media_id = f"media-{len(self.media) + 1}"
        self.media[media_id] = (data, content_type, filename)
        return media_id

    def fail_next_fetch(self, times: int = 1) -> None:
        self.failing_fetches += times

    def fetch_media(self, media_id: str) -> tuple[bytes, str, str]:
        self.fetches.append(media_id)
        if self.failing_fetches:
            self.failing_fetches -= 1
            raise DeliveryError("media service busy (test)", transient=True)
        if media_id not in self.media:
            raise DeliveryError(f"no media {media_id} (test)", transient=False)
        return self.media[media_id]


def recording_platforms(transport: RecordingTransport):
    """The ``platforms`` seam of bot.app.create_app: only the recording backend."""
    def wire(app, settings, kv, blobs, clock, accept):
        return {PLATFORM: Platform(PLATFORM, transport, MediaSource(transport.fetch_media, MEDIA_KEPT_FOR), None,
                                   transport.traits)}
    return wire


class ChatDriver:
    """Sends what users send, as neutral messages, through the inbox."""

    def __init__(self, app, clock):
        self.q = app.extensions["qudao"]
        self.clock = clock
        self._ids = itertools.count(1)

    def send(self, msg: Inbound) -> int | None:
        """Accept and (inline) process one message; its inbox id, None for a repeat."""
        inbox_id = self.q.inbox.accept(msg, f"{PLATFORM}:{msg.msg_id}")
        self.q.runner.submit(inbox_id)
        return inbox_id

    def _inbound(self, user: str, kind: str, msg_id: str | None = None, group: str | None = None,
                 **fields) -> Inbound:
        if group is not None:
            fields = {"chat_id": group, "chat_title": GROUP_TITLES.get(group), "mentioned": True, **fields}
        return Inbound(platform=PLATFORM, kind=kind, sender=user, msg_id=msg_id or f"m{next(self._ids)}",
                       created_at=self.clock.now(), **fields)

    def text(self, user: str, content: str, msg_id: str | None = None, group: str | None = None,
             mentioned: bool = True) -> int | None:
        """``group``: said in that group chat (@-mentioning the bot unless ``mentioned`` is False)."""
        return self.send(self._inbound(user, InboundKind.TEXT, msg_id, group, text=content,
                                       **({} if mentioned else {"mentioned": False})))

    def click(self, user: str, task_id: str, key: str, group: str | None = None) -> int | None:
        """A tap on a card; ``group``: on the card posted in that group chat."""
        n = next(self._ids)
        return self.send(self._inbound(user, InboundKind.CARD_CLICK, f"click{n}", group,
                                       card=CardClick(task_id, key, ref=f"click-ref-{n}")))

    def location(self, user: str, lat: float, lng: float, label: str = "") -> int | None:
        return self.send(self._inbound(user, InboundKind.LOCATION, lat=lat, lng=lng, coord_system="gcj02",
                                       label=label))

    def image(self, user: str, media_id: str, pic_url: str = "http://example.invalid/pic.jpg") -> int | None:
        return self.send(self._inbound(user, InboundKind.IMAGE, media_id=media_id, pic_url=pic_url))

    def opened(self, user: str) -> int | None:
        return self.send(self._inbound(user, InboundKind.OPENED))

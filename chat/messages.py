"""The neutral message types: what handlers see and produce.

Platform adapters translate their wire formats (WeCom XML, DingTalk JSON) to
and from these; nothing past the adapter knows which platform a user is on.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class InboundKind(StrEnum):
    TEXT = "text"
    LOCATION = "location"
    IMAGE = "image"
    CARD_CLICK = "card_click"
    OPENED = "opened"             # the user opened the chat with the bot
    EVENT = "event"               # any other platform event: no answer needed
    UNSUPPORTED = "unsupported"


@dataclass(frozen=True)
class CardClick:
    task_id: str
    key: str
    response_code: str | None = None


@dataclass(frozen=True)
class Inbound:
    platform: str                 # "wecom"
    kind: str                     # an InboundKind
    sender: str                   # the platform's user id
    msg_id: str                   # opaque: WeCom MsgIds are not always numeric
    created_at: datetime          # the platform's timestamp (UTC)
    text: str | None = None
    lat: float | None = None
    lng: float | None = None
    coord_system: str | None = None   # "gcj02" | "wgs84"
    label: str | None = None
    media_id: str | None = None
    pic_url: str | None = None
    event: str | None = None
    card: CardClick | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["created_at"] = self.created_at.isoformat()
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Inbound":
        d = dict(d)
        d["created_at"] = datetime.fromisoformat(d["created_at"])
        if d.get("card"):
            d["card"] = CardClick(**d["card"])
        return cls(**d)


# ---- outbound -------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    body: str
    kind: str = "text"


@dataclass(frozen=True)
class Markdown:
    body: str
    kind: str = "markdown"


@dataclass(frozen=True)
class Button:
    key: str
    text: str
    style: int = 1     # 1 primary, 2 default, 3 danger, 4 link-ish (WeCom styles 1-4)


# Rows a card shows (WeCom's template_card holds at most six); more are cut off.
CARD_ROWS = 6


@dataclass(frozen=True)
class Card:
    """An interactive card: approval buttons. Goes 1:1 to one user."""
    task_id: str
    title: str
    desc: str
    rows: tuple[tuple[str, str], ...]
    buttons: tuple[Button, ...]
    note: str = ""
    kind: str = "card"


@dataclass(frozen=True)
class CardStamp:
    """Replace a card's buttons with a stamp text (who decided, when)."""
    task_id: str
    response_code: str
    text: str
    kind: str = "card_stamp"


@dataclass(frozen=True)
class Image:
    """A picture the bot keeps (a MediaBlob): the transport uploads it as needed."""
    blob_id: int
    kind: str = "image"


Outgoing = Text | Markdown | Card | CardStamp | Image
_KINDS = {"text": Text, "markdown": Markdown, "card": Card, "card_stamp": CardStamp, "image": Image}


def outgoing_to_dict(msg: Outgoing) -> dict[str, Any]:
    return asdict(msg)


def outgoing_from_dict(d: dict[str, Any]) -> Outgoing:
    d = dict(d)
    cls = _KINDS[d["kind"]]
    if cls is Card:
        d["rows"] = tuple(tuple(r) for r in d["rows"])
        d["buttons"] = tuple(Button(**b) for b in d["buttons"])
    return cls(**d)

"""The neutral message types: what handlers see and produce.

Platform adapters translate their wire formats (XML, JSON, signed or encrypted) to
and from these; nothing past the adapter knows which platform a user is on.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
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
    # The platform's fresh handle on the card, if the click brought one: opaque
    # here, kept for the adapter that stamps the card.
    ref: str | None = None


@dataclass(frozen=True)
class Inbound:
    platform: str                 # the adapter it came through
    kind: str                     # an InboundKind
    sender: str                   # the platform's user id
    msg_id: str                   # opaque: platforms' message ids are not always numeric
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
    # Where it was said: None for the user's direct chat with the bot, else the
    # group chat's id on the platform (and its title, if the platform says).
    chat_id: str | None = None
    chat_title: str | None = None
    # The bot was @-mentioned: in a group, only such messages are for the bot.
    mentioned: bool = False
    sender_name: str | None = None    # the name the platform shows for the sender

    @property
    def in_group(self) -> bool:
        return self.chat_id is not None

    def to_dict(self) -> dict[str, Any]:
        # Every acknowledgement stores this: a flat copy, not asdict's deep one
        # (every field is a str, number, bool or None but these two).
        d = {name: getattr(self, name) for name in _INBOUND_FIELDS}
        d["created_at"] = self.created_at.isoformat()
        if self.card is not None:
            d["card"] = asdict(self.card)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Inbound:
        d = dict(d)
        d["created_at"] = datetime.fromisoformat(d["created_at"])
        if d.get("card"):
            d["card"] = CardClick(**{k: v for k, v in d["card"].items() if k in CardClick.__dataclass_fields__})
        return cls(**d)


_INBOUND_FIELDS = tuple(Inbound.__dataclass_fields__)


# ---- outbound -------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    body: str
    kind: str = "text"
    # In a group: the userid the message answers, so a platform that can
    # @-mention does (the body already names them for those that can't).
    mention: str | None = None


@dataclass(frozen=True)
class Markdown:
    body: str
    kind: str = "markdown"
    mention: str | None = None


class ButtonStyle(IntEnum):
    PRIMARY = 1
    DEFAULT = 2
    DANGER = 3
    LINK = 4


@dataclass(frozen=True)
class Button:
    key: str
    text: str
    style: int = ButtonStyle.PRIMARY


# A row of facts on a card: (name, value) or (name, value, priority). A platform
# that shows fewer rows than a card has keeps the highest priorities (default
# 1), earlier rows first among equals, and shows them in their order.
Row = tuple


@dataclass(frozen=True)
class Card:
    """An interactive card: facts and buttons, bound to one subject by ``task_id``
    (the neutral reference every click and stamp carries)."""
    task_id: str
    title: str
    desc: str
    rows: tuple[Row, ...]
    buttons: tuple[Button, ...]
    note: str = ""
    # Shown where rows had to be left out: (name, value with {n}, how many).
    more: tuple[str, str] | None = None
    kind: str = "card"


def fit_rows(card: Card, limit: int) -> list[tuple[str, str]]:
    """The rows a platform showing at most ``limit`` rows shows (see Row)."""
    rows = [(r[0], r[1], r[2] if len(r) > 2 else 1) for r in card.rows]
    if len(rows) <= limit:
        return [(k, v) for k, v, _ in rows]
    room = limit - (1 if card.more else 0)
    kept = sorted(sorted(range(len(rows)), key=lambda i: (-rows[i][2], i))[:room])
    out = [(rows[i][0], rows[i][1]) for i in kept]
    if card.more:
        first_left_out = next(i for i in range(len(rows)) if i not in kept)
        at = sum(1 for i in kept if i < first_left_out)
        out.insert(at, (card.more[0], card.more[1].format(n=len(rows) - room)))
    return out


@dataclass(frozen=True)
class CardStamp:
    """Replace a card's buttons with a stamp text (who decided, when). The
    transport finds the platform's handle on the card itself."""
    task_id: str
    text: str
    kind: str = "card_stamp"


@dataclass(frozen=True)
class Image:
    """A picture the bot keeps (a MediaBlob): the transport uploads it as needed."""
    blob_id: int
    kind: str = "image"


@dataclass(frozen=True)
class File:
    """A document the bot keeps (a MediaBlob: a spreadsheet for headquarters):
    the transport uploads it and sends it as a downloadable file."""
    blob_id: int
    kind: str = "file"


Outgoing = Text | Markdown | Card | CardStamp | Image | File
_KINDS = {"text": Text, "markdown": Markdown, "card": Card, "card_stamp": CardStamp, "image": Image, "file": File}


def outgoing_to_dict(msg: Outgoing) -> dict[str, Any]:
    return asdict(msg)


def outgoing_from_dict(d: dict[str, Any]) -> Outgoing:
    cls = _KINDS[d["kind"]]
    d = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}    # rows stored by older versions
    if cls is Card:
        d["rows"] = tuple(tuple(r) for r in d["rows"])
        d["buttons"] = tuple(Button(**b) for b in d["buttons"])
        d["more"] = tuple(d["more"]) if d.get("more") else None
    return cls(**d)

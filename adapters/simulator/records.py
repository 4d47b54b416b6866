"""Plain records the simulator keeps in memory (no behaviour, no locking)."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, NamedTuple

# Card states, as the page and tests see them.
CARD_ACTIVE = "active"
CARD_REPLACED_NAME = "replaced_name"   # buttons greyed out with a stamp text
CARD_REPLACED_CARD = "replaced_card"   # a whole new card took its place


class CallRecord(NamedTuple):
    """One call to the fake API; unpacks as (method, path, query, body, response)."""

    method: str
    path: str            # relative to the API mount, e.g. "/cgi-bin/message/send"
    query: dict[str, str]
    body: Any            # parsed JSON body, or None (GET, multipart, bad JSON)
    response: dict       # the JSON answered; {"http_status": 502, ...} for drops


@dataclass
class CardRecord:
    """One user's copy of a template card (each recipient's copy evolves alone)."""

    task_id: str
    userid: str
    card: dict                 # what the user sees now
    original: dict             # the card as first sent
    msgid: str
    entry_id: int              # conversation entry that shows it
    state: str = CARD_ACTIVE
    replace_name: str | None = None
    updated_at: float | None = None

    def clickable(self) -> bool:
        return self.state != CARD_REPLACED_NAME and bool(self.card.get("button_list"))

    def view(self) -> dict:
        return {
            "task_id": self.task_id,
            "userid": self.userid,
            "state": self.state,
            "replace_name": self.replace_name,
            "card": copy.deepcopy(self.card),
            "clickable": self.clickable(),
            "updated_at": self.updated_at,
        }


@dataclass
class ResponseCodeRecord:
    code: str
    task_id: str
    userids: tuple[str, ...]   # one user for a click; every recipient for a send
    issued_at: float
    origin: str                # "send" or "click"
    used: bool = False
    used_at: float | None = None


@dataclass
class MediaRecord:
    media_id: str
    type: str
    filename: str
    content_type: str
    data: bytes = field(repr=False)
    created_at: float = 0.0


@dataclass
class Undelivered:
    """A message WeCom accepted (errcode 0) but did not show to the user."""

    time: float
    userid: str
    msgtype: str
    payload: dict
    reason: str                # "duplicate" or "rate_limited"
    msgid: str

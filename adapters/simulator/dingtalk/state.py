"""In-memory world of the simulated DingTalk: tokens, conversations (1:1 with
the robot and groups), card instances, sessionWebhooks, media, the call log.

Shared by the fake API (called from the bot's workers), the chat page and
tests, so every access holds one re-entrant lock. Conversations are keyed like
the bot's addresses: a userid for a user's chat with the robot,
``group:<chat id>`` for a group. The clock is injectable.
"""
from __future__ import annotations

import copy
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..chatlog import ChatLog, IssuedTokens
from ..faults import FaultPlan

SESSION_WEBHOOK_TTL = 90 * 60       # sessionWebhookExpiredTime: about 90 minutes (platforms.md)
RATE_PER_MINUTE = 20                # a robot into one conversation; beyond it DingTalk throttles
MEDIA_TTL = 24 * 3600


class DingTalkApiError(Exception):
    """An answer the fake gives instead of success: HTTP status and DingTalk's code."""

    def __init__(self, status: int, code: str, message: str = ""):
        super().__init__(f"{status} {code} {message}")
        self.status, self.code, self.message = status, code, message


@dataclass
class CardInstance:
    out_track_id: str
    template_id: str
    chat: str                       # where it was delivered: a userid or group:<id>
    params: dict[str, str]          # the public cardParamMap, as updated
    entry_id: int
    route_key: str = ""
    updates: list[dict] = field(default_factory=list)

    def view(self) -> dict[str, Any]:
        return {"out_track_id": self.out_track_id, "chat": self.chat, "params": copy.deepcopy(self.params),
                "active": self.params.get("status") != "done"}


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    response: Any


class DingTalkState(ChatLog, IssuedTokens):
    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.lock = threading.RLock()
        self.faults = FaultPlan()
        self._init_data()

    def _init_data(self) -> None:
        self._init_tokens()
        self._init_chats()
        self._cards: dict[str, CardInstance] = {}
        self._sessions: dict[str, tuple[str, float]] = {}
        self._media: dict[str, tuple[str, str, bytes, float]] = {}
        self._sent: dict[str, deque[float]] = defaultdict(deque)
        self._calls: list[Call] = []
        self.version = 0
        self.instance_id = secrets.token_hex(6)

    def now(self) -> float:
        return float(self.clock())

    # ---- tokens ---------------------------------------------------------------------
    def check_token(self, tok: str | None) -> None:
        until = self.token_expiry(tok)
        if until is None or until <= self.now():
            raise DingTalkApiError(401, "InvalidAuthentication", "不合法的access_token")

    # ---- conversations ------------------------------------------------------------------
    def add_entry(self, chat: str, direction: str, msgtype: str, payload: dict, *, source: str,
                  userid: str | None = None, **extra: Any) -> dict:
        """One message in a conversation: ``direction`` "bot" or "user" (``userid`` said it)."""
        return self._append(chat, {"chat": chat, "userid": userid, "direction": direction, "msgtype": msgtype,
                                   "payload": payload, "source": source, **extra})

    def within_rate(self, chat: str) -> bool:
        """One more robot message into ``chat`` stays within 20 a minute (and is counted)."""
        with self.lock:
            now, sent = self.now(), self._sent[chat]
            while sent and sent[0] <= now - 60:
                sent.popleft()
            if len(sent) >= RATE_PER_MINUTE:
                return False
            sent.append(now)
            return True

    # ---- sessionWebhooks --------------------------------------------------------------
    def open_session(self, chat: str) -> tuple[str, int]:
        """A sessionWebhook token for ``chat`` and its expiry in ms (as a callback carries)."""
        with self.lock:
            token = secrets.token_urlsafe(18)
            until = self.now() + SESSION_WEBHOOK_TTL
            self._sessions[token] = (chat, until)
            return token, int(until * 1000)

    def session_chat(self, token: str | None) -> str | None:
        with self.lock:
            found = self._sessions.get(token or "")
            return found[0] if found and found[1] > self.now() else None

    # ---- cards --------------------------------------------------------------------------
    def add_card(self, card: CardInstance) -> None:
        with self.lock:
            self._cards[card.out_track_id] = card
            self.version += 1

    def has_card(self, out_track_id: str) -> bool:
        with self.lock:
            return out_track_id in self._cards

    def card(self, out_track_id: str) -> CardInstance | None:
        with self.lock:
            found = self._cards.get(out_track_id)
            return copy.deepcopy(found) if found else None

    def cards_in(self, chat: str) -> list[CardInstance]:
        with self.lock:
            return [copy.deepcopy(c) for c in self._cards.values() if c.chat == chat]

    def update_card(self, out_track_id: str, params: dict[str, str], by_key: bool) -> None:
        with self.lock:
            card = self._cards[out_track_id]
            card.params = {**card.params, **params} if by_key else dict(params)
            card.updates.append(copy.deepcopy(params))
            self.version += 1

    # ---- media ---------------------------------------------------------------------------
    def store_media(self, filename: str, content_type: str, data: bytes) -> str:
        with self.lock:
            media_id = "@lADP" + secrets.token_urlsafe(24)
            self._media[media_id] = (filename, content_type, data, self.now())
            return media_id

    def media(self, media_id: str) -> tuple[str, str, bytes] | None:
        with self.lock:
            found = self._media.get(media_id)
            if found is None or self.now() - found[3] >= MEDIA_TTL:
                return None
            return found[:3]

    # ---- the call log ------------------------------------------------------------------------
    def log_call(self, call: Call) -> None:
        with self.lock:
            self._calls.append(call)

    @property
    def calls(self) -> list[Call]:
        with self.lock:
            return list(self._calls)

    def calls_to(self, path_suffix: str) -> list[Call]:
        suffix = path_suffix.strip("/")
        return [c for c in self.calls if c.path.rstrip("/").endswith(suffix)]

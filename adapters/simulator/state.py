"""In-memory world of the simulated WeCom: tokens, chats, cards, codes, media.

One ``SimulatorState`` is shared by the fake API (called by the bot from its
worker threads), the chat page (browser polling) and tests, so every access
goes through one re-entrant lock; multi-step operations (rate check + dedup +
deliver) hold it across the steps via ``with state.lock:``.

The clock is injectable so tests can jump past the 7200 s token life, the
72 h response_code life or the duplicate-check window without sleeping.
"""
from __future__ import annotations

import copy
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from typing import Any

from . import codes
from .chatlog import ChatLog, IssuedTokens
from .codes import ApiError
from .faults import DROP_502, FaultPlan
from .records import (
    CARD_REPLACED_CARD,
    CARD_REPLACED_NAME,
    CallRecord,
    CardRecord,
    MediaRecord,
    ResponseCodeRecord,
    Undelivered,
)

TOKEN_TTL = IssuedTokens.token_ttl  # gettoken's expires_in (doc path/91039)
RESPONSE_CODE_TTL = 72 * 3600      # "each response_code works once, for 72 h"
MEDIA_TTL = 3 * 24 * 3600          # temporary media live 3 days (doc path/90253)
RATE_PER_MINUTE = 30               # app → one member (doc path/90236 limits)
RATE_PER_HOUR = 1000
LOGIN_CODE_TTL = 300               # a web-login code works once, for 5 minutes (doc path/98176)


class SimulatorState(ChatLog, IssuedTokens):
    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self.lock = threading.RLock()
        self.faults = FaultPlan()
        self._init_data()

    def _init_data(self) -> None:
        self._init_tokens()
        self._init_chats()
        self._cards: dict[tuple[str, str], CardRecord] = {}
        self._task_ids: set[str] = set()
        self._response_codes: dict[str, ResponseCodeRecord] = {}
        self._media: dict[str, MediaRecord] = {}
        self._login_codes: dict[str, tuple[str, float]] = {}
        self._calls: list[CallRecord] = []
        self._undelivered: list[Undelivered] = []
        self._deliveries: dict[str, deque[float]] = defaultdict(deque)
        self._recent: dict[str, tuple[float, dict]] = {}
        self._group_keys: dict[str, str] = {}          # group robot webhook key ↔ chat id
        self.version = 0   # bumped on every visible change; lets pollers skip work
        # New on every start/reset, so the page can drop its read marks of an older run.
        self.instance_id = secrets.token_hex(6)

    def now(self) -> float:
        return float(self.clock())

    def reset(self) -> None:
        """Forget everything (tokens, chats, cards, codes, media, log, faults)."""
        with self.lock:
            self._init_data()
            self.faults.clear()

    # ----------------------------------------------------------- tokens
    def check_token(self, tok: str | None) -> None:
        with self.lock:
            if not tok:
                raise ApiError(codes.MISSING_TOKEN)
            expires_at = self._tokens.get(tok)
            if expires_at is None:
                raise ApiError(codes.INVALID_TOKEN)
            if expires_at <= self.now():
                raise ApiError(codes.TOKEN_EXPIRED)

    def invalidate_token(self, tok: str) -> None:
        """This token now answers 40014 (unknown), as after a secret reset."""
        with self.lock:
            self._tokens.pop(tok, None)

    def tokens(self) -> list[str]:
        with self.lock:
            return list(self._tokens)

    # ----------------------------------------------------- web login
    def issue_login_code(self, userid: str) -> str:
        """The code a member's QR scan sends back to the site that asked (web login)."""
        with self.lock:
            code = secrets.token_urlsafe(24)
            self._login_codes[code] = (userid, self.now() + LOGIN_CODE_TTL)
            return code

    def take_login_code(self, code: str | None) -> str:
        """The member a login code names; each code works once (40029 after)."""
        with self.lock:
            found = self._login_codes.pop(code or "", None)
            if found is None or found[1] <= self.now():
                raise ApiError(codes.INVALID_CODE)
            return found[0]

    # ----------------------------------------------------- conversation
    def add_entry(self, userid: str, direction: str, msgtype: str, payload: dict, *,
                  source: str, msgid: str | None = None, **extra: Any) -> dict:
        """Append one message to a chat (a user's, or ``group:<id>``); ``direction`` is "bot" or "user"."""
        return self._append(userid, {"userid": userid, "direction": direction, "msgtype": msgtype,
                                     "payload": payload, "source": source, "msgid": msgid, **extra})

    def messages_to(self, userid: str) -> list[dict]:
        """Messages the bot delivered to this user (API sends and passive replies)."""
        return self.bot_messages(userid)

    def sent_count(self, userid: str) -> int:
        return len(self.messages_to(userid))

    # ------------------------------------------------ delivery bookkeeping
    def rate_allows(self, userid: str, per_minute: int = RATE_PER_MINUTE) -> bool:
        """True if one more message to ``userid`` (or a group) stays within its minute's and 1000/h."""
        with self.lock:
            now = self.now()
            window = self._deliveries[userid]
            while window and window[0] <= now - 3600:
                window.popleft()
            last_minute = sum(1 for t in window if t > now - 60)
            return last_minute < per_minute and len(window) < RATE_PER_HOUR

    def count_delivery(self, userid: str) -> None:
        with self.lock:
            self._deliveries[userid].append(self.now())

    def recent_duplicate(self, key: str, interval: float) -> dict | None:
        """The earlier answer for an identical message sent within ``interval`` s."""
        with self.lock:
            hit = self._recent.get(key)
            if hit and self.now() - hit[0] < interval:
                return copy.deepcopy(hit[1])
            return None

    def remember_sent(self, key: str, answer: dict) -> None:
        with self.lock:
            self._recent[key] = (self.now(), copy.deepcopy(answer))

    def record_undelivered(self, userid: str, msgtype: str, payload: dict,
                           reason: str, msgid: str) -> None:
        with self.lock:
            self._undelivered.append(
                Undelivered(self.now(), userid, msgtype, copy.deepcopy(payload), reason, msgid))

    def dropped(self, userid: str | None = None) -> list[Undelivered]:
        """Messages silently dropped by the per-member rate limit."""
        return self._undelivered_by("rate_limited", userid)

    def suppressed(self, userid: str | None = None) -> list[Undelivered]:
        """Messages accepted but not shown because of enable_duplicate_check."""
        return self._undelivered_by("duplicate", userid)

    def _undelivered_by(self, reason: str, userid: str | None) -> list[Undelivered]:
        with self.lock:
            return [u for u in self._undelivered
                    if u.reason == reason and (userid is None or u.userid == userid)]

    # ------------------------------------------------------ group robots
    def group_webhook_key(self, chat_id: str) -> str:
        """The key of the group robot's webhook URL (one per group, like WeCom's)."""
        with self.lock:
            for key, chat in self._group_keys.items():
                if chat == chat_id:
                    return key
            key = secrets.token_hex(16)
            self._group_keys[key] = chat_id
            return key

    def chat_of_webhook(self, key: str | None) -> str | None:
        with self.lock:
            return self._group_keys.get(key or "")

    # ------------------------------------------------------------ cards
    def task_id_taken(self, task_id: str) -> bool:
        with self.lock:
            return task_id in self._task_ids

    def take_task_id(self, task_id: str) -> None:
        with self.lock:
            if task_id in self._task_ids:
                raise ApiError(codes.TASK_ID_EXISTS, f"task_id {task_id}")
            self._task_ids.add(task_id)

    def add_card(self, userid: str, task_id: str, card: dict, msgid: str, entry_id: int) -> None:
        with self.lock:
            self._cards[(task_id, userid)] = CardRecord(
                task_id, userid, copy.deepcopy(card), copy.deepcopy(card), msgid, entry_id)
            self.version += 1

    def card(self, userid: str, task_id: str) -> CardRecord | None:
        with self.lock:
            rec = self._cards.get((task_id, userid))
            return copy.deepcopy(rec) if rec else None

    def cards_for(self, userid: str) -> list[CardRecord]:
        with self.lock:
            return [copy.deepcopy(c) for c in self._cards.values() if c.userid == userid]

    def card_recipients(self, task_id: str) -> list[str]:
        with self.lock:
            return [uid for (tid, uid) in self._cards if tid == task_id]

    def replace_card_buttons(self, task_id: str, userids: Iterable[str], replace_name: str) -> list[str]:
        """Grey out the buttons with a stamp text; returns the users updated."""
        return self._update_cards(task_id, userids, CARD_REPLACED_NAME, replace_name, None)

    def replace_card(self, task_id: str, userids: Iterable[str], card: dict) -> list[str]:
        return self._update_cards(task_id, userids, CARD_REPLACED_CARD, None, card)

    def _update_cards(self, task_id: str, userids: Iterable[str], new_state: str,
                      replace_name: str | None, card: dict | None) -> list[str]:
        done = []
        with self.lock:
            for uid in userids:
                rec = self._cards.get((task_id, uid))
                if rec is None:
                    continue
                rec.state, rec.replace_name, rec.updated_at = new_state, replace_name, self.now()
                if card is not None:
                    rec.card = copy.deepcopy(card)
                done.append(uid)
            self.version += 1
        return done

    # --------------------------------------------------- response codes
    def issue_response_code(self, task_id: str, userids: Iterable[str], origin: str) -> str:
        with self.lock:
            code = secrets.token_urlsafe(32)
            self._response_codes[code] = ResponseCodeRecord(
                code, task_id, tuple(userids), self.now(), origin)
            return code

    def consume_response_code(self, code: str | None) -> ResponseCodeRecord:
        """Check a code is known, unused and < 72 h old, then mark it used."""
        with self.lock:
            rec = self._response_codes.get(code or "")
            if rec is None:
                raise ApiError(codes.RESPONSE_CODE_UNKNOWN)
            if rec.used:
                raise ApiError(codes.RESPONSE_CODE_USED)
            if self.now() - rec.issued_at >= RESPONSE_CODE_TTL:
                raise ApiError(codes.RESPONSE_CODE_EXPIRED)
            rec.used, rec.used_at = True, self.now()
            return copy.deepcopy(rec)

    def response_code(self, code: str) -> ResponseCodeRecord | None:
        with self.lock:
            rec = self._response_codes.get(code)
            return copy.deepcopy(rec) if rec else None

    def response_codes(self) -> list[ResponseCodeRecord]:
        with self.lock:
            return [copy.deepcopy(r) for r in self._response_codes.values()]

    # ------------------------------------------------------------ media
    def store_media(self, media_type: str, filename: str, content_type: str, data: bytes) -> MediaRecord:
        with self.lock:
            # Real media_ids are long opaque strings starting with a digit.
            media_id = "3" + secrets.token_urlsafe(40)
            rec = MediaRecord(media_id, media_type, filename, content_type, data, self.now())
            self._media[media_id] = rec
            return rec

    def media(self, media_id: str | None) -> MediaRecord | None:
        """The media if it exists and is younger than 3 days."""
        with self.lock:
            rec = self._media.get(media_id or "")
            if rec is None or self.now() - rec.created_at >= MEDIA_TTL:
                return None
            return rec

    def stored_media(self) -> list[MediaRecord]:
        """Every media stored so far, expired ones included (for tests)."""
        with self.lock:
            return list(self._media.values())

    # --------------------------------------------------------- call log
    def log_call(self, method: str, path: str, query: dict, body: Any, response: dict) -> None:
        with self.lock:
            self._calls.append(CallRecord(method, path, dict(query), copy.deepcopy(body),
                                          copy.deepcopy(response)))

    @property
    def calls(self) -> list[CallRecord]:
        with self.lock:
            return list(self._calls)

    def calls_to(self, path_suffix: str) -> list[CallRecord]:
        suffix = path_suffix.strip("/")
        return [c for c in self.calls if c.path.rstrip("/").endswith(suffix)]

    # ---------------------------------------------------- fault helpers
    def fail_next(self, path_suffix: str, errcode: int, times: int = 1, errmsg: str = "") -> None:
        """The next ``times`` calls to that API answer ``errcode`` (e.g. 42001, 45009, -1)."""
        self.faults.fail_next(path_suffix, errcode, times, errmsg)

    def drop_next(self, path_suffix: str, times: int = 1, mode: str = DROP_502) -> None:
        """The next calls get HTTP 502 (mode "502") or a closed connection (mode "close")."""
        self.faults.drop_next(path_suffix, times, mode)

    def delay_next(self, path_suffix: str, seconds: float, times: int = 1) -> None:
        self.faults.delay_next(path_suffix, seconds, times)

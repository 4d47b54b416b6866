"""What every simulated platform (WeCom, DingTalk) keeps alike: the access
tokens it issued, and the conversations: entries appended per conversation,
keyed like the bot's addresses (a userid, or ``group:<chat id>``), read by the
page's pollers and by tests.

Mixins: the state using them has ``lock`` (re-entrant), ``now()`` and
``version`` (bumped on every visible change, so pollers can skip work)."""
from __future__ import annotations

import copy
import secrets
from collections import defaultdict
from typing import Any


class IssuedTokens:
    lock: Any
    token_ttl = 7200           # both platforms' tokens live two hours

    def now(self) -> float: ...

    def _init_tokens(self) -> None:
        self._tokens: dict[str, float] = {}

    def issue_token(self) -> tuple[str, int]:
        """The same token while one is valid, as both platforms do; (token, seconds left)."""
        with self.lock:
            now = self.now()
            for tok, expires_at in self._tokens.items():
                if expires_at > now:
                    return tok, int(expires_at - now)
            tok = secrets.token_urlsafe(32)
            self._tokens[tok] = now + self.token_ttl
            return tok, self.token_ttl

    def token_expiry(self, tok: str | None) -> float | None:
        with self.lock:
            return self._tokens.get(tok or "")

    def expire_all_tokens(self) -> None:
        """Every issued token is now past its time."""
        with self.lock:
            past = self.now() - 1
            self._tokens = {tok: past for tok in self._tokens}

    def tokens(self) -> list[str]:
        with self.lock:
            return list(self._tokens)


class ChatLog:
    lock: Any
    version: int

    def now(self) -> float: ...

    def _init_chats(self) -> None:
        self._chats: dict[str, list[dict]] = defaultdict(list)
        self._next_entry_id = 1

    def _append(self, chat: str, fields: dict[str, Any]) -> dict:
        with self.lock:
            entry = {"id": self._next_entry_id, "time": self.now(), **copy.deepcopy(fields)}
            self._next_entry_id += 1
            self._chats[chat].append(entry)
            self.version += 1
            return entry

    def annotate_entry(self, entry_id: int, **fields: Any) -> None:
        """Attach results found later (e.g. the callback's HTTP status)."""
        with self.lock:
            for chat in self._chats.values():
                for entry in chat:
                    if entry["id"] == entry_id:
                        entry.update(fields)
                        self.version += 1
                        return

    def conversation(self, chat: str, after: int = 0) -> list[dict]:
        with self.lock:
            return [copy.deepcopy(e) for e in self._chats.get(chat, []) if e["id"] > after]

    def bot_messages(self, chat: str) -> list[dict]:
        """What the bot delivered into a conversation (API sends, webhooks, passive replies)."""
        with self.lock:
            return [copy.deepcopy(e) for e in self._chats.get(chat, []) if e["direction"] == "bot"]

    def chat_summary(self) -> dict[str, dict]:
        """Per conversation: id of the last entry and how many bot messages (unread badges)."""
        with self.lock:
            return {chat: {"last_id": entries[-1]["id"] if entries else 0,
                           "bot_count": sum(1 for e in entries if e["direction"] == "bot")}
                    for chat, entries in self._chats.items()}

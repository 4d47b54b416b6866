"""sessionWebhook URLs: each inbound message carries one for its conversation,
good until ``sessionWebhookExpiredTime`` (about 90 minutes; platforms.md).
Kept in the shared kv under the conversation's address (the user for a 1:1,
group:<id> for a group) so any worker's transport answers through it while it
is valid, and through the robot send APIs after. Only URLs under the
configured old-API base are kept: a webhook is a place we will POST to."""
from __future__ import annotations

from chat.kvstore import KvStore

SAFETY_MS = 60_000       # stop using one a minute before DingTalk does


class SessionWebhooks:
    def __init__(self, kv: KvStore, allowed_prefix: str):
        self._kv = kv
        self._prefix = allowed_prefix

    @staticmethod
    def _key(address: str) -> str:
        return f"dingtalk:webhook:{address}"

    def remember(self, address: str, url: str | None, expires_ms: int | None, now_ms: int) -> bool:
        if not isinstance(url, str) or not address or not url.startswith(self._prefix) or not expires_ms:
            return False
        try:
            ttl_s = (int(expires_ms) - now_ms - SAFETY_MS) // 1000
        except (TypeError, ValueError, OverflowError):     # "soon", a list: not a time
            return False
        if ttl_s <= 0:
            return False
        self._kv.set(self._key(address), url, ttl_s)
        return True

    def current(self, address: str) -> str | None:
        return self._kv.get(self._key(address))

    def forget(self, address: str) -> None:
        self._kv.delete(self._key(address))

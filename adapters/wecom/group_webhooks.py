"""Where the bot posts into a WeCom group chat: the group robot's webhook
(``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``), which every
message from that group carries as ``WebhookUrl``. A self-built app can't post
button cards into a group (platforms.md, "Group chats"); the robot posts text
and markdown, which is what a group gets from us.

Kept in the shared kv per chat id, refreshed by each message from the group,
for as long as an approval may take to be decided. Only URLs under the
configured API base are kept: a webhook is a place we will POST to."""
from __future__ import annotations

from chat.kvstore import KvStore

KEEP_S = 90 * 24 * 3600      # the protection period: no approval of a group's request waits longer


class GroupWebhooks:
    def __init__(self, kv: KvStore, allowed_prefix: str):
        self._kv = kv
        self._prefix = allowed_prefix

    @staticmethod
    def _key(chat_id: str) -> str:
        return f"wecom:group-webhook:{chat_id}"

    def remember(self, chat_id: str | None, url: object) -> bool:
        if not chat_id or not isinstance(url, str) or not url.startswith(self._prefix):
            return False
        self._kv.set(self._key(chat_id), url, KEEP_S)
        return True

    def of(self, chat_id: str) -> str | None:
        return self._kv.get(self._key(chat_id))

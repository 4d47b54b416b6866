"""dd.config for the check-in page inside DingTalk: a page may call
``dd.device.geolocation.get`` once DingTalk has checked a signature made with
the app's JSAPI ticket (JSAPI 鉴权): sha1 over
``jsapi_ticket=…&noncestr=…&timestamp=…&url=…`` with the page's URL as the
client shows it (without the #fragment). The ticket lives 7200 s and is shared
like the access token."""
from __future__ import annotations

import hashlib
import secrets
from typing import Any

from adapters.dingtalk.api import DingTalkApi
from chat.kvstore import KvStore
from domain.clock import Clock

JS_APIS = ["device.geolocation.get"]


def signature(ticket: str, nonce: str, timestamp: str, url: str) -> str:
    plain = f"jsapi_ticket={ticket}&noncestr={nonce}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(plain.encode("utf-8")).hexdigest()


class JsapiSigner:
    def __init__(self, api: DingTalkApi, kv: KvStore, corp_id: str, agent_id: str, clock: Clock):
        self.api, self.kv, self.corp_id, self.agent_id, self.clock = api, kv, corp_id, agent_id, clock
        self._key = f"dingtalk:jsapi-ticket:{api.app_key}"

    def _ticket(self) -> str:
        ticket = self.kv.get(self._key)
        if not ticket:
            ticket, lives = self.api.jsapi_ticket()
            self.kv.set(self._key, ticket, max(60, lives - 300))
        return ticket

    def config(self, url: str) -> dict[str, Any]:
        """What the page hands to dd.config for ``url``."""
        url = url.split("#", 1)[0]
        nonce, ts = secrets.token_hex(8), str(int(self.clock.now().timestamp()))
        return {"agentId": self.agent_id, "corpId": self.corp_id, "timeStamp": ts, "nonceStr": nonce,
                "signature": signature(self._ticket(), nonce, ts, url), "type": 0, "jsApiList": JS_APIS}

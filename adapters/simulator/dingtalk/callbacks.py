"""DingTalk's side of the callbacks, for the simulator page and tests.

``RobotClient`` posts a robot message the way DingTalk does (platforms.md,
"Enterprise robot, HTTP mode"): JSON with a ``timestamp`` header in ms and
``sign`` = base64(HMAC-SHA256(appSecret, timestamp + "\\n" + appSecret)), a
sessionWebhook the fake serves for 90 minutes, ``conversationType`` "2" and
``isInAtList`` in a group. In a group, DingTalk hands the robot only messages
that @-mention it, with the mention taken out of ``text.content``.

``CardClickClient`` posts a card click as an event-subscription callback:
the click JSON sealed with the event crypto, ``signature``/``timestamp``/``nonce``
in the query; the bot must answer "success", sealed the same way.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from adapters.dingtalk.crypto import DingTalkCrypto
from adapters.dingtalk.sign import sign

from .state import DingTalkState

BOT_NAME = "渠道助手"
TIMEOUT_S = 5.0


@dataclass
class Posted:
    status: int | None
    text: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


def _session() -> requests.Session:
    http = requests.Session()
    http.trust_env = False       # the bot is local: never through a proxy
    return http


def _opaque(*parts: str) -> str:
    return "$:LWCP_v1:$" + hashlib.sha256(":".join(parts).encode()).hexdigest()[:24]


class RobotClient:
    def __init__(self, app_secret: str, robot_code: str, corp_id: str, state: DingTalkState,
                 url: Callable[[], str], oapi_base: Callable[[], str], clock: Callable[[], float] = time.time):
        self.app_secret, self.robot_code, self.corp_id = app_secret, robot_code, corp_id
        self.state, self.url, self.oapi_base, self.clock = state, url, oapi_base, clock
        self.http = _session()

    def message(self, user: str, name: str, text: str, group: tuple[str, str] | None = None,
                mentioned: bool = True, msg_id: str | None = None) -> dict:
        """The callback body for ``user`` saying ``text`` 1:1 or in ``group`` (chat id, title)."""
        chat = f"group:{group[0]}" if group else user
        session, expires_ms = self.state.open_session(chat)
        content = text.replace(f"@{BOT_NAME}", "") if group and mentioned else text
        doc = {
            "msgtype": "text", "text": {"content": content},
            "msgId": msg_id or "msg" + secrets.token_urlsafe(18), "createAt": int(self.clock() * 1000),
            "conversationType": "2" if group else "1",
            "conversationId": group[0] if group else "cid1to1" + hashlib.sha256(user.encode()).hexdigest()[:20],
            "senderStaffId": user, "senderId": _opaque(self.corp_id, user), "senderNick": name,
            "senderCorpId": self.corp_id, "chatbotCorpId": self.corp_id,
            "chatbotUserId": _opaque(self.corp_id, self.robot_code), "robotCode": self.robot_code,
            "isAdmin": False, "isInAtList": bool(mentioned),
            "sessionWebhook": f"{self.oapi_base()}robot/sendBySession?session={session}",
            "sessionWebhookExpiredTime": expires_ms,
        }
        if group:
            doc["conversationTitle"] = group[1]
            if mentioned:
                doc["atUsers"] = [{"dingtalkId": doc["chatbotUserId"]}]
        return doc

    def post(self, doc: dict, timestamp_ms: int | None = None, signature: str | None = None) -> Posted:
        ts = str(int(self.clock() * 1000) if timestamp_ms is None else timestamp_ms)
        headers = {"Content-Type": "application/json; charset=utf-8", "timestamp": ts,
                   "sign": signature or sign(self.app_secret, ts)}
        try:
            resp = self.http.post(self.url(), data=json.dumps(doc, ensure_ascii=False).encode(), headers=headers,
                                  timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            return Posted(None, error=f"{exc.__class__.__name__}: {exc}")
        return Posted(resp.status_code, resp.text)


class CardClickClient:
    def __init__(self, crypto: DingTalkCrypto, corp_id: str, url: Callable[[], str],
                 clock: Callable[[], float] = time.time):
        self.crypto, self.corp_id, self.url, self.clock = crypto, corp_id, url, clock
        self.http = _session()

    def click_event(self, out_track_id: str, user: str, action: str, group_id: str | None = None) -> dict:
        private = json.dumps({"cardPrivateData": {"actionIds": [action], "params": {"action": action}}})
        return {"type": "actionCallback", "outTrackId": out_track_id, "userId": user, "corpId": self.corp_id,
                "userIdType": 1, "spaceType": "IM_GROUP" if group_id else "IM_ROBOT",
                "spaceId": group_id or user, "content": private, "value": private, "extension": "{}"}

    def post(self, event: dict) -> Posted:
        ts = str(int(self.clock() * 1000))
        nonce = secrets.token_hex(4)
        sealed = self.crypto.seal(json.dumps(event, ensure_ascii=False), ts, nonce)
        params = {"signature": sealed["msg_signature"], "timestamp": ts, "nonce": nonce}
        try:
            resp = self.http.post(self.url(), params=params, json={"encrypt": sealed["encrypt"]}, timeout=TIMEOUT_S)
        except requests.RequestException as exc:
            return Posted(None, error=f"{exc.__class__.__name__}: {exc}")
        if resp.status_code == 200 and not self._acknowledged(resp):
            return Posted(resp.status_code, resp.text, error="the answer was not a sealed \"success\"")
        return Posted(resp.status_code, resp.text)

    def _acknowledged(self, resp: requests.Response) -> bool:
        try:
            answer = resp.json()
            plain = self.crypto.verify_and_decrypt(answer["msg_signature"], answer["timeStamp"], answer["nonce"],
                                                   answer["encrypt"])
        except Exception:      # any shape or crypto trouble: not DingTalk's "success"
            return False
        return plain == "success"

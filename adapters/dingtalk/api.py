"""DingTalk API client: the access token (shared cache, capped refresh), the
robot's send APIs, the card platform, the sessionWebhook, media.

New API (``DINGTALK_API_BASE``, header ``x-acs-dingtalk-access-token``):
token ``POST /v1.0/oauth2/accessToken`` {appKey, appSecret} → {accessToken,
expireIn}; robot 1:1 ``/v1.0/robot/oToMessages/batchSend``, group
``/v1.0/robot/groupMessages/send``; cards ``POST /v1.0/card/instances/createAndDeliver``
and ``PUT /v1.0/card/instances``; a received file ``/v1.0/robot/messageFiles/download``.
Errors come as a non-2xx status with {code, message}. Old API
(``DINGTALK_OAPI_BASE``, ``?access_token=``, the same token): media upload and
JSAPI tickets, errors as {errcode, errmsg}. The sessionWebhook of an inbound
message needs no token and answers {errcode, errmsg}.
"""
from __future__ import annotations

import logging
from typing import Any

import requests

from chat.kvstore import KvStore

log = logging.getLogger(__name__)

TOKEN_REFRESH_CAP = 2
# A token DingTalk no longer accepts (it may die before expireIn says).
TOKEN_DEAD_CODES = {"InvalidAuthentication", "invalidAuthentication", "Unauthorized"}
# Throttling answers: worth trying again later. The webhook's "send too fast" is 130101.
THROTTLED_WORDS = ("QpsLimit", "Throttl", "RateLimit", "FlowControl", "TooFrequent")
WEBHOOK_TOO_FAST = {130101, 130102}


class DingTalkError(Exception):
    def __init__(self, code: str, message: str, transient: bool, status: int | None = None):
        super().__init__(f"{code} {message}".strip())
        self.code, self.message, self.transient, self.status = code, message, transient, status


def _throttled(code: str) -> bool:
    return any(w.lower() in code.lower() for w in THROTTLED_WORDS)


class DingTalkApi:
    def __init__(self, api_base: str, oapi_base: str, app_key: str, app_secret: str, robot_code: str,
                 kv: KvStore, timeout_s: float = 5.0, session: requests.Session | None = None):
        self.api_base = api_base if api_base.endswith("/") else api_base + "/"
        self.oapi_base = oapi_base if oapi_base.endswith("/") else oapi_base + "/"
        self.app_key, self.app_secret, self.robot_code = app_key, app_secret, robot_code
        self._kv = kv
        self._timeout = timeout_s
        self._http = session or requests.Session()
        self._token_key = f"dingtalk:token:{app_key}"

    # -- token ------------------------------------------------------------------
    def token(self, force: bool = False) -> str:
        if not force:
            cached = self._kv.get(self._token_key)
            if cached:
                return cached
        data = self._send("POST", self.api_base + "v1.0/oauth2/accessToken",
                          json={"appKey": self.app_key, "appSecret": self.app_secret})
        tok = data.get("accessToken")
        if not tok:
            raise DingTalkError("noAccessToken", "the token answer had no accessToken", transient=True)
        # Refresh a little early; DingTalk may still end it sooner (handled in call()).
        self._kv.set(self._token_key, tok, max(60, int(data.get("expireIn", 7200)) - 300))
        return tok

    # -- the new API ----------------------------------------------------------------
    def call(self, method: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        force = False
        for _ in range(TOKEN_REFRESH_CAP + 1):
            try:
                return self._send(method, self.api_base + path.lstrip("/"), json=body,
                                  headers={"x-acs-dingtalk-access-token": self.token(force=force)})
            except DingTalkError as exc:
                if exc.status != 401 and exc.code not in TOKEN_DEAD_CODES:
                    raise
                log.info("dingtalk token rejected (%s), refetching", exc.code)
                self._kv.delete(self._token_key)
                force = True
        raise DingTalkError("InvalidAuthentication", "token refresh cap reached", transient=True)

    def send_to_users(self, user_ids: list[str], msg_key: str, msg_param: str) -> dict[str, Any]:
        return self.call("POST", "v1.0/robot/oToMessages/batchSend",
                         {"robotCode": self.robot_code, "userIds": user_ids, "msgKey": msg_key, "msgParam": msg_param})

    def send_to_group(self, open_conversation_id: str, msg_key: str, msg_param: str) -> dict[str, Any]:
        return self.call("POST", "v1.0/robot/groupMessages/send",
                         {"robotCode": self.robot_code, "openConversationId": open_conversation_id,
                          "msgKey": msg_key, "msgParam": msg_param})

    def create_and_deliver_card(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("POST", "v1.0/card/instances/createAndDeliver", body)

    def update_card(self, body: dict[str, Any]) -> dict[str, Any]:
        return self.call("PUT", "v1.0/card/instances", body)

    def download_file(self, download_code: str) -> tuple[bytes, str, str]:
        """A file a user sent the robot (a photo): (bytes, content type, file name)."""
        data = self.call("POST", "v1.0/robot/messageFiles/download",
                         {"downloadCode": download_code, "robotCode": self.robot_code})
        url = data.get("downloadUrl")
        if not url:
            raise DingTalkError("noDownloadUrl", "the download answer had no downloadUrl", transient=False)
        try:
            resp = self._http.get(url, timeout=self._timeout * 4)
            resp.raise_for_status()
        except requests.RequestException as exc:
            raise DingTalkError("network", exc.__class__.__name__, transient=True) from exc
        kind = resp.headers.get("Content-Type", "application/octet-stream")
        name = (resp.headers.get("Content-Disposition") or "").rpartition("filename=")[2].strip('" ') or "photo.jpg"
        return resp.content, kind, name

    # -- the old API ------------------------------------------------------------------
    def _oapi(self, method: str, path: str, params: dict[str, str] | None = None, **kw) -> dict[str, Any]:
        for force in (False, True):
            data = self._send(method, self.oapi_base + path,
                              params={"access_token": self.token(force=force), **(params or {})}, **kw)
            code = int(data.get("errcode", 0) or 0)
            if code == 0:
                return data
            if code in (40014, 42001, 88):       # token invalid or expired: once more with a fresh one
                self._kv.delete(self._token_key)
                continue
            raise DingTalkError(str(code), data.get("errmsg", ""), transient=code in (-1, 90002, 90018))
        raise DingTalkError("42001", "token refresh cap reached", transient=True)

    def upload_image(self, filename: str, data: bytes, content_type: str) -> str:
        """A picture to send: its media id (usable as a robot image's photoURL)."""
        return self._oapi("POST", "media/upload", params={"type": "image"},
                          files={"media": (filename, data, content_type)})["media_id"]

    def jsapi_ticket(self) -> tuple[str, int]:
        """The ticket that signs a page's dd.config, and its lifetime in seconds."""
        data = self._oapi("GET", "get_jsapi_ticket")
        return data["ticket"], int(data.get("expires_in", 7200))

    # -- the sessionWebhook ------------------------------------------------------------
    def post_webhook(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        data = self._send("POST", url, json=body)
        code = int(data.get("errcode", 0) or 0)
        if code:
            raise DingTalkError(str(code), data.get("errmsg", ""), transient=code in WEBHOOK_TOO_FAST)
        return data

    # -- http ---------------------------------------------------------------------------
    def _send(self, method: str, url: str, **kw) -> dict[str, Any]:
        try:
            resp = self._http.request(method, url, timeout=self._timeout, **kw)
        except requests.RequestException as exc:
            raise DingTalkError("network", exc.__class__.__name__, transient=True) from exc
        try:
            data = resp.json() if resp.content else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if 200 <= resp.status_code < 300:
            return data
        code = str(data.get("code") or f"HTTP{resp.status_code}")
        transient = resp.status_code == 429 or resp.status_code >= 500 or _throttled(code)
        raise DingTalkError(code, str(data.get("message") or ""), transient=transient, status=resp.status_code)

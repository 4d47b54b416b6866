"""WeCom active API client: token cache, capped token refresh, error classes.

Doc: gettoken path/91039, message/send path/90236, update_template_card
path/94888, error codes path/90313. wechatpy's client refetches a dead token
without a cap and has no card helpers, so this small client does the calls
itself; the base URL is configurable (gateways, the simulator, tests).
"""
from __future__ import annotations

import logging
from typing import Any

import requests

from chat.kvstore import KvStore

log = logging.getLogger(__name__)

TOKEN_DEAD = {40014, 42001, 41001}          # invalid / expired / missing access_token
TRANSIENT = {-1, 45009, 45033, 45011}       # busy, rate limit, too many concurrent calls
TOKEN_REFRESH_CAP = 2


class WeComError(Exception):
    def __init__(self, errcode: int, errmsg: str, transient: bool):
        super().__init__(f"{errcode} {errmsg}")
        self.errcode, self.errmsg, self.transient = errcode, errmsg, transient


class WeComApi:
    def __init__(self, base_url: str, corp_id: str, secret: str, agent_id: str, kv: KvStore,
                 timeout_s: float = 5.0, session: requests.Session | None = None):
        self.base = base_url if base_url.endswith("/") else base_url + "/"
        self.corp_id, self.secret, self.agent_id = corp_id, secret, agent_id
        self._kv = kv
        self._timeout = timeout_s
        self._http = session or requests.Session()
        self._token_key = f"wecom:token:{corp_id}:{agent_id}"

    # -- token ------------------------------------------------------------
    def token(self, force: bool = False) -> str:
        if not force:
            cached = self._kv.get(self._token_key)
            if cached:
                return cached
        data = self._get("gettoken", {"corpid": self.corp_id, "corpsecret": self.secret})
        code = int(data.get("errcode", 0))
        if code != 0:
            raise WeComError(code, data.get("errmsg", ""), transient=code in TRANSIENT)
        tok = data["access_token"]
        # Refresh a little early; WeCom may still kill it sooner (handled in call()).
        self._kv.set(self._token_key, tok, max(60, int(data.get("expires_in", 7200)) - 300))
        return tok

    # -- calls ------------------------------------------------------------
    def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self._with_token(lambda tok: self._post(path, tok, payload))

    def send_message(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.call("message/send", payload)

    def update_template_card(self, payload: dict[str, Any]) -> dict[str, Any]:
        return self.call("message/update_template_card", payload)

    def post_group_webhook(self, url: str, payload: dict[str, Any]) -> dict[str, Any]:
        """A group robot's webhook: its key is in the URL, no access token (doc path/91770)."""
        try:
            resp = self._http.post(url, json=payload, timeout=self._timeout)
            resp.raise_for_status()
            data = resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise WeComError(-2, f"network: {exc.__class__.__name__}", transient=True) from exc
        code = int(data.get("errcode", 0))
        if code:
            raise WeComError(code, data.get("errmsg", ""), transient=code in TRANSIENT)
        return data

    # -- media (doc path/90253 upload, path/90254 get) ---------------------------------------
    def upload_media(self, media_type: str, filename: str, data: bytes, content_type: str) -> str:
        """Temporary media (valid 3 days); returns its media_id."""
        def post(tok: str) -> dict[str, Any]:
            try:
                resp = self._http.post(self.base + "media/upload", params={"access_token": tok, "type": media_type},
                                       files={"media": (filename, data, content_type)}, timeout=self._timeout * 4)
                resp.raise_for_status()
                return resp.json()
            except (requests.RequestException, ValueError) as exc:
                raise WeComError(-2, f"network: {exc.__class__.__name__}", transient=True) from exc
        return self._with_token(post)["media_id"]

    def get_media(self, media_id: str) -> tuple[bytes, str, str]:
        """(bytes, content type, file name). WeCom answers JSON only for errors."""
        def get(tok: str) -> dict[str, Any]:
            try:
                resp = self._http.get(self.base + "media/get", params={"access_token": tok, "media_id": media_id},
                                      timeout=self._timeout * 4)
                resp.raise_for_status()
            except requests.RequestException as exc:
                raise WeComError(-2, f"network: {exc.__class__.__name__}", transient=True) from exc
            kind = resp.headers.get("Content-Type", "")
            if kind.startswith(("application/json", "text/plain")):
                try:
                    return resp.json()
                except ValueError as exc:
                    raise WeComError(-2, "unreadable media answer", transient=True) from exc
            name = (resp.headers.get("Content-Disposition") or "").rpartition("filename=")[2].strip('" ') or "media"
            return {"errcode": 0, "_media": (resp.content, kind or "application/octet-stream", name)}
        return self._with_token(get)["_media"]

    # -- web login (doc path/91023: auth/getuserinfo) ---------------------------------------
    def user_of_login_code(self, code: str) -> str | None:
        """The member a web-login code names; None for someone outside the corp
        (WeCom answers an openid then, not a userid)."""
        data = self._with_token(lambda tok: self._get("auth/getuserinfo", {"access_token": tok, "code": code}))
        return data.get("userid") or data.get("UserId") or None

    def _with_token(self, request_fn) -> dict[str, Any]:
        """A call with the capped token refresh of ``call`` (any request shape)."""
        force = False
        for _ in range(TOKEN_REFRESH_CAP + 1):
            data = request_fn(self.token(force=force))
            code = int(data.get("errcode", 0))
            if code == 0:
                return data
            if code in TOKEN_DEAD:
                log.info("wecom token rejected (%s), refetching", code)
                self._kv.delete(self._token_key)
                force = True
                continue
            raise WeComError(code, data.get("errmsg", ""), transient=code in TRANSIENT)
        raise WeComError(42001, "token refresh cap reached", transient=True)

    # -- http -------------------------------------------------------------
    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            resp = self._http.get(self.base + path, params=params, timeout=self._timeout)
            resp.raise_for_status()
            return resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise WeComError(-2, f"network: {exc.__class__.__name__}", transient=True) from exc

    def _post(self, path: str, token: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            resp = self._http.post(self.base + path, params={"access_token": token},
                                   json=payload, timeout=self._timeout)
            resp.raise_for_status()
            return resp.json()
        except (requests.RequestException, ValueError) as exc:
            raise WeComError(-2, f"network: {exc.__class__.__name__}", transient=True) from exc

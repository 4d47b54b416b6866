"""WeCom web login (企业微信扫码登录) for the ops console: the browser goes to
WeCom's SSO page (``login.work.weixin.qq.com/wwlogin/sso/login``, or the
simulator's copy), the member scans, WeCom sends the browser back with a
``code``, and ``auth/getuserinfo`` (through WECOM_API_BASE) says whose it is.
Doc: path/98152 (the SSO page), path/91023 (auth/getuserinfo)."""
from __future__ import annotations

from urllib.parse import urlencode

from adapters.console.env import LoginError
from adapters.wecom.api import WeComApi, WeComError


class WeComLogin:
    name = "wecom"
    label = "企业微信扫码登录 · Sign in with WeCom"

    def __init__(self, api: WeComApi, login_base: str):
        self.api = api
        self.base = login_base if login_base.endswith("/") else login_base + "/"

    def authorize_url(self, redirect_uri: str, state: str) -> str:
        return self.base + "wwlogin/sso/login?" + urlencode({
            "login_type": "CorpApp", "appid": self.api.corp_id, "agentid": self.api.agent_id,
            "redirect_uri": redirect_uri, "state": state})

    def userid_for(self, code: str) -> str:
        try:
            userid = self.api.user_of_login_code(code)
        except WeComError as exc:          # 40029: a used, expired or made-up code
            raise LoginError(str(exc)) from exc
        if not userid:
            raise LoginError("not a member of the corp")
        return userid

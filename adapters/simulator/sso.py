"""The simulated WeCom web login page (企业微信扫码登录): what the browser sees at
``<prefix>/wwlogin/sso/login`` instead of the QR code, a list of the corp's
members to "scan as". Choosing one sends the browser back to the site's
``redirect_uri`` with a one-use ``code`` and the site's ``state``, as WeCom
does; the site then asks the fake API's ``auth/getuserinfo`` who it is."""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, redirect, render_template_string, request

from .state import SimulatorState

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>企业微信扫码登录（模拟）</title>
<style>body{font-family:sans-serif;max-width:420px;margin:60px auto}a{display:block;padding:8px 12px;margin:6px 0;
border:1px solid #cbd2d9;border-radius:6px;text-decoration:none;color:#102a43}</style></head><body>
<h2>企业微信扫码登录（模拟）</h2><p>选择扫码的成员 · Scan as:</p>
{% for u in users %}<a data-testid="scan-as" data-userid="{{ u.userid }}"
href="{{ scan_url }}?{{ query(u.userid) }}">{{ u.name }} <small>{{ u.userid }} · {{ u.org }}</small></a>
{% endfor %}</body></html>"""


def install_sso(bp: Blueprint, state: SimulatorState, corp_id: str, agent_id: str | int,
                users_provider: Callable[[], list[dict]]) -> None:
    def checked_args() -> tuple[str, str]:
        # WeCom refuses a login request for another corp or app before showing any code.
        if request.args.get("appid") != corp_id or str(request.args.get("agentid")) != str(agent_id):
            abort(400, "appid/agentid do not match this corp's app")
        target = request.args.get("redirect_uri", "")
        if not target.startswith(("http://", "https://")):
            abort(400, "redirect_uri must be an absolute URL")
        return target, request.args.get("state", "")

    @bp.get("/wwlogin/sso/login")
    def sso_login() -> str:
        target, st = checked_args()

        def query(userid: str) -> str:
            return urlencode({"appid": corp_id, "agentid": agent_id, "redirect_uri": target, "state": st,
                              "userid": userid})
        return render_template_string(PAGE, users=users_provider(), query=query,
                                      scan_url=request.path.rsplit("/", 1)[0] + "/scan")

    @bp.get("/wwlogin/sso/scan")
    def sso_scan() -> Response:
        target, st = checked_args()
        userid = request.args.get("userid", "")
        if userid not in {str(u["userid"]) for u in users_provider()}:
            abort(404)
        code = state.issue_login_code(userid)
        sep = "&" if "?" in target else "?"
        return redirect(f"{target}{sep}{urlencode({'code': code, 'state': st})}")

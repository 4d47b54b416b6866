"""``/checkin/<token>``: the page, its client configuration, and the position it posts.

GET shows the page to the token's user while the token is good. Inside
DingTalk the page asks ``/checkin/<token>/config`` for its dd.config and reads
the position with ``dd.device.geolocation.get`` (GCJ-02, platforms.md); in any
other browser it uses the browser's position (WGS-84) or a typed one. POST
takes ``{"lat", "lng", "coord_system"}`` and hands a neutral location message
from the token's user to the inbox: the same path, rules and flags as a WeCom
location message. A token's nonce is that message's id, so a link counts once.
"""
from __future__ import annotations

import math
from collections.abc import Callable

from flask import Blueprint, Response, jsonify, render_template, request, url_for

from adapters import jsonsafe
from adapters.checkin_page.links import PageLinks
from chat.messages import Inbound, InboundKind
from domain.clock import Clock

SYSTEMS = ("gcj02", "wgs84")
LABEL = "签到页定位"
# Positions the simulator's page offers (the README's demo: 120 m from 北京协和医院, and 2 km off).
SIMULATOR_PRESETS = [("北京协和医院门口（120 米）", 39.91366, 116.41757), ("2 公里外", 39.93058, 116.41757)]

AcceptOnce = Callable[[Inbound, str], bool]      # persisted now (True) or already had (False)


def create_page_blueprint(links: PageLinks, accept_once: AcceptOnce, name_of: Callable[[str], str | None],
                          client_config: dict[str, Callable[[str], dict]], presets: bool, clock: Clock) -> Blueprint:
    """``client_config``: platform → the configuration its client needs for a page URL
    (DingTalk's dd.config); ``presets``: offer the simulator's demo positions."""
    bp = Blueprint("checkin_page", __name__, template_folder="templates", static_folder="static",
                   static_url_path="/checkin-static")

    def refused(why: str, status: int) -> tuple[Response, int]:
        return jsonify({"ok": False, "error": why}), status

    @bp.get("/checkin/<token>")
    def page(token: str):
        claim, why = links.read(token)
        if claim is None:
            return render_template("checkin/page.html", gone=True, why=why), 403
        return render_template("checkin/page.html", gone=False, token=token, platform=claim.platform,
                               who=name_of(claim.user) or claim.user, presets=SIMULATOR_PRESETS if presets else [],
                               script=url_for(".static", filename="checkin.js"))

    @bp.get("/checkin/<token>/config")
    def config(token: str):
        claim, why = links.read(token)
        if claim is None:
            return refused(why, 403)
        make = client_config.get(claim.platform)
        if make is None:
            return jsonify({"ok": True, "config": None})
        return jsonify({"ok": True, "config": make(request.args.get("url", ""))})

    @bp.post("/checkin/<token>")
    def post(token: str):
        claim, why = links.read(token)
        if claim is None:
            return refused("这个签到链接已失效，请在聊天里重新发送“签到”。" if why == "expired" else "链接无效。", 403)
        try:
            data = jsonsafe.loads(request.get_data(cache=False))
        except jsonsafe.BadJson:        # no JSON, NaN/Infinity, nested deep enough to crash a parser
            data = None
        if not isinstance(data, dict):
            return refused("请发送 JSON：{lat, lng, coord_system}", 400)
        lat, lng = jsonsafe.real(data.get("lat")), jsonsafe.real(data.get("lng"))
        if lat is None or lng is None:
            return refused("纬度和经度必须是数字。", 400)
        system = data.get("coord_system") or "gcj02"
        if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180) \
                or system not in SYSTEMS:
            return refused("位置不对：纬度 ±90、经度 ±180 以内，坐标系 gcj02 或 wgs84。", 400)
        msg = Inbound(platform=claim.platform, kind=InboundKind.LOCATION, sender=claim.user, msg_id=claim.nonce,
                      created_at=clock.now(), lat=lat, lng=lng, coord_system=system, label=LABEL)
        if not accept_once(msg, f"{claim.platform}:page:{claim.nonce}"):
            return refused("这个签到链接已经用过了，请在聊天里重新发送“签到”。", 409)
        return jsonify({"ok": True})

    return bp

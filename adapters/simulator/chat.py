"""The simulator blueprint: fake WeCom API + a chat page that plays the users.

Register it at ``url_prefix="/sim"``: the bot's ``WECOM_API_BASE`` can then be
``http://127.0.0.1:PORT/sim/cgi-bin/`` and a person chats at ``/sim/``. What
the page "sends" becomes a signed, encrypted WeCom callback POSTed to the
bot's callback URL, so the bot's real inbound path (verify, decrypt, dedup,
handle) is what runs.
"""
from __future__ import annotations

import base64
import binascii
import math
import re
import time
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, jsonify, make_response, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from adapters import jsonsafe
from adapters.wecom.crypto import WeComCrypto

from . import inbound_xml
from .callback import WECOM_TIMEOUT, CallbackClient, CallbackResult
from .dingtalk import FakeDingTalkConfig, create_fake_api, create_fake_oapi
from .fake_api import IMAGE_MAGIC, IMAGE_MAX_BYTES, ApiConfig, create_fake_api_blueprint
from .msgids import MsgIdGenerator
from .passive_reply import apply_passive_reply
from .sso import install_sso
from .state import SimulatorState
from .threads import DingTalkSim, PageError, Threads

TEXT_MAX_CHARS = 4000     # far above anything a dealer types; keeps the page sane
IMAGE_MAX_MB = IMAGE_MAX_BYTES // (1024 * 1024)
IMAGE_BASE64_MAX_CHARS = 4 * math.ceil(IMAGE_MAX_BYTES / 3)
# The host app may cap request bodies (the bot does, at 64 KB); a photo needs more.
IMAGE_REQUEST_MAX_BYTES = IMAGE_BASE64_MAX_CHARS + 64 * 1024   # + room for user, filename, JSON
FILENAME_MAX_CHARS = 128
# Controls, lone surrogates, and U+FFFD (what the JSON reader makes of a lone surrogate).
_FILENAME_JUNK = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffd]")
_BASE64_SPACE = re.compile(r"\s+")


def _bad(message: str, status: int = 400) -> tuple[Response, int]:
    return jsonify({"ok": False, "error": message}), status


def _abort_json(message: str, status: int) -> None:
    abort(make_response(jsonify({"ok": False, "error": message}), status))


def _json_body() -> Any:
    """The request's JSON, or None: read as the real callbacks read theirs (no NaN,
    no nesting deep enough to crash a parser, lone surrogates replaced). Only a JSON
    body counts: a cross-site form can't send one without a preflight."""
    if not request.is_json:
        return None
    try:
        return jsonsafe.loads(request.get_data(cache=True))
    except jsonsafe.BadJson:
        return None


def _image_mimetype(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def _photo_filename(value: Any, mimetype: str) -> str:
    """The file's own name (no folders, no control characters), or a plain default."""
    name = value if isinstance(value, str) else ""
    name = _FILENAME_JUNK.sub("", re.split(r"[/\\]", name)[-1]).strip()[:FILENAME_MAX_CHARS]
    return name or ("photo.png" if mimetype == "image/png" else "photo.jpg")


def _result_json(result: CallbackResult) -> dict[str, Any]:
    return {"status": result.status, "error": result.error,
            "attempts": result.attempts, "reply_error": result.reply_error}


def create_simulator_blueprint(
    state: SimulatorState,
    *,
    corp_id: str,
    agent_id: str | int,
    secret: str,
    token: str,
    aes_key: str,
    callback_url: Callable[[], str],
    users_provider: Callable[[], list[dict]],
    name: str = "wecom_simulator",
    msg_id_factory: Callable[[], str] | None = None,
    callback_timeout: float = WECOM_TIMEOUT,
    callback_attempts: int = 1,
    clock: Callable[[], float] = time.time,
    time_control: Callable[[float | None], dict] | None = None,
    groups_provider: Callable[[], list[dict]] = list,
    wecom_api_base: Callable[[], str] = lambda: "",
    dingtalk: tuple[DingTalkSim, FakeDingTalkConfig] | None = None,
    platform_control: Callable[[str], None] | None = None,
) -> Blueprint:
    """Fake API at ``<prefix>/cgi-bin/``, page at ``<prefix>/``, page JSON at ``<prefix>/api/``.

    ``time_control(hours)`` (optional) moves the bot's clock forward for demos of
    timed work (reminders, expiry, digests) and returns {"now": ISO time}; with
    ``None`` it only reads. The page then shows a fast-forward control.
    ``clock`` stamps CreateTime / timestamp of callbacks (wall time by default,
    which the bot's freshness window expects); ``msg_id_factory`` lets tests
    force numeric or opaque MsgIds; ``callback_attempts`` > 1 retries like
    WeCom (same signed body) after a non-200 or no answer.
    ``groups_provider``: the group chats ({chat_id, title, members});
    ``wecom_api_base``: the bot's WECOM_API_BASE (group robot webhooks live under it);
    ``dingtalk``: the simulated DingTalk, whose fake APIs are served at
    ``<prefix>/dingtalk/`` (new) and ``<prefix>/dingtalk-oapi/`` (old);
    ``platform_control(name)``: moves the demo organisation to that platform.
    """
    bp = Blueprint(name, __name__, template_folder="templates",
                   static_folder="static", static_url_path="/static")
    config = ApiConfig(corp_id, secret, agent_id,
                       known_users=lambda: [u["userid"] for u in users_provider()])
    bp.register_blueprint(create_fake_api_blueprint(state, config), url_prefix="/cgi-bin")
    install_sso(bp, state, corp_id, agent_id, users_provider)
    client = CallbackClient(WeComCrypto(token, aes_key, corp_id), corp_id, agent_id, callback_url,
                            timeout=callback_timeout, attempts=callback_attempts, clock=clock)
    next_msg_id = msg_id_factory or MsgIdGenerator()
    if dingtalk is not None:
        dt_config = dingtalk[1]
        dt_config.known_users = lambda: [u["userid"] for u in users_provider()]
        dt_config.known_groups = lambda: [g["chat_id"] for g in groups_provider()]
        bp.register_blueprint(create_fake_api(dingtalk[0].state, dt_config), url_prefix="/dingtalk")
        bp.register_blueprint(create_fake_oapi(dingtalk[0].state, dt_config), url_prefix="/dingtalk-oapi")

    def users_by_id() -> dict[str, dict]:
        return {str(u["userid"]): u for u in users_provider()}

    threads = Threads(state, client, dingtalk[0] if dingtalk else None, groups_provider,
                      lambda: {uid: u.get("name") or uid for uid, u in users_by_id().items()}, next_msg_id, clock,
                      wecom_api_base)

    def platform_of(value: Any) -> str:
        return value if isinstance(value, str) and value else "wecom"

    def read_request() -> tuple[dict, str]:
        # JSON only: a cross-site form cannot post application/json without a preflight.
        if not request.is_json:
            _abort_json("send application/json", 415)
        data = _json_body()
        if not isinstance(data, dict):
            _abort_json("body must be a JSON object", 400)
        user = str(data.get("user") or "")
        if user not in users_by_id():
            _abort_json(f"unknown user {user!r}", 404)
        return data, user

    def deliver(user: str, entry: dict, plaintext: str, clicked_task_id: str | None = None,
                **extra: Any) -> Response:
        result = client.deliver(plaintext)
        reply = None
        if result.reply is not None:
            reply = apply_passive_reply(state, user, result.reply, clicked_task_id)
        state.annotate_entry(entry["id"], callback=_result_json(result))
        return jsonify({"ok": result.ok, **_result_json(result), "entry_id": entry["id"],
                        "msg_id": entry.get("msgid"), "reply": reply, **extra})

    @bp.get("/")
    def page() -> str:
        return render_template("simulator/chat.html", corp_id=corp_id, agent_id=agent_id,
                               base_url=url_for(".page"), time_control=time_control is not None,
                               platforms=threads.platforms(),
                               static_url=url_for(".static", filename=""))

    @bp.route("/api/clock", methods=["GET", "POST"])
    def api_clock() -> Response | tuple[Response, int]:
        if time_control is None:
            return _bad("this simulator has no clock control", 404)
        if request.method == "GET":
            return jsonify({"ok": True, **time_control(None)})
        if not request.is_json:
            return _bad("send application/json", 415)
        data = _json_body()
        hours = data.get("advance_hours") if isinstance(data, dict) else None
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not 0 < hours <= 24 * 120:
            return _bad("advance_hours must be a number of hours, 0 < h ≤ 2880")
        return jsonify({"ok": True, **time_control(float(hours))})

    @bp.errorhandler(PageError)
    def page_error(exc: PageError):
        return _bad(str(exc), exc.status)

    @bp.get("/api/users")
    def api_users() -> Response:
        platform = platform_of(request.args.get("platform"))
        summary = threads.summary(platform)
        empty = {"last_id": 0, "bot_count": 0}
        users = []
        for u in users_provider():
            uid = str(u["userid"])
            users.append({"userid": uid, "name": u.get("name") or uid, "role": u.get("role") or "",
                          "org": u.get("org") or "", **summary.get(uid, empty)})
        groups = [{**g, **summary.get(f"group:{g['chat_id']}", empty)} for g in threads.groups()]
        return jsonify({"users": users, "groups": groups, "platforms": threads.platforms(), "version": state.version,
                        "instance": state.instance_id})

    @bp.post("/api/platform")
    def api_platform() -> Response | tuple[Response, int]:
        if not request.is_json:             # a cross-site form must not switch the demo's platform
            return _bad("send application/json", 415)
        data = _json_body()
        platform = platform_of(data.get("platform") if isinstance(data, dict) else None)
        if platform not in threads.platforms():
            return _bad(f"unknown platform {platform!r}", 404)
        if platform_control is not None:
            platform_control(platform)
        return jsonify({"ok": True, "platform": platform})

    @bp.get("/api/conversation")
    def api_conversation() -> Response:
        user = request.args.get("user", "")
        try:
            after = int(request.args.get("after", "0"))
        except ValueError:
            return _bad("after must be an integer")
        platform, group = platform_of(request.args.get("platform")), request.args.get("group")
        if group or platform != "wecom":
            found = threads.conversation(platform, f"group:{group}" if group else user, after)
            entries = found["entries"]
            return jsonify({**found, "last_id": entries[-1]["id"] if entries else after, "version": state.version})
        entries = state.conversation(user, after)
        # Cards change after they were sent, so their current state rides along on every poll.
        cards = {c.task_id: c.view() for c in state.cards_for(user)}
        last_id = entries[-1]["id"] if entries else after
        return jsonify({"entries": entries, "cards": cards, "last_id": last_id,
                        "version": state.version})

    @bp.post("/api/send")
    def api_send() -> Response | tuple[Response, int]:
        data, user = read_request()
        text = data.get("text")
        if not isinstance(text, str) or not text.strip():
            return _bad("text is empty")
        if len(text) > TEXT_MAX_CHARS:
            return _bad(f"text longer than {TEXT_MAX_CHARS} characters")
        platform = platform_of(data.get("platform"))
        if data.get("group") or platform != "wecom":
            return jsonify(threads.send(platform, user, text, str(data.get("group") or "") or None))
        msg_id = next_msg_id()
        xml = inbound_xml.text_message(corp_id, user, text, msg_id, agent_id, int(clock()))
        entry = state.add_entry(user, "user", "text", {"content": text}, source="page",
                                msgid=msg_id, xml=xml)
        return deliver(user, entry, xml)

    @bp.post("/api/location")
    def api_location() -> Response | tuple[Response, int]:
        data, user = read_request()
        lat, lng = jsonsafe.real(data.get("lat")), jsonsafe.real(data.get("lng"))
        if lat is None or lng is None:
            return _bad("lat and lng must be numbers")
        if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
            return _bad("lat must be within ±90 and lng within ±180")
        label = str(data.get("label") or "")[:200]
        msg_id = next_msg_id()
        xml = inbound_xml.location_message(corp_id, user, lat, lng, label, msg_id, agent_id,
                                           int(clock()))
        entry = state.add_entry(user, "user", "location",
                                {"lat": lat, "lng": lng, "label": label, "scale": 15},
                                source="page", msgid=msg_id, xml=xml)
        return deliver(user, entry, xml)

    @bp.post("/api/image")
    def api_image() -> Response | tuple[Response, int]:
        """A photo the user "takes": stored as WeCom media, then an image callback."""
        too_big = f"image larger than {IMAGE_MAX_MB} MB (WeCom's limit for images)"
        request.max_content_length = IMAGE_REQUEST_MAX_BYTES
        if (request.content_length or 0) > IMAGE_REQUEST_MAX_BYTES:
            return _bad(too_big, 413)
        try:
            data, user = read_request()
        except RequestEntityTooLarge:     # a body without Content-Length that ran over
            return _bad(too_big, 413)
        encoded = data.get("data_base64")
        if not isinstance(encoded, str) or not encoded.strip():
            return _bad("data_base64 is empty")
        if encoded.startswith("data:"):
            return _bad("data_base64 must be plain base64, without the data: URL prefix")
        encoded = _BASE64_SPACE.sub("", encoded)   # tolerate MIME-style line breaks
        if len(encoded) > IMAGE_BASE64_MAX_CHARS:
            return _bad(too_big, 413)
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return _bad("data_base64 is not valid base64")
        if not raw:
            return _bad("image is empty")
        if len(raw) > IMAGE_MAX_BYTES:
            return _bad(too_big, 413)
        mimetype = _image_mimetype(raw) if raw.startswith(IMAGE_MAGIC) else None
        if mimetype is None:
            return _bad("not a JPG or PNG image (WeCom images must be JPG or PNG)", 415)
        filename = _photo_filename(data.get("filename"), mimetype)
        # Stored like any WeCom media: the bot fetches it with media/get (3 days).
        rec = state.store_media("image", filename, mimetype, raw)
        pic_url = url_for(".media", media_id=rec.media_id, _external=True)
        msg_id = next_msg_id()
        xml = inbound_xml.image_message(corp_id, user, pic_url, rec.media_id, msg_id, agent_id,
                                        int(clock()))
        entry = state.add_entry(user, "user", "image",
                                {"media_id": rec.media_id, "pic_url": pic_url, "filename": filename,
                                 "content_type": mimetype, "size": len(raw)},
                                source="page", msgid=msg_id, xml=xml)
        return deliver(user, entry, xml, media_id=rec.media_id, pic_url=pic_url)

    @bp.post("/api/click")
    def api_click() -> Response | tuple[Response, int]:
        data, user = read_request()
        task_id, key = str(data.get("task_id") or ""), str(data.get("key") or "")
        if platform_of(data.get("platform")) == "dingtalk":
            return jsonify(threads.click(user, task_id, key))
        card = state.card(user, task_id)
        if card is None:
            return _bad(f"user has no card {task_id!r}", 404)
        if not card.clickable():
            return _bad("card buttons are no longer active", 409)
        button = next((b for b in card.card.get("button_list") or []
                       if isinstance(b, dict) and b.get("key") == key), None)
        if button is None:
            return _bad(f"card has no button with key {key!r}")
        # Each click carries a fresh code, good for one update of this user's card.
        code = state.issue_response_code(task_id, [user], "click")
        card_type = str(card.card.get("card_type") or "button_interaction")
        xml = inbound_xml.card_click_event(corp_id, user, task_id, key, card_type, code,
                                           agent_id, int(clock()))
        entry = state.add_entry(user, "user", "event",
                                {"event": "template_card_event", "task_id": task_id, "key": key,
                                 "button_text": button.get("text", ""), "response_code": code},
                                source="page", xml=xml)
        return deliver(user, entry, xml, clicked_task_id=task_id)

    @bp.get("/media/<media_id>")
    def media(media_id: str) -> Response:
        """Lets the page show images the bot sent; the token-protected API is for the bot."""
        rec = state.media(media_id)
        if rec is None:
            abort(404)
        # Serve only real images inline: this origin is the bot's, so an uploaded
        # HTML file must never render here.
        mimetype = _image_mimetype(rec.data)
        resp = Response(rec.data, mimetype=mimetype or "application/octet-stream")
        if mimetype is None:
            resp.headers.set("Content-Disposition", "attachment", filename=rec.filename)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        return resp

    return bp

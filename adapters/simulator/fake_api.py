"""Flask blueprint mimicking WeCom's active API under ``/cgi-bin/``.

Base URL of the real one: https://qyapi.weixin.qq.com/cgi-bin/. Errors come
back the WeCom way: HTTP 200 with ``{"errcode": N, "errmsg": ...}``; only the
injected network faults (``drop_next``) produce a non-200 or a cut socket.
Every call, faulty or not, lands in ``state.calls``.
"""
from __future__ import annotations

import json
import secrets
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, jsonify, request

from . import codes
from .codes import ApiError
from .faults import DROP_CLOSE
from .sending import send_message, update_template_card
from .state import SimulatorState
from .validation import parse_send

MEDIA_TYPES = ("image", "voice", "video", "file")
IMAGE_MAX_BYTES = 10 * 1024 * 1024      # "图片（image）：10MB，支持JPG,PNG格式" (doc path/90253)
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
GROUP_ROBOT_PER_MINUTE = 20             # a group robot's webhook (doc path/91770)


@dataclass
class ApiConfig:
    corp_id: str
    secret: str
    agent_id: str | int
    # None means "accept any syntactically valid userid" (no directory loaded).
    known_users: Callable[[], Iterable[str] | None] = field(default=lambda: None)

    def known(self) -> set[str] | None:
        users = self.known_users()
        return None if users is None else set(users)


def _api_path() -> str:
    """Path relative to the mount point, so "/sim/cgi-bin/x" and "/cgi-bin/x" log alike."""
    path = request.path
    idx = path.find("/cgi-bin/")
    return path[idx:] if idx >= 0 else path


def _json_body() -> Any:
    # wechatpy posts JSON without a JSON content type, so parse whatever came.
    raw = request.get_data(cache=True)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _cut_connection() -> bool:
    """Shut the client's socket so it sees a network error, not an HTTP answer."""
    sock = request.environ.get("werkzeug.socket")
    if sock is None:   # in-process test client: no socket to cut
        return False
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    return True


def create_fake_api_blueprint(state: SimulatorState, config: ApiConfig,
                              name: str = "wecom_fake_api") -> Blueprint:
    """The fake API; register it with ``url_prefix="/cgi-bin"``."""
    bp = Blueprint(name, __name__)

    def run(method: str, handler: Callable[[Any], dict | Response]) -> Response:
        path = _api_path()
        query = request.args.to_dict()
        multipart = request.mimetype == "multipart/form-data"
        body = None if (request.method == "GET" or multipart) else _json_body()
        injected = state.faults.take(path)
        if injected.delay:
            time.sleep(injected.delay)
        if injected.drop:
            state.log_call(request.method, path, query, body,
                           {"http_status": 502, "dropped": True, "mode": injected.drop})
            if injected.drop == DROP_CLOSE and _cut_connection():
                return Response(b"", status=502)   # never reaches the client
            return Response(b"<html><body>502 Bad Gateway</body></html>", status=502,
                            mimetype="text/html")
        raw: Response | None = None
        if injected.errcode is not None:
            answer: dict = {"errcode": injected.errcode, "errmsg": injected.errmsg}
        elif request.method != method:
            answer = ApiError(codes.REQUIRE_POST if method == "POST" else codes.REQUIRE_GET).body()
        else:
            try:
                result = handler(body)
            except ApiError as exc:
                result = exc.body()
            if isinstance(result, Response):
                raw, answer = result, {"errcode": 0, "bytes": result.content_length}
            else:
                answer = result
        state.log_call(request.method, path, query, body, answer)
        return raw if raw is not None else jsonify(answer)

    @bp.route("/gettoken", methods=["GET", "POST"])
    def gettoken() -> Response:
        def handle(_: Any) -> dict:
            corpid = request.args.get("corpid")
            secret = request.args.get("corpsecret")
            if not corpid:
                raise ApiError(codes.MISSING_CORPID)
            if not secret:
                raise ApiError(codes.MISSING_SECRET)
            if corpid != config.corp_id:
                raise ApiError(codes.INVALID_CORPID)
            if secret != config.secret:
                raise ApiError(codes.INVALID_SECRET)
            token, expires_in = state.issue_token()
            return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": expires_in}
        return run("GET", handle)

    @bp.route("/message/send", methods=["GET", "POST"])
    def message_send() -> Response:
        def handle(body: Any) -> dict:
            # WeCom checks the token before it looks at the body.
            state.check_token(request.args.get("access_token"))
            msg = parse_send(body, config.agent_id)
            return send_message(state, msg, config.known())
        return run("POST", handle)

    @bp.route("/message/update_template_card", methods=["GET", "POST"])
    def message_update_template_card() -> Response:
        def handle(body: Any) -> dict:
            state.check_token(request.args.get("access_token"))
            return update_template_card(state, body, config.agent_id, config.known())
        return run("POST", handle)

    @bp.route("/auth/getuserinfo", methods=["GET", "POST"])
    def auth_getuserinfo() -> Response:
        """Web login: the member a code from the QR scan names (doc path/91023)."""
        def handle(_: Any) -> dict:
            state.check_token(request.args.get("access_token"))
            userid = state.take_login_code(request.args.get("code"))
            return {"errcode": 0, "errmsg": "ok", "userid": userid, "user_ticket": secrets.token_urlsafe(16),
                    "expires_in": 1800}
        return run("GET", handle)

    @bp.route("/webhook/send", methods=["GET", "POST"])
    def group_webhook_send() -> Response:
        """A group robot's webhook (doc path/91770): the key in the URL is the only
        credential; text and markdown (and pictures, news), never button cards;
        20 messages a minute per group."""
        def handle(body: Any) -> dict:
            chat_id = state.chat_of_webhook(request.args.get("key"))
            if chat_id is None:
                return {"errcode": 93000, "errmsg": "invalid webhook url"}
            body = body if isinstance(body, dict) else {}
            msgtype = body.get("msgtype")
            sub = body.get(msgtype) if msgtype in ("text", "markdown") else None
            if not isinstance(sub, dict) or not isinstance(sub.get("content"), str) or not sub["content"]:
                return {"errcode": 40008, "errmsg": f"invalid message type {msgtype!r}"}
            group = f"group:{chat_id}"
            with state.lock:
                if not state.rate_allows(group, per_minute=GROUP_ROBOT_PER_MINUTE):
                    return {"errcode": 45009, "errmsg": "api freq out of limit"}
                state.count_delivery(group)
                state.add_entry(group, "bot", msgtype, {"content": sub["content"],
                                                        "mentioned_list": sub.get("mentioned_list") or []},
                                source="group_webhook")
            return {"errcode": 0, "errmsg": "ok"}
        return run("POST", handle)

    @bp.route("/media/upload", methods=["GET", "POST"])
    def media_upload() -> Response:
        # WeCom takes images up to 10 MB; the bot app's 64 KB body cap is for callbacks.
        request.max_content_length = IMAGE_MAX_BYTES + 64 * 1024

        def handle(_: Any) -> dict:
            state.check_token(request.args.get("access_token"))
            media_type = request.args.get("type", "")
            if media_type not in MEDIA_TYPES:
                raise ApiError(codes.INVALID_UPLOAD_TYPE, f"type {media_type!r}")
            upload = request.files.get("media")
            if upload is None:
                raise ApiError(codes.MISSING_MEDIA_DATA, "multipart field 'media' missing")
            data = upload.read()
            if not data:
                raise ApiError(codes.EMPTY_MEDIA)
            if media_type == "image":
                if len(data) > IMAGE_MAX_BYTES:
                    raise ApiError(codes.INVALID_IMAGE_SIZE)
                if not data.startswith(IMAGE_MAGIC):
                    raise ApiError(codes.INVALID_MEDIA_TYPE, "image must be JPG or PNG")
            content_type = upload.mimetype or "application/octet-stream"
            rec = state.store_media(media_type, upload.filename or "upload", content_type, data)
            # created_at is a string in WeCom's answer (doc path/90253).
            return {"errcode": 0, "errmsg": "", "type": media_type, "media_id": rec.media_id,
                    "created_at": str(int(rec.created_at))}
        return run("POST", handle)

    @bp.route("/media/get", methods=["GET", "POST"])
    def media_get() -> Response:
        def handle(_: Any) -> dict | Response:
            state.check_token(request.args.get("access_token"))
            media_id = request.args.get("media_id")
            if not media_id:
                raise ApiError(codes.MISSING_MEDIA_ID)
            rec = state.media(media_id)
            if rec is None:
                raise ApiError(codes.INVALID_MEDIA_ID)
            resp = Response(rec.data, mimetype=rec.content_type)
            # headers.set quotes / RFC 2231-encodes the name; an f-string would not.
            resp.headers.set("Content-Disposition", "attachment", filename=rec.filename)
            return resp
        return run("GET", handle)

    return bp

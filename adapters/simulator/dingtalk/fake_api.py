"""Flask blueprints mimicking DingTalk's APIs, for the bot's DingTalk client.

``create_fake_api`` is the new API (real base https://api.dingtalk.com/): token,
robot sends (1:1 and group), the card platform, file downloads; errors as a
non-2xx status with {code, message}. ``create_fake_oapi`` is the old API (real
base https://oapi.dingtalk.com/): sessionWebhooks, media upload, JSAPI tickets;
errors as {errcode, errmsg} with status 200. Every call lands in ``state.calls``.
Faults (``state.faults``) make the next calls answer a status and code.
"""
from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from ..fake_api import _json_body
from .state import Call, CardInstance, DingTalkApiError, DingTalkState

MSG_KEYS = ("sampleText", "sampleMarkdown", "sampleImageMsg")
_SPACE = re.compile(r"^dtv1\.card//(IM_GROUP|IM_ROBOT)\.(.+)$")


@dataclass
class FakeDingTalkConfig:
    app_key: str
    app_secret: str
    robot_code: str
    # None: any syntactically plausible userid / group is taken as known.
    known_users: Callable[[], Iterable[str] | None] = field(default=lambda: None)
    known_groups: Callable[[], Iterable[str] | None] = field(default=lambda: None)

    def user_known(self, user: str) -> bool:
        users = self.known_users()
        return bool(user) and (users is None or user in set(users))

    def group_known(self, chat_id: str) -> bool:
        groups = self.known_groups()
        return bool(chat_id) and (groups is None or chat_id in set(groups))


def _logged(state: DingTalkState, handler: Callable[[Any], Any], old_api: bool) -> Response:
    path = request.path          # tests match the end of it (state.calls_to)
    body = None if request.mimetype == "multipart/form-data" else _json_body()
    injected = state.faults.take(path)
    if injected.errcode is not None:
        status, answer = ((200, {"errcode": injected.errcode, "errmsg": injected.errmsg}) if old_api
                          else (injected.errcode, {"code": injected.errmsg, "message": "injected failure"}))
    else:
        try:
            status, answer = 200, handler(body)
        except DingTalkApiError as exc:
            status, answer = (200, {"errcode": int(exc.code), "errmsg": exc.message}) if old_api else (
                exc.status, {"code": exc.code, "message": exc.message, "requestid": secrets.token_hex(8)})
    state.log_call(Call(request.method, path, request.args.to_dict(), body, status,
                        answer if isinstance(answer, dict) else {"bytes": answer.content_length}))
    if isinstance(answer, Response):
        return answer
    resp = jsonify(answer)
    resp.status_code = status
    return resp


def _string_params(params: Any) -> dict[str, str]:
    if not isinstance(params, dict) or not all(isinstance(v, str) for v in params.values()):
        raise DingTalkApiError(400, "invalidParameter.cardParamMap", "cardParamMap values must be strings")
    return params


def create_fake_api(state: DingTalkState, config: FakeDingTalkConfig, name: str = "dingtalk_fake_api") -> Blueprint:
    bp = Blueprint(name, __name__)

    def token() -> None:
        state.check_token(request.headers.get("x-acs-dingtalk-access-token"))

    def robot_code(body: dict) -> None:
        if body.get("robotCode") != config.robot_code:
            raise DingTalkApiError(400, "invalidParameter.robotCode", "robotCode 不存在")

    def message(body: dict) -> tuple[str, dict]:
        key, raw = body.get("msgKey"), body.get("msgParam")
        if key not in MSG_KEYS:
            raise DingTalkApiError(400, "invalidParameter.msgKey", f"msgKey {key!r}")
        try:
            param = json.loads(raw) if isinstance(raw, str) else None
        except ValueError:
            param = None
        if not isinstance(param, dict):
            raise DingTalkApiError(400, "invalidParameter.msgParam", "msgParam must be a JSON string")
        return key, param

    @bp.post("/v1.0/oauth2/accessToken")
    def access_token():
        def handle(body):
            body = body if isinstance(body, dict) else {}
            if body.get("appKey") != config.app_key or body.get("appSecret") != config.app_secret:
                raise DingTalkApiError(400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret")
            tok, left = state.issue_token()
            return {"accessToken": tok, "expireIn": left}
        return _logged(state, handle, old_api=False)

    @bp.post("/v1.0/robot/oToMessages/batchSend")
    def batch_send():
        def handle(body):
            token()
            body = body if isinstance(body, dict) else {}
            robot_code(body)
            key, param = message(body)
            users = body.get("userIds")
            if not isinstance(users, list) or not users:
                raise DingTalkApiError(400, "invalidParameter.userIds", "userIds required")
            invalid, throttled = [], []
            for user in users:
                if not config.user_known(user):
                    invalid.append(user)
                elif not state.within_rate(user):
                    throttled.append(user)
                else:
                    state.add_entry(user, "bot", key, param, source="robot")
            return {"processQueryKey": secrets.token_urlsafe(16), "invalidStaffIdList": invalid,
                    "flowControlledStaffIdList": throttled}
        return _logged(state, handle, old_api=False)

    @bp.post("/v1.0/robot/groupMessages/send")
    def group_send():
        def handle(body):
            token()
            body = body if isinstance(body, dict) else {}
            robot_code(body)
            key, param = message(body)
            chat_id = body.get("openConversationId") or ""
            if not config.group_known(chat_id):
                raise DingTalkApiError(400, "invalidParameter.openConversationId", "群不存在或机器人不在群内")
            if not state.within_rate(f"group:{chat_id}"):
                raise DingTalkApiError(429, "Forbidden.AccessDenied.QpsLimitForApi", "发送太快")
            state.add_entry(f"group:{chat_id}", "bot", key, param, source="robot")
            return {"processQueryKey": secrets.token_urlsafe(16)}
        return _logged(state, handle, old_api=False)

    @bp.post("/v1.0/card/instances/createAndDeliver")
    def create_and_deliver():
        def handle(body):
            token()
            body = body if isinstance(body, dict) else {}
            out_track_id, template = body.get("outTrackId"), body.get("cardTemplateId")
            if not out_track_id or not template:
                raise DingTalkApiError(400, "invalidParameter", "outTrackId and cardTemplateId required")
            if state.has_card(out_track_id):
                raise DingTalkApiError(400, "invalidParameter.outTrackId.exists", "outTrackId already exists")
            params = _string_params((body.get("cardData") or {}).get("cardParamMap"))
            space = _SPACE.match(body.get("openSpaceId") or "")
            if space is None:
                raise DingTalkApiError(400, "invalidParameter.openSpaceId", "openSpaceId")
            kind, space_id = space.groups()
            group = kind == "IM_GROUP"
            if not (config.group_known(space_id) if group else config.user_known(space_id)):
                return {"success": True, "result": {"outTrackId": out_track_id, "deliverResults": [
                    {"spaceType": kind, "spaceId": space_id, "success": False, "errorMsg": "space not found"}]}}
            chat = f"group:{space_id}" if group else space_id
            entry = state.add_entry(chat, "bot", "card", {"out_track_id": out_track_id}, source="card")
            state.add_card(CardInstance(out_track_id, template, chat, dict(params), entry["id"],
                                        body.get("callbackRouteKey") or ""))
            return {"success": True, "result": {"outTrackId": out_track_id, "deliverResults": [
                {"spaceType": kind, "spaceId": space_id, "success": True, "carrierId": secrets.token_hex(8)}]}}
        return _logged(state, handle, old_api=False)

    @bp.put("/v1.0/card/instances")
    def update_card():
        def handle(body):
            token()
            body = body if isinstance(body, dict) else {}
            out_track_id = body.get("outTrackId") or ""
            if not state.has_card(out_track_id):
                raise DingTalkApiError(400, "invalidParameter.outTrackId", "卡片不存在")
            params = _string_params((body.get("cardData") or {}).get("cardParamMap"))
            by_key = bool((body.get("cardUpdateOptions") or {}).get("updateCardDataByKey"))
            state.update_card(out_track_id, params, by_key)
            return {"success": True, "result": True}
        return _logged(state, handle, old_api=False)

    @bp.post("/v1.0/robot/messageFiles/download")
    def download():
        def handle(body):
            token()
            body = body if isinstance(body, dict) else {}
            robot_code(body)
            code = body.get("downloadCode") or ""
            if state.media(code) is None:
                raise DingTalkApiError(400, "invalidParameter.downloadCode", "downloadCode 无效")
            return {"downloadUrl": url_for(f".{name}_file", media_id=code, _external=True)}
        return _logged(state, handle, old_api=False)

    @bp.get("/files/<path:media_id>", endpoint=f"{name}_file")
    def file(media_id: str):
        found = state.media(media_id)
        if found is None:
            return Response(b"", status=404)
        filename, content_type, data = found
        resp = Response(data, mimetype=content_type)
        resp.headers.set("Content-Disposition", "attachment", filename=filename)
        return resp

    return bp


def create_fake_oapi(state: DingTalkState, config: FakeDingTalkConfig,
                     name: str = "dingtalk_fake_oapi") -> Blueprint:
    bp = Blueprint(name, __name__)

    def token() -> None:
        try:
            state.check_token(request.args.get("access_token"))
        except DingTalkApiError as exc:
            raise DingTalkApiError(200, "88", "不合法的access_token") from exc

    @bp.post("/robot/sendBySession")
    def send_by_session():
        def handle(body):
            chat = state.session_chat(request.args.get("session"))
            if chat is None:
                raise DingTalkApiError(200, "300001", "session 已过期")
            body = body if isinstance(body, dict) else {}
            msgtype = body.get("msgtype")
            sub = body.get(msgtype) if msgtype in ("text", "markdown") else None
            if not isinstance(sub, dict) or not (sub.get("content") or sub.get("text")):
                raise DingTalkApiError(200, "40035", "不合法的参数")
            if not state.within_rate(chat):
                raise DingTalkApiError(200, "130101", "send too fast")
            payload = ({"content": sub["content"]} if msgtype == "text"
                       else {"title": sub.get("title", ""), "text": sub["text"]})
            state.add_entry(chat, "bot", "sampleText" if msgtype == "text" else "sampleMarkdown", payload,
                            source="session_webhook", at=(body.get("at") or {}).get("atUserIds") or [])
            return {"errcode": 0, "errmsg": "ok"}
        return _logged(state, handle, old_api=True)

    @bp.post("/media/upload")
    def media_upload():
        def handle(_):
            token()
            upload = request.files.get("media")
            if upload is None or request.args.get("type") != "image":
                raise DingTalkApiError(200, "40004", "不合法的媒体文件类型")
            data = upload.read()
            if not data:
                raise DingTalkApiError(200, "40005", "不合法的文件")
            media_id = state.store_media(upload.filename or "image.png", upload.mimetype or "image/png", data)
            return {"errcode": 0, "errmsg": "ok", "type": "image", "media_id": media_id}
        return _logged(state, handle, old_api=True)

    @bp.get("/get_jsapi_ticket")
    def jsapi_ticket():
        def handle(_):
            token()
            return {"errcode": 0, "errmsg": "ok", "ticket": "sim-ticket-" + config.app_key, "expires_in": 7200}
        return _logged(state, handle, old_api=True)

    return bp

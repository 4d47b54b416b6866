"""The HTTP adapter for other systems (the ERP): the endpoints capabilities
registered, behind a bearer token.

Every call needs ``Authorization: Bearer <token>`` (``python -m bot
integration add NAME``); without a valid one the answer is a fixed 401 and
nothing is read or written. Flask stays here: capabilities see
:class:`chat.api.ApiRequest` and answer :class:`chat.api.ApiResponse`.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, jsonify, request

from adapters import jsonsafe
from chat.api import ApiRequest, ApiResponse
from chat.context import Services
from chat.integrations import authenticate
from chat.registry import Endpoint

MAX_BODY = 1024 * 1024        # a day's shipments in one post; the app's 64 KB cap is for chat callbacks


def _unauthorized() -> tuple[Response, int]:
    resp = jsonify(error="unauthorized", message="a valid integration token is required: Authorization: Bearer <token>")
    resp.headers["WWW-Authenticate"] = 'Bearer realm="qudao-erp"'
    return resp, 401


def _to_flask(answer: ApiResponse) -> Response | tuple[Response, int]:
    if answer.body is None:
        return jsonify(answer.json), answer.status
    resp = Response(answer.body, status=answer.status, mimetype=answer.content_type)
    if answer.filename:
        resp.headers["Content-Disposition"] = f"attachment; filename={answer.filename}"
    return resp


def create_api_blueprint(svc: Services, endpoints: list[Endpoint], after_write: Callable[[], None]) -> Blueprint:
    bp = Blueprint("api", __name__)

    def view_for(endpoint: Endpoint):
        def view():
            request.max_content_length = MAX_BODY
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return _unauthorized()
            with svc.factory() as s, s.begin():
                name = authenticate(s, token)
            if name is None:
                return _unauthorized()
            body = None
            if endpoint.method != "GET":
                raw = request.get_data(cache=False)
                try:
                    body = jsonsafe.loads(raw) if raw.strip() else None
                except jsonsafe.BadJson as exc:
                    return jsonify(error="bad_json", message=f"the body is no JSON we accept: {exc}"[:300]), 400
            answer = endpoint.run(svc, ApiRequest(endpoint.method, dict(request.args), body, name))
            if endpoint.writes:
                after_write()
            return _to_flask(answer)
        return view

    for endpoint in endpoints:
        bp.add_url_rule(endpoint.path, f"{endpoint.method} {endpoint.path}", view_for(endpoint),
                        methods=[endpoint.method])
    return bp

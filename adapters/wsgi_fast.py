"""A fast lane in front of the Flask app for the platform callbacks.

A platform callback is the one request every message costs, and on a busy
month end it is most of the requests the web processes see. Flask's request
machinery (contexts, the URL map, the Request and Response objects, hooks)
cost more CPU per callback than verifying, decrypting and parsing it, so
routes registered here are served straight from the WSGI environ: the query
string, a body of known length, and a (status, plain text) answer.

Anything else (other paths and methods, a body without a length such as a
chunked one) goes on to Flask untouched; each route here has its Flask view
too, for the requests the lane passes on, so the lane is only ever a shortcut.
Unhandled errors are logged and answered 500, as Flask would,
or raised where the app propagates them (tests).
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from urllib.parse import parse_qsl

from flask import Flask

log = logging.getLogger(__name__)

# (query arguments, body) → (status, plain text)
Handler = Callable[[Mapping[str, str], bytes], tuple[int, str]]
_TEXT = "text/plain; charset=utf-8"


class FastLane:
    def __init__(self, app: Callable, propagate: Callable[[], bool]):
        self._app = app
        self._propagate = propagate
        self._routes: dict[tuple[str, str], tuple[Handler, int]] = {}

    def add(self, method: str, path: str, handler: Handler, max_body: int) -> None:
        self._routes[(method, path)] = (handler, max_body)

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        route = self._routes.get((environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")))
        length = _length(environ) if route is not None else None
        if length is None:
            return self._app(environ, start_response)
        handler, max_body = route
        if length > max_body:
            return _answer(start_response, 413, "body too large")
        try:
            body = environ["wsgi.input"].read(length) if length else b""
        except (OSError, ValueError):       # the client went away mid-body
            return _answer(start_response, 400, "incomplete body")
        args = dict(parse_qsl(_query(environ), keep_blank_values=True)[::-1])
        try:
            status, text = handler(args, body)
        except Exception:
            if self._propagate():
                raise
            log.exception("%s %s failed", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            return _answer(start_response, 500, "internal error")
        return _answer(start_response, status, text)


def _query(environ: dict) -> str:
    """The query string as Flask reads it: PEP 3333 hands it over as latin-1, the bytes are UTF-8."""
    raw = environ.get("QUERY_STRING", "")
    try:
        return raw.encode("latin-1").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return raw


def _length(environ: dict) -> int | None:
    """The body's declared length, or None when there is none to trust (chunked)."""
    if environ.get("HTTP_TRANSFER_ENCODING"):
        return None
    try:
        length = int(environ.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return length if length >= 0 else None


def _answer(start_response, status: int, text: str) -> list[bytes]:
    body = text.encode("utf-8")
    start_response(f"{status} {HTTPStatus(status).phrase}",
                   [("Content-Type", _TEXT), ("Content-Length", str(len(body)))])
    return [body]


def fast_lane(app: Flask) -> FastLane:
    """The app's fast lane, put in front of it the first time it is asked for."""
    lane = app.extensions.get("fast_lane")
    if lane is None:
        lane = FastLane(app.wsgi_app, lambda: _propagates(app))
        app.wsgi_app = lane
        app.extensions["fast_lane"] = lane
    return lane


def _propagates(app: Flask) -> bool:
    """Flask's own rule: PROPAGATE_EXCEPTIONS when it is set, else in testing or debug."""
    setting = app.config.get("PROPAGATE_EXCEPTIONS")
    return bool(setting) if setting is not None else app.testing or app.debug

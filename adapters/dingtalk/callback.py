"""Flask blueprint for DingTalk's callbacks: verify, read, persist, acknowledge.

``POST /dingtalk/robot`` — the robot's messages (HTTP mode): size cap, the
``timestamp``/``sign`` headers (one-hour window, constant-time compare: sign.py),
JSON, the robot code; then the neutral message is persisted (dedup by msgId in
the durable inbox) before the empty 200. Refused requests store nothing.

``POST /dingtalk/events`` — event subscription (card clicks): size cap, the
``signature``/``timestamp``/``nonce`` query over the ``encrypt`` field, AES
decrypt (crypto.py); the answer is "success", sealed, which DingTalk requires
of every event, the URL check ({"EventType": "check_url"}) included.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Blueprint, Response, jsonify, request

from adapters import jsonsafe
from adapters.dingtalk import card_events, inbound, sign
from adapters.dingtalk.crypto import CryptoError, DingTalkCrypto
from adapters.dingtalk.webhooks import SessionWebhooks
from chat import addresses
from chat.messages import CardClick, Inbound, InboundKind
from domain.clock import Clock

log = logging.getLogger(__name__)

Accept = Callable[[Inbound, str], None]


def _plain(status: int, text: str) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def _body(max_body: int) -> bytes | None:
    if (request.content_length or 0) > max_body:
        return None
    body = request.get_data(cache=False)
    return None if len(body) > max_body else body


def _json(body: bytes | str) -> dict | None:
    """An object, or None: not JSON, NaN/Infinity/1e999, nesting deeper than any DingTalk body."""
    try:
        doc = jsonsafe.loads(body)
    except jsonsafe.BadJson:
        return None
    return doc if isinstance(doc, dict) else None


def create_callback_blueprint(app_secret: str, robot_code: str, crypto: DingTalkCrypto, webhooks: SessionWebhooks,
                              accept: Accept, clock: Clock, max_body: int) -> Blueprint:
    bp = Blueprint("dingtalk", __name__)

    def now_ms() -> int:
        return int(clock.now().timestamp() * 1000)

    @bp.post("/dingtalk/robot")
    def robot():
        body = _body(max_body)
        if body is None:
            return _plain(413, "body too large")
        why = sign.refusal(app_secret, request.headers.get("timestamp"), request.headers.get("sign"), now_ms())
        if why:
            log.warning("dingtalk robot callback refused: %s", why)
            return _plain(400 if why.startswith("missing") else 403, why)
        doc = _json(body)
        if doc is None or not doc.get("msgId"):
            return _plain(400, "not a robot message")
        if doc.get("robotCode") and doc["robotCode"] != robot_code:
            return _plain(403, "another robot's message")
        msg = inbound.to_inbound(doc)
        if not msg.sender.strip():
            # No userid (someone outside the organisation, or a broken body): nobody to answer, nothing to store.
            log.warning("dingtalk robot message %s without a sender refused", doc.get("msgId"))
            return _plain(400, "no sender")
        where = addresses.of_group(msg.chat_id) if msg.in_group else msg.sender
        webhooks.remember(where, doc.get("sessionWebhook"), doc.get("sessionWebhookExpiredTime"), now_ms())
        accept(msg, inbound.dedup_key(doc))
        return _plain(200, "")

    @bp.post("/dingtalk/events")
    def events():
        body = _body(max_body)
        if body is None:
            return _plain(413, "body too large")
        a = request.args
        sig, ts, nonce = a.get("signature") or a.get("msg_signature"), a.get("timestamp"), a.get("nonce")
        doc = _json(body)
        encrypt = doc.get("encrypt") if doc else None
        if not (sig and ts and nonce) or not isinstance(encrypt, str) or not encrypt:
            return _plain(400, "missing parameters")
        try:
            fresh = abs(now_ms() - int(ts)) <= sign.WINDOW_MS
        except ValueError:
            fresh = False
        if not fresh:
            return _plain(403, "stale timestamp")
        try:
            crypto.verify(sig, ts, nonce, encrypt)
        except CryptoError:
            return _plain(403, "signature check failed")
        try:
            event = jsonsafe.loads(crypto.decrypt(encrypt))
        except (CryptoError, ValueError):
            return _plain(400, "cannot decrypt")
        click = card_events.parse_click(event)
        if click is not None:
            accept(_click_inbound(click, ts, clock), f"dingtalk:card:{click.out_track_id}:{click.user_id}:"
                                                     f"{click.action}:{ts}:{nonce}")
        elif isinstance(event, dict) and event.get("EventType") != "check_url":
            log.info("dingtalk event %s acknowledged, not used", event.get("EventType"))
        return jsonify(crypto.sealed_success(str(now_ms())))

    return bp


def _click_inbound(click: card_events.Click, ts: str, clock: Clock) -> Inbound:
    try:
        created = datetime.fromtimestamp(int(ts) / 1000, tz=UTC)
    except (ValueError, OverflowError):
        created = clock.now()
    # The card's handle is its outTrackId, which never changes: the click's ref is that.
    return Inbound(platform="dingtalk", kind=InboundKind.CARD_CLICK, sender=click.user_id,
                   msg_id=f"{click.out_track_id}:{ts}", created_at=created,
                   card=CardClick(task_id=click.out_track_id, key=click.action, ref=click.out_track_id),
                   chat_id=click.group_id, mentioned=True)

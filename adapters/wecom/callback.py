"""Flask blueprint for ``/wecom/callback``: verify, decrypt, persist, acknowledge.

Order matters (style.md habit 1): size cap, outer XML parse with entities
off, freshness window, constant-time signature, decrypt, then hand the
neutral message to ``accept`` which persists it before we answer 200.
A group chat's message carries the group robot's ``WebhookUrl``: kept for the
transport, which posts into that group through it.

Replays: a signed callback is fresh for ``window_s`` either side of its
timestamp, so within that time a captured nonce+timestamp+signature could be
re-posted. The (timestamp, nonce) goes into the inbox with the message as its
replay key, unique there: WeCom's own retry (the same message) passes and is
deduplicated by the inbox; another message under the same nonce and timestamp
is refused (403, nothing stored). A message without a sender is refused
(nothing stored, nothing answered to "").

Every message a member sends is one POST here, so ``CallbackReceiver.receive``
is plain Python on the query and the body: the app serves it from its fast lane
(``adapters.wsgi_fast``) without Flask's request machinery, and the blueprint's
POST view (a chunked body, say) calls the same code.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from flask import Blueprint, Response, request

from adapters.wecom.crypto import CryptoError, WeComCrypto
from adapters.wecom.group_webhooks import GroupWebhooks
from adapters.wecom.inbound import dedup_key, to_inbound
from adapters.wecom.xmlsafe import BadXml, parse_xml
from chat.inbox import Replayed
from chat.messages import Inbound
from domain.clock import Clock

log = logging.getLogger(__name__)

# (message, dedup key, replay key) → persisted (or a known duplicate); raises Replayed
Accept = Callable[[Inbound, str, str], object]


def _plain(status: int, text: str) -> Response:
    return Response(text, status=status, mimetype="text/plain")


class CallbackReceiver:
    """Verify, decrypt, persist: (status, plain text) for one POSTed callback."""

    def __init__(self, crypto: WeComCrypto, accept: Accept, clock: Clock, window_s: int, max_body: int,
                 group_webhooks: GroupWebhooks | None = None):
        self.crypto, self.accept, self.clock = crypto, accept, clock
        self.window_s, self.max_body, self.group_webhooks = window_s, max_body, group_webhooks

    def fresh(self, ts: str | None) -> bool:
        try:
            return abs(self.clock.now().timestamp() - int(ts or "")) <= self.window_s
        except ValueError:
            return False

    def receive(self, args: Mapping[str, str], body: bytes) -> tuple[int, str]:
        if len(body) > self.max_body:
            return 413, "body too large"
        sig, ts, nonce = args.get("msg_signature"), args.get("timestamp"), args.get("nonce")
        if not (sig and ts and nonce):
            return 400, "missing parameters"
        try:
            outer = parse_xml(body)
        except (BadXml, UnicodeDecodeError):
            return 400, "malformed xml"
        encrypt = outer.get("Encrypt")
        if not isinstance(encrypt, str) or not encrypt:
            return 400, "no Encrypt element"
        if not self.fresh(ts):
            # Neither WeCom nor wechatpy rejects old messages: a signed replay would
            # otherwise be accepted forever (platforms.md, Freshness).
            return 403, "stale timestamp"
        try:
            self.crypto.verify(sig, ts, nonce, encrypt)
        except CryptoError:
            return 403, "signature check failed"
        try:
            plain = self.crypto.decrypt(encrypt)
        except (CryptoError, UnicodeDecodeError):
            return 400, "cannot decrypt"
        try:
            inner = parse_xml(plain)
        except (BadXml, UnicodeDecodeError):
            return 400, "malformed message xml"
        msg = to_inbound(inner)
        if not msg.sender.strip():
            log.warning("wecom callback without a sender refused (%s)", dedup_key(inner))
            return 400, "no sender"
        if msg.in_group and self.group_webhooks is not None:
            self.group_webhooks.remember(msg.chat_id, inner.get("WebhookUrl"))
        try:
            self.accept(msg, dedup_key(inner), f"wecom:{ts}:{nonce[:64]}")
        except Replayed:
            log.warning("wecom callback reusing timestamp %s and nonce %s for another message refused", ts, nonce)
            return 403, "nonce already used"
        return 200, ""   # empty 200: received, nothing to say now


def create_callback_blueprint(crypto: WeComCrypto, receiver: CallbackReceiver) -> Blueprint:
    bp = Blueprint("wecom", __name__)

    @bp.get("/wecom/callback")
    def verify_url():
        a = request.args
        sig, ts, nonce, echo = a.get("msg_signature"), a.get("timestamp"), a.get("nonce"), a.get("echostr")
        if not (sig and ts and nonce and echo):
            return _plain(400, "missing parameters")
        if not receiver.fresh(ts):
            return _plain(403, "stale timestamp")
        try:
            plain = crypto.verify_and_decrypt(sig, ts, nonce, echo)
        except CryptoError as exc:
            log.warning("wecom url check refused: %s", exc)
            return _plain(403, "signature check failed")
        return _plain(200, plain)   # the plaintext alone, no quotes or newline (path/90930)

    @bp.post("/wecom/callback")
    def receive():
        # The fast lane serves this path when the body has a length; this is the rest.
        if (request.content_length or 0) > receiver.max_body:
            return _plain(413, "body too large")
        return _plain(*receiver.receive(request.args, request.get_data(cache=False)))

    return bp

"""Flask blueprint for ``/wecom/callback``: verify, decrypt, persist, acknowledge.

Order matters (style.md habit 1): size cap, outer XML parse with entities
off, freshness window, constant-time signature, decrypt, then hand the
neutral message to ``accept`` which persists it before we answer 200.
A group chat's message carries the group robot's ``WebhookUrl``: kept for the
transport, which posts into that group through it.

Replays: a signed callback is fresh for ``window_s`` either side of its
timestamp, so within that time a captured nonce+timestamp+signature could be
re-posted. Each accepted (timestamp, nonce) is kept in the shared kv store until
its timestamp goes stale, with a digest of its ``Encrypt``: WeCom's own retry
(the same body) passes and is deduplicated by the inbox; another message under
the same nonce and timestamp is refused. A message without a sender is refused
(nothing stored, nothing answered to "").
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from flask import Blueprint, Response, request

from adapters.wecom.crypto import CryptoError, WeComCrypto
from adapters.wecom.group_webhooks import GroupWebhooks
from adapters.wecom.inbound import dedup_key, to_inbound
from adapters.wecom.xmlsafe import BadXml, parse_xml
from chat.kvstore import KvStore
from chat.messages import Inbound
from domain.clock import Clock

log = logging.getLogger(__name__)

Accept = Callable[[Inbound, str], None]   # (message, dedup key) → persisted (or known duplicate)


def _plain(status: int, text: str) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def create_callback_blueprint(crypto: WeComCrypto, accept: Accept, clock: Clock,
                              window_s: int, max_body: int, group_webhooks: GroupWebhooks | None = None,
                              nonces: KvStore | None = None) -> Blueprint:
    bp = Blueprint("wecom", __name__)

    def first_use(ts: str, nonce: str, encrypt: str) -> bool:
        """Is this (timestamp, nonce) new, or WeCom repeating the same body under it?"""
        if nonces is None:
            return True
        digest = hashlib.sha256(encrypt.encode()).hexdigest()[:32]
        ttl = int(ts) + window_s - int(clock.now().timestamp()) + 1   # until the timestamp is stale
        held = nonces.add(f"wecom:nonce:{ts}:{nonce[:64]}", digest, max(1, ttl))
        return held is None or held == digest

    def fresh(ts: str | None) -> bool:
        try:
            return abs(clock.now().timestamp() - int(ts or "")) <= window_s
        except ValueError:
            return False

    @bp.get("/wecom/callback")
    def verify_url():
        a = request.args
        sig, ts, nonce, echo = a.get("msg_signature"), a.get("timestamp"), a.get("nonce"), a.get("echostr")
        if not (sig and ts and nonce and echo):
            return _plain(400, "missing parameters")
        if not fresh(ts):
            return _plain(403, "stale timestamp")
        try:
            plain = crypto.verify_and_decrypt(sig, ts, nonce, echo)
        except CryptoError as exc:
            log.warning("wecom url check refused: %s", exc)
            return _plain(403, "signature check failed")
        return _plain(200, plain)   # the plaintext alone, no quotes or newline (path/90930)

    @bp.post("/wecom/callback")
    def receive():
        if (request.content_length or 0) > max_body:
            return _plain(413, "body too large")
        body = request.get_data(cache=False)
        if len(body) > max_body:
            return _plain(413, "body too large")
        a = request.args
        sig, ts, nonce = a.get("msg_signature"), a.get("timestamp"), a.get("nonce")
        if not (sig and ts and nonce):
            return _plain(400, "missing parameters")
        try:
            outer = parse_xml(body)
        except (BadXml, UnicodeDecodeError):
            return _plain(400, "malformed xml")
        encrypt = outer.get("Encrypt")
        if not isinstance(encrypt, str) or not encrypt:
            return _plain(400, "no Encrypt element")
        if not fresh(ts):
            # Neither WeCom nor wechatpy rejects old messages: a signed replay would
            # otherwise be accepted forever (platforms.md, Freshness).
            return _plain(403, "stale timestamp")
        try:
            crypto.verify(sig, ts, nonce, encrypt)
        except CryptoError:
            return _plain(403, "signature check failed")
        try:
            plain = crypto.decrypt(encrypt)
        except (CryptoError, UnicodeDecodeError):
            return _plain(400, "cannot decrypt")
        try:
            inner = parse_xml(plain)
        except (BadXml, UnicodeDecodeError):
            return _plain(400, "malformed message xml")
        msg = to_inbound(inner)
        if not msg.sender.strip():
            log.warning("wecom callback without a sender refused (%s)", dedup_key(inner))
            return _plain(400, "no sender")
        if not first_use(ts, nonce, encrypt):
            log.warning("wecom callback reusing timestamp %s and nonce %s for another body refused", ts, nonce)
            return _plain(403, "nonce already used")
        if msg.in_group and group_webhooks is not None:
            group_webhooks.remember(msg.chat_id, inner.get("WebhookUrl"))
        accept(msg, dedup_key(inner))
        return _plain(200, "")   # empty 200: received, nothing to say now

    return bp

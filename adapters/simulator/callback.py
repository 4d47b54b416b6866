"""Deliver a user's message to the bot the way WeCom does, and read its reply.

WeCom POSTs ``<xml><ToUserName/><Encrypt/><AgentID/></xml>`` with
``msg_signature``, ``timestamp`` and ``nonce`` in the query (doc path/90930,
path/91144); a non-200 or no answer in 5 s makes it retry, 3 tries in all
(doc path/90238). The bot may answer an empty 200 or a passive reply
``<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>``, which we
verify and decrypt with the same crypto the bot uses.
"""
from __future__ import annotations

import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
import xmltodict

from adapters.wecom.crypto import CryptoError, WeComCrypto

from .inbound_xml import envelope

REPLY_MAX_BYTES = 1024 * 1024
WECOM_TIMEOUT = 5.0      # WeCom gives up on an answer after 5 s


@dataclass
class CallbackResult:
    status: int | None = None          # last HTTP status, None if no answer at all
    error: str | None = None           # network error / timeout of the last try
    attempts: list[dict] = field(default_factory=list)
    reply_xml: str | None = None       # decrypted passive reply
    reply: dict | None = None          # ... parsed into a dict (xmltodict)
    reply_error: str | None = None     # why a non-empty reply was rejected

    @property
    def ok(self) -> bool:
        return self.status == 200


def parse_xml(text: str | bytes) -> dict:
    """xmltodict (expat) with entities refused by xmltodict ≥1.0.2; returns the <xml> dict."""
    doc = xmltodict.parse(text)
    root = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        raise ValueError("root element is not <xml>")
    return root


class CallbackClient:
    def __init__(self, crypto: WeComCrypto, corp_id: str, agent_id: str | int,
                 url: Callable[[], str], *, timeout: float = WECOM_TIMEOUT, attempts: int = 1,
                 clock: Callable[[], float] = time.time,
                 session: requests.Session | None = None):
        self.crypto = crypto
        self.corp_id = corp_id
        self.agent_id = agent_id
        self.url = url
        self.timeout = timeout
        self.max_attempts = max(1, attempts)
        self.clock = clock
        if session is None:
            session = requests.Session()
            # Ignore *_PROXY variables: the bot is local and must be reached directly.
            session.trust_env = False
        self.session = session

    def deliver(self, plaintext_xml: str) -> CallbackResult:
        timestamp = str(int(self.clock()))
        nonce = "".join(secrets.choice(string.digits) for _ in range(10))
        sealed = self.crypto.seal(plaintext_xml, timestamp, nonce)
        body = envelope(self.corp_id, sealed["encrypt"], self.agent_id).encode("utf-8")
        params = {"msg_signature": sealed["msg_signature"], "timestamp": timestamp, "nonce": nonce}
        result = CallbackResult()
        # A retry resends the very same signed body, as WeCom does.
        for _ in range(self.max_attempts):
            try:
                resp = self.session.post(self.url(), params=params, data=body, timeout=self.timeout,
                                         headers={"Content-Type": "text/xml; charset=utf-8"})
            except requests.RequestException as exc:
                result.status, result.error = None, f"{exc.__class__.__name__}: {exc}"
                result.attempts.append({"status": None, "error": result.error})
                continue
            result.status, result.error = resp.status_code, None
            result.attempts.append({"status": resp.status_code, "error": None})
            if resp.status_code == 200:
                self._read_reply(resp.content, result)
                break
        return result

    def _read_reply(self, content: bytes, result: CallbackResult) -> None:
        if not content.strip():
            return   # empty 200: "received, nothing to say now"
        if len(content) > REPLY_MAX_BYTES:
            result.reply_error = "reply too large"
            return
        try:
            outer = parse_xml(content)
            plain = self.crypto.verify_and_decrypt(
                outer.get("MsgSignature") or "", outer.get("TimeStamp") or "",
                outer.get("Nonce") or "", outer.get("Encrypt") or "")
            result.reply_xml = plain
            result.reply = parse_xml(plain)
        except CryptoError as exc:
            result.reply_error = f"reply rejected: {exc}"
        except Exception as exc:  # expat errors, refused entities, odd shapes
            result.reply_error = f"reply unreadable: {exc.__class__.__name__}: {exc}"

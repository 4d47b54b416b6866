"""Callback crypto shared by WeCom and DingTalk: signature and AES envelope.

WeCom's scheme (doc https://developer.work.weixin.qq.com/document/path/91144,
加解密方案) is also DingTalk's for event subscriptions (platforms.md: sha1 over
sorted token/timestamp/nonce/encrypt; AES-CBC, 32-byte PKCS#7); only the
receive id differs (WeCom: the corp id; DingTalk: the app key), so each adapter
makes its own ``CallbackCrypto``.
wechatpy's ``PrpCrypto`` does the AES-256-CBC / 32-byte PKCS#7 envelope; we
compute and compare the signature ourselves because wechatpy compares with
``!=`` (not constant time) and parses the XML before checking the signature.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string

from wechatpy.crypto import PrpCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException


class CryptoError(Exception):
    """Signature mismatch or a body that does not decrypt for our corp."""


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """sha1 over the four values sorted as strings, hex encoded (doc path/91144)."""
    parts = sorted([token, str(timestamp), str(nonce), encrypt])
    return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()


class CallbackCrypto:
    def __init__(self, token: str, encoding_aes_key: str, receive_id: str):
        key = base64.b64decode(encoding_aes_key + "=")
        if len(key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")
        self._key = key
        self.token = token
        self.receive_id = receive_id

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        expected = signature(self.token, timestamp, nonce, encrypt)
        if not hmac.compare_digest(expected.encode(), (msg_signature or "").encode()):
            raise CryptoError("bad signature")

    def decrypt(self, encrypt: str) -> str:
        try:
            plain = PrpCrypto(self._key).decrypt(encrypt, self.receive_id)
        except (InvalidAppIdException, InvalidSignatureException, ValueError,
                UnicodeDecodeError, IndexError, TypeError) as exc:
            raise CryptoError(f"cannot decrypt: {exc.__class__.__name__}") from exc
        except Exception as exc:  # malformed base64/padding surface as assorted errors
            raise CryptoError(f"cannot decrypt: {exc.__class__.__name__}") from exc
        return plain.decode("utf-8") if isinstance(plain, bytes) else plain

    def verify_and_decrypt(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> str:
        self.verify(msg_signature, timestamp, nonce, encrypt)
        return self.decrypt(encrypt)

    def encrypt(self, plaintext: str) -> str:
        out = PrpCrypto(self._key).encrypt(plaintext, self.receive_id)
        return out.decode("ascii") if isinstance(out, bytes) else out

    def seal(self, plaintext: str, timestamp: str, nonce: str | None = None) -> dict[str, str]:
        """Encrypt and sign: what the platform puts in a callback (and we in a reply)."""
        nonce = nonce or "".join(secrets.choice(string.digits) for _ in range(10))
        enc = self.encrypt(plaintext)
        return {
            "encrypt": enc,
            "msg_signature": signature(self.token, timestamp, nonce, enc),
            "timestamp": str(timestamp),
            "nonce": nonce,
        }

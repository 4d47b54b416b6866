"""DingTalk's event-subscription crypto: WeCom's scheme with the app key as the
receive id (platforms.md; official vector DingCallbackCrypto3.py, tested in
tests/unit/test_dingtalk_crypto.py). Card clicks reach /dingtalk/events this
way, and the answer to each event is the word "success", sealed the same way."""
from __future__ import annotations

from adapters.callback_crypto import CallbackCrypto, CryptoError

__all__ = ["CryptoError", "DingTalkCrypto"]


class DingTalkCrypto(CallbackCrypto):
    """``receive_id``: the app key (AppKey / ClientID)."""

    def sealed_success(self, timestamp: str) -> dict[str, str]:
        """The answer DingTalk waits for: {msg_signature, timeStamp, nonce, encrypt("success")}."""
        sealed = self.seal("success", timestamp)
        return {"msg_signature": sealed["msg_signature"], "timeStamp": sealed["timestamp"],
                "nonce": sealed["nonce"], "encrypt": sealed["encrypt"]}

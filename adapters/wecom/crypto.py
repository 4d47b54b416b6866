"""WeCom callback crypto: the shared envelope (adapters/callback_crypto.py)
with the corp id as the receive id (doc path/91144)."""
from __future__ import annotations

from adapters.callback_crypto import CallbackCrypto, CryptoError, signature

__all__ = ["CryptoError", "WeComCrypto", "signature"]


class WeComCrypto(CallbackCrypto):
    """``receive_id``: the corp id of a self-built app."""

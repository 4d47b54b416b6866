"""MsgId generator for messages the simulated users send.

WeCom's MsgId used to be a 64-bit number, but payloads seen in 2025 carry
opaque base64 ids such as ``CAIQg/PKxgYY2sC9tpuAgAMg9/zKaw==`` (platforms.md).
We mix both (about 1 in 5 opaque) so the bot never gets to assume digits.
"""
from __future__ import annotations

import base64
import random
import threading

# The observed opaque ids decode to bytes starting 08 02 10 (a protobuf header),
# so they all begin with "CAIQ"; mimic that so they look the part.
_OPAQUE_PREFIX = b"\x08\x02\x10"


class MsgIdGenerator:
    def __init__(self, opaque_ratio: float = 0.2, rng: random.Random | None = None):
        self.opaque_ratio = opaque_ratio
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        # Random 19-digit start: ids stay unique across simulator restarts in
        # practice, so the bot's MsgId dedup does not swallow fresh messages.
        self._next = self._rng.randrange(7 * 10**18, 8 * 10**18)

    def __call__(self) -> str:
        with self._lock:
            if self._rng.random() < self.opaque_ratio:
                raw = _OPAQUE_PREFIX + bytes(self._rng.getrandbits(8) for _ in range(19))
                return base64.b64encode(raw).decode("ascii")
            self._next += self._rng.randint(1, 997)
            return str(self._next)

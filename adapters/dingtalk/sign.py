"""The robot callback's proof of origin (platforms.md, "Enterprise robot, HTTP
mode"): headers ``timestamp`` (milliseconds) and ``sign`` =
base64(HMAC-SHA256(key=appSecret, msg=timestamp + "\\n" + appSecret)).
DingTalk itself refuses a sign more than an hour off; so do we, because a
correctly signed old request replayed later must not be taken as new."""
from __future__ import annotations

import base64
import hashlib
import hmac

WINDOW_MS = 3600 * 1000


def sign(app_secret: str, timestamp: str) -> str:
    digest = hmac.new(app_secret.encode("utf-8"), f"{timestamp}\n{app_secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def refusal(app_secret: str, timestamp: str | None, given: str | None, now_ms: int) -> str | None:
    """Why the headers don't prove the request is DingTalk's and fresh (None: they do)."""
    if not timestamp or not given:
        return "missing timestamp or sign"
    try:
        ts = int(timestamp)
    except ValueError:
        return "bad timestamp"
    if abs(now_ms - ts) > WINDOW_MS:
        return "stale timestamp"
    if not hmac.compare_digest(sign(app_secret, timestamp).encode(), given.encode()):
        return "bad sign"
    return None

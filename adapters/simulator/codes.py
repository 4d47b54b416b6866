"""Error codes the fake WeCom API answers with.

Codes marked ``documented=True`` are taken from WeCom's global error-code
table (https://developer.work.weixin.qq.com/document/path/90313), so the bot
can branch on them exactly as it would against the real server. WeCom does
not document specific codes for a duplicated ``task_id`` or for a used /
expired ``response_code``; for those we answer clearly *simulated* codes in
the 99xxxx range (errmsg says "simulated") so nobody mistakes them for real
ones — the bot should treat any non-zero answer there as "cannot update".
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ErrorCode:
    code: int
    message: str
    documented: bool


SYSTEM_BUSY = ErrorCode(-1, "system busy", True)
INVALID_SECRET = ErrorCode(40001, "invalid credential (secret)", True)
INVALID_MEDIA_TYPE = ErrorCode(40004, "invalid media file type", True)
INVALID_UPLOAD_TYPE = ErrorCode(40005, "invalid type parameter", True)
INVALID_MEDIA_ID = ErrorCode(40007, "invalid media_id", True)
INVALID_MSGTYPE = ErrorCode(40008, "invalid message type", True)
INVALID_IMAGE_SIZE = ErrorCode(40009, "invalid image size", True)
INVALID_CORPID = ErrorCode(40013, "invalid corpid", True)
INVALID_TOKEN = ErrorCode(40014, "invalid access_token", True)
INVALID_CODE = ErrorCode(40029, "invalid code", True)
INVALID_AGENTID = ErrorCode(40056, "invalid agentid", True)
INVALID_PARAMETER = ErrorCode(40058, "invalid parameter", True)
MISSING_TOKEN = ErrorCode(41001, "access_token missing", True)
MISSING_CORPID = ErrorCode(41002, "corpid missing", True)
MISSING_SECRET = ErrorCode(41004, "corpsecret missing", True)
MISSING_MEDIA_DATA = ErrorCode(41005, "media data missing", True)
MISSING_MEDIA_ID = ErrorCode(41006, "media_id missing", True)
MISSING_AGENTID = ErrorCode(41011, "agentid missing", True)
TOKEN_EXPIRED = ErrorCode(42001, "access_token expired", True)
REQUIRE_GET = ErrorCode(43001, "require GET method", True)
REQUIRE_POST = ErrorCode(43002, "require POST method", True)
EMPTY_MEDIA = ErrorCode(44001, "empty media data", True)
EMPTY_CONTENT = ErrorCode(44004, "empty content", True)
CONTENT_TOO_LONG = ErrorCode(45002, "content size out of limit", True)
API_RATE_LIMIT = ErrorCode(45009, "reach max api daily quota limit", True)
TOO_MANY_CONCURRENT = ErrorCode(45033, "api concurrent out of limit", True)
BAD_JSON = ErrorCode(47001, "data format error", True)
ALL_USERS_INVALID = ErrorCode(81013, "user & party & tag all invalid", True)

TASK_ID_EXISTS = ErrorCode(990001, "task_id already exists (simulated code)", False)
RESPONSE_CODE_UNKNOWN = ErrorCode(990002, "invalid response_code (simulated code)", False)
RESPONSE_CODE_USED = ErrorCode(990003, "response_code already used (simulated code)", False)
RESPONSE_CODE_EXPIRED = ErrorCode(990004, "response_code expired (simulated code)", False)

ALL_CODES: tuple[ErrorCode, ...] = tuple(v for v in globals().values() if isinstance(v, ErrorCode))


class ApiError(Exception):
    """Raised inside the fake API; rendered as WeCom's JSON error body."""

    def __init__(self, error: ErrorCode, detail: str = "", **extra: object):
        super().__init__(f"{error.code} {error.message} {detail}".strip())
        self.error = error
        self.detail = detail
        self.extra = extra

    def body(self) -> dict:
        msg = self.error.message + (f", {self.detail}" if self.detail else "")
        # Real WeCom appends a "hint" and a doc link to errmsg; a short text suffices here.
        return {"errcode": self.error.code, "errmsg": msg, **self.extra}

"""Calls from other systems (the ERP), as capabilities see them: a neutral
request and response, no web framework. Capabilities register endpoints
(``registry.endpoint``); the HTTP adapter authenticates the caller's token
and translates.

Batch bodies are one item or a list under a key; each item is applied in its
own transaction and reported on its own: 200 all applied, 207 some, 422 none.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chat.context import Context, Services

MAX_ITEMS = 1000


@dataclass(frozen=True)
class ApiRequest:
    method: str
    args: dict[str, str]
    json: Any                 # None when the body is no JSON
    integration: str          # the name of the caller's token


@dataclass(frozen=True)
class ApiResponse:
    status: int
    json: Any = None
    body: bytes | str | None = None        # a file instead of JSON
    content_type: str | None = None
    filename: str | None = None
    headers: dict[str, str] | None = None


class ItemError(ValueError):
    """One item of a batch can't be applied; the others go on."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def error(status: int, code: str, message: str) -> ApiResponse:
    return ApiResponse(status, {"error": code, "message": message})


def items_of(req: ApiRequest, key: str) -> list | ApiResponse:
    """The items of a batch body: {key: [...]} or one object."""
    body = req.json
    if isinstance(body, dict) and isinstance(body.get(key), list):
        items = body[key]
    elif isinstance(body, dict):
        items = [body]
    else:
        return error(400, "bad_body", f'send a JSON object (one update) or {{"{key}": [...]}}')
    if not items or len(items) > MAX_ITEMS:
        return error(400, "bad_body", f"1..{MAX_ITEMS} items per request")
    return items


def apply_each(svc: Services, req: ApiRequest, items: list, apply: Callable[[Context, Any], Any],
               ref_of: Callable[[Any], Any]) -> ApiResponse:
    """Each item in its own transaction, acting as the integration."""
    from chat.context import Context
    results, failed = [], 0
    for item in items:
        try:
            with svc.factory() as s, s.begin():
                ctx = Context.for_system(s, svc, actor=f"erp:{req.integration}")
                results.append(apply(ctx, item).to_dict())
        except ItemError as exc:
            failed += 1
            results.append({"error": exc.code, "message": str(exc), "ref": ref_of(item)})
    status = 200 if not failed else (422 if failed == len(items) else 207)
    return ApiResponse(status, {"results": results, "failed": failed})

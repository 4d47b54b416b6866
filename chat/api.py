"""Calls from other systems (the ERP), as capabilities see them: a neutral
request and response, no web framework. Capabilities register endpoints
(``registry.endpoint``); the HTTP adapter authenticates the caller's token
and translates.

Batch bodies are one item or a list under a key. Every item is checked
first (``check``: what can be said without the database); one malformed item
refuses the whole batch (422, nothing applied, each item says why or that it
was not applied). Then the items are applied in ONE transaction, each in a
savepoint and reported on its own (an item the data refuses, such as an
unknown order, is rolled back alone): 200 all applied, 207 some, 422 none. An
unexpected failure rolls back the whole batch, so a 500 never leaves half a
batch behind.
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
               ref_of: Callable[[Any], Any], check: Callable[[Any], Any] | None = None) -> ApiResponse:
    """Check every item, then apply them in one transaction, acting as the integration."""
    from chat.context import Context
    if check is not None:
        refused = {}
        for i, item in enumerate(items):
            try:
                check(item)
            except ItemError as exc:
                refused[i] = {"error": exc.code, "message": str(exc), "ref": ref_of(item)}
        if refused:
            untouched = {"result": "not_applied", "message": "the batch was refused: correct the items with an "
                                                             "error and send the batch again"}
            return ApiResponse(422, {"results": [refused.get(i) or {**untouched, "ref": ref_of(item)}
                                                 for i, item in enumerate(items)], "failed": len(refused)})
    results, failed = [], 0
    with svc.factory() as s, s.begin():
        for item in items:
            try:
                with s.begin_nested():
                    ctx = Context.for_system(s, svc, actor=f"erp:{req.integration}")
                    results.append(apply(ctx, item).to_dict())
            except ItemError as exc:
                failed += 1
                results.append({"error": exc.code, "message": str(exc), "ref": ref_of(item)})
    status = 200 if not failed else (422 if failed == len(items) else 207)
    return ApiResponse(status, {"results": results, "failed": failed})

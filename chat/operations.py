"""Calling what capabilities registered as named operations (``registry.operation``)
from a front-end that is not a chat: the ops console asks for "customers.merge"
by name and never imports the capability."""
from __future__ import annotations

from typing import Any

from chat.context import Services


class Refused(Exception):
    """An operation said no and changed nothing; ``message`` is for the person
    who asked (Chinese, then English)."""

    def __init__(self, zh: str, en: str | None = None, code: str = "refused", **details: Any):
        super().__init__(zh)
        self.zh, self.en, self.code = zh, en or zh, code
        self.details = details          # e.g. the line of a file the refusal is about

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


class UnknownOperation(LookupError):
    pass


def call(svc: Services, operation: str, actor: str, /, **params: Any) -> Any:
    """Run ``operation`` for ``actor`` (a user id, recorded in the audit trail)."""
    op = svc.registry.operations.get(operation)
    if op is None:
        raise UnknownOperation(f"no operation {operation!r} is registered")
    return op.run(svc, actor, **params)

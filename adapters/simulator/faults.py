"""Failure injection for tests: make the next N calls to an API misbehave.

Rules match when the request path (relative to the API mount, e.g.
``/cgi-bin/message/send``) ends with the given suffix, so ``"message/send"``
and ``"gettoken"`` both work. Each rule is consumed one call at a time.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

DROP_502 = "502"      # answer HTTP 502 with no JSON (a proxy in between failed)
DROP_CLOSE = "close"  # shut the socket without an answer (falls back to 502 in-process)


@dataclass
class _Rule:
    suffix: str
    remaining: int
    errcode: int = 0
    errmsg: str = ""
    seconds: float = 0.0
    mode: str = DROP_502

    def matches(self, path: str) -> bool:
        return self.remaining > 0 and path.rstrip("/").endswith(self.suffix.strip("/"))


@dataclass(frozen=True)
class Injected:
    """What to do to one call; every field may be set at once."""

    delay: float = 0.0
    drop: str | None = None
    errcode: int | None = None
    errmsg: str = ""


class FaultPlan:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._fails: list[_Rule] = []
        self._drops: list[_Rule] = []
        self._delays: list[_Rule] = []

    def fail_next(self, path_suffix: str, errcode: int, times: int = 1, errmsg: str = "") -> None:
        with self._lock:
            self._fails.append(_Rule(path_suffix, times, errcode=errcode, errmsg=errmsg))

    def drop_next(self, path_suffix: str, times: int = 1, mode: str = DROP_502) -> None:
        if mode not in (DROP_502, DROP_CLOSE):
            raise ValueError(f"unknown drop mode {mode!r}")
        with self._lock:
            self._drops.append(_Rule(path_suffix, times, mode=mode))

    def delay_next(self, path_suffix: str, seconds: float, times: int = 1) -> None:
        with self._lock:
            self._delays.append(_Rule(path_suffix, times, seconds=seconds))

    def take(self, path: str) -> Injected:
        """Consume at most one rule of each kind that matches ``path``."""
        with self._lock:
            delay = self._consume(self._delays, path)
            drop = self._consume(self._drops, path)
            # A dropped call never reaches the API, so it must not eat a failure rule.
            fail = None if drop else self._consume(self._fails, path)
        return Injected(
            delay=delay.seconds if delay else 0.0,
            drop=drop.mode if drop else None,
            errcode=fail.errcode if fail else None,
            errmsg=(fail.errmsg or "injected failure") if fail else "",
        )

    def pending(self) -> int:
        with self._lock:
            return sum(r.remaining for r in self._fails + self._drops + self._delays)

    def clear(self) -> None:
        with self._lock:
            self._fails.clear()
            self._drops.clear()
            self._delays.clear()

    @staticmethod
    def _consume(rules: list[_Rule], path: str) -> _Rule | None:
        for rule in rules:
            if rule.matches(path):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    rules.remove(rule)
                return rule
        return None

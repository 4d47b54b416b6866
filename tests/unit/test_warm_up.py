"""Warm-ups: what capabilities build lazily is built when a worker starts."""
from __future__ import annotations

import logging

from bot.app import build_router
from chat.registry import Registry
from domain.language import normalize


def test_each_warm_up_runs_once_and_a_failing_one_is_logged_not_raised(caplog):
    registry, ran = Registry(), []
    registry.warm_up(lambda: ran.append("a"))
    registry.warm_up(lambda: 1 / 0)
    registry.warm_up(lambda: ran.append("b"))
    with caplog.at_level(logging.ERROR, logger="chat.registry"):
        registry.warm()
    assert ran == ["a", "b"]
    assert "warm-up" in caplog.text and "ZeroDivisionError" in caplog.text


def test_registration_warms_the_parser_and_the_converter(monkeypatch):
    fresh = normalize._T2S()                      # as a new worker process has it: not built
    monkeypatch.setattr(normalize, "_t2s", fresh)
    build_router().registry.warm()
    assert fresh._table                            # built by the warm-up, not by the first message

"""Fixtures of the capability tests: the app on the platform-free test
backend (``chat`` records what the bot delivered, ``driver`` sends what users
send)."""
from __future__ import annotations

import pytest

from tests.support.apps import build_app
from tests.support.chat_driver import PLATFORM, ChatDriver, RecordingTransport, recording_platforms


@pytest.fixture
def chat() -> RecordingTransport:
    return RecordingTransport()


def _app(settings, clock, chat):
    settings = settings.with_(simulator=False, processing="inline", default_platform=PLATFORM)
    return build_app(settings, clock, platforms=recording_platforms(chat))


@pytest.fixture
def app(db_url, chat, clock, base_settings):
    app = _app(base_settings.with_(database_url=db_url), clock, chat)
    yield app
    q = app.extensions["qudao"]
    q.runner.stop()
    q.engine.dispose()


@pytest.fixture
def pg_app(pg_url, redis_url, chat, clock, base_settings):
    app = _app(base_settings.with_(database_url=pg_url, redis_url=redis_url), clock, chat)
    yield app
    app.extensions["qudao"].engine.dispose()


@pytest.fixture
def driver(app, clock) -> ChatDriver:
    return ChatDriver(app, clock)


@pytest.fixture
def pg_driver(pg_app, clock) -> ChatDriver:
    return ChatDriver(pg_app, clock)

"""Capability tests: neutral messages in through the inbox, neutral messages
out of the outbox, no platform in between (tests/support/chat_driver.py)."""
from tests.support.chat_fixtures import app, chat, driver, pg_app, pg_driver  # noqa: F401 (fixtures)
from tests.support.imports import demo_db, empty_db  # noqa: F401 (fixtures)

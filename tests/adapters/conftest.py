"""Adapter tests: the real WeCom wire format (signed, encrypted XML) against
the local mock of the WeCom API."""
from tests.support.wecom import app, driver, pg_app, wecom  # noqa: F401 (fixtures)

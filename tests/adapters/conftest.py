"""Adapter tests: the real wire formats (WeCom's signed, encrypted XML;
DingTalk's signed JSON and sealed events) against the local fakes of their APIs."""
from tests.support.dingtalk import dingtalk, dt_app, dt_driver  # noqa: F401 (fixtures)
from tests.support.wecom import app, driver, pg_app, pg_driver, wecom  # noqa: F401 (fixtures)

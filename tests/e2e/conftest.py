"""End-to-end tests: processes, the browser, PostgreSQL with Redis, the CLI; WeCom
where a chat platform is needed."""
from tests.support.imports import demo_db, empty_db  # noqa: F401 (fixtures)
from tests.support.wecom import app, driver, pg_app, pg_driver, wecom  # noqa: F401 (fixtures)

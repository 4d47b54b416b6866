"""Serving mode: the ack comes first and the work happens in the background;
a message accepted just before a crash is still processed after a restart."""
from __future__ import annotations

from sqlalchemy import select

from chat.messages import Inbound
from models import InboxMessage, Registration
from tests.support.apps import build_app
from tests.support.reading import last_text, texts_to, wait_for
from tests.support.wecom import WeComDriver


def test_background_processing_after_a_fast_ack(db_url, wecom, clock, base_settings):
    # No embedded scheduler (the simulator's default): serving runs it apart, and one
    # left running here fired its jobs into the interpreter's shutdown.
    settings = base_settings.with_(database_url=db_url, simulator=False, scheduler="off",
                                   processing="thread").with_wecom(api_base=wecom.base_url)
    app = build_app(settings, clock)
    try:
        driver = WeComDriver(app, clock, base_settings, wecom)
        assert driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万").status_code == 200
        assert wait_for(lambda: texts_to(wecom, "dealer_bj_li"), timeout=15)
        assert "报备成功" in last_text(wecom, "dealer_bj_li")
    finally:
        app.extensions["qudao"].runner.stop()
        app.extensions["qudao"].engine.dispose()


def test_a_message_persisted_before_a_crash_is_processed_after_restart(db_url, wecom, clock, base_settings):
    settings = base_settings.with_(database_url=db_url, simulator=False, scheduler="off",
                                   processing="inline").with_wecom(api_base=wecom.base_url)
    first = build_app(settings, clock)
    msg = Inbound(platform="wecom", kind="text", sender="dealer_bj_li", msg_id="m-1", created_at=clock.now(),
                  text="报备 北京协和医院 彩超 80万")
    # The callback persisted it and answered 200; then the process died before the work.
    assert first.extensions["qudao"].inbox.accept(msg, "wecom:msg:m-1") is not None
    first.extensions["qudao"].engine.dispose()

    restarted = build_app(settings.with_(processing="thread"), clock)
    q = restarted.extensions["qudao"]
    try:
        assert wait_for(lambda: texts_to(wecom, "dealer_bj_li"), timeout=20)
        with q.factory() as s:
            assert s.execute(select(InboxMessage.status)).scalar_one() == "done"
            assert s.execute(select(Registration.status)).scalar_one() == "approved"
    finally:
        q.runner.stop()
        q.engine.dispose()


def test_the_migrations_build_exactly_the_models(tmp_path):
    """A model changed without a migration (or the reverse) would pass every other
    test on a fresh database yet break an upgraded one."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import models
    from models.db import make_engine, upgrade_schema
    engine = make_engine(f"sqlite:///{tmp_path}/migrated.sqlite3")
    upgrade_schema(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), models.Base.metadata) == []
    engine.dispose()

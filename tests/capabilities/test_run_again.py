"""chat.context.RunAgain and Context.at_end: a command that decided on reads taken
without a lock, and finds at its end (under the lock) that they may be stale, is
rolled back whole — its replies too — and run once more at once, this time told
so (``second_pass``); raised again, it fails like any command and is retried later.
A step kept for the end runs after everything the command wrote, and at once in a
context nobody finishes."""
from __future__ import annotations

from sqlalchemy import select

from chat.context import Context, RunAgain
from chat.messages import Text
from models import InboxMessage, InboxStatus


def _stale_at_end(ctx: Context, always: bool = False) -> None:
    ctx.reply(Text("second pass" if ctx.second_pass else "first pass"))

    def check() -> None:
        if ctx.may_run_again or always:
            raise RunAgain("what it read changed")
    ctx.at_end(check)


def _with_dispatch(app, dispatch):
    router = app.extensions["qudao"].inbox.router
    router.dispatch = dispatch
    return router


def test_a_command_found_stale_at_its_end_is_rolled_back_and_run_again_at_once(app, driver, chat):
    q = app.extensions["qudao"]
    passes = []
    router = _with_dispatch(app, lambda ctx: (passes.append(ctx.second_pass), _stale_at_end(ctx)))
    try:
        inbox_id = driver.text("dealer_bj_li", "anything")
    finally:
        del router.dispatch
    q.deliverer.drain()
    assert passes == [False, True]
    assert q.inbox.second_passes == 1
    assert chat.texts_to("dealer_bj_li") == ["second pass"]         # the first pass's reply went with it
    with q.factory() as s:
        row = s.get(InboxMessage, inbox_id)
        assert row.status == InboxStatus.DONE and row.attempts == 1


def test_a_command_stale_in_its_second_pass_too_fails_and_is_kept_for_a_retry(app, driver, chat):
    q = app.extensions["qudao"]
    router = _with_dispatch(app, lambda ctx: _stale_at_end(ctx, always=True))
    try:
        inbox_id = driver.text("dealer_bj_li", "anything")
    finally:
        del router.dispatch
    q.deliverer.drain()
    assert chat.texts_to("dealer_bj_li") == []
    with q.factory() as s:
        row = s.get(InboxMessage, inbox_id)
        assert row.status == InboxStatus.NEW and row.attempts == 1 and "RunAgain" in row.error


def test_a_step_kept_for_the_end_runs_at_once_where_nobody_finishes_the_context(app):
    q = app.extensions["qudao"]
    ran = []
    with q.factory() as s, s.begin():
        ctx = Context.for_system(s, q.services)
        assert ctx.may_run_again is False
        ctx.at_end(lambda: ran.append("now"))
        assert ran == ["now"]


def test_steps_kept_for_the_end_run_after_what_the_command_wrote(app):
    q = app.extensions["qudao"]
    seen = []
    with q.factory() as s, s.begin():
        ctx = Context.finished_by_runner(s=s, svc=q.services, inbound=None, inbox_id=None,
                                         received_at=q.services.clock.now(), user=None)
        assert ctx.may_run_again is True
        row = InboxMessage(platform="test", dedup_key="at-end", sender="x", payload={}, received_at=ctx.now)
        s.add(row)                                  # pending in the session, not yet written

        def step() -> None:
            seen.append(s.execute(select(InboxMessage.id).where(InboxMessage.dedup_key == "at-end")
                                  .execution_options(autoflush=False)).scalar_one_or_none())
        ctx.at_end(step)
        assert seen == []
        ctx.finish()
        assert seen == [row.id] and row.id is not None
        s.rollback()

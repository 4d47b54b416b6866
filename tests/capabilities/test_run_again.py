"""chat.context.RunAgain and Context.at_end: a command that decided on reads taken
without a lock, and finds at its end (under the lock) that they may be stale, is
rolled back whole — its replies too — and run again at once, told which run it is
(``run``); its final run (``final_run``: no RunAgain then) takes its locks first.
Raised anyway, or failing otherwise, it fails like any command and is retried
later. A deadlock before the final run is met the same way as RunAgain. A step kept
for the end runs after everything the command wrote, and at once in a context
nobody finishes."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from chat.context import Context, RunAgain
from chat.messages import Text
from chat.reruns import RUNS
from models import InboxMessage, InboxStatus


def _stale_at_end(ctx: Context, stale_runs: int) -> None:
    """Replies, then finds at its end that the first ``stale_runs`` runs read stale."""
    ctx.reply(Text(f"run {ctx.run}"))

    def check() -> None:
        if ctx.run <= stale_runs:
            raise RunAgain("what it read changed")
    ctx.at_end(check)


def _process(app, driver, dispatch) -> int:
    router = app.extensions["qudao"].inbox.router
    router.dispatch = dispatch
    try:
        return driver.text("dealer_bj_li", "anything")
    finally:
        del router.dispatch


def _row(app, inbox_id: int) -> InboxMessage:
    with app.extensions["qudao"].factory() as s:
        return s.get(InboxMessage, inbox_id)


def test_a_command_found_stale_at_its_end_is_rolled_back_and_run_again_at_once(app, driver, chat):
    q = app.extensions["qudao"]
    runs = []
    inbox_id = _process(app, driver, lambda ctx: (runs.append((ctx.run, ctx.may_run_again)), _stale_at_end(ctx, 1)))
    q.deliverer.drain()
    assert runs == [(1, True), (2, True)]
    assert q.inbox.reruns == 1
    assert chat.texts_to("dealer_bj_li") == ["run 2"]           # the first run's reply went with it
    row = _row(app, inbox_id)
    assert row.status == InboxStatus.DONE and row.attempts == 1


def test_the_final_run_may_not_run_again(app, driver, chat):
    q = app.extensions["qudao"]
    runs = []
    inbox_id = _process(app, driver, lambda ctx: (runs.append((ctx.run, ctx.may_run_again)),
                                                  _stale_at_end(ctx, RUNS - 1)))
    q.deliverer.drain()
    assert runs == [(n, n < RUNS) for n in range(1, RUNS + 1)]
    assert q.inbox.reruns == RUNS - 1
    assert chat.texts_to("dealer_bj_li") == [f"run {RUNS}"]
    assert _row(app, inbox_id).status == InboxStatus.DONE


def test_a_command_stale_in_its_final_run_too_fails_and_is_kept_for_a_retry(app, driver, chat):
    q = app.extensions["qudao"]
    inbox_id = _process(app, driver, lambda ctx: _stale_at_end(ctx, RUNS))
    q.deliverer.drain()
    assert chat.texts_to("dealer_bj_li") == []
    row = _row(app, inbox_id)
    assert row.status == InboxStatus.NEW and row.attempts == 1 and "RunAgain" in row.error


class _Deadlocked(Exception):
    sqlstate = "40P01"


def test_a_deadlock_before_the_final_run_runs_the_command_again(app, driver, chat):
    q = app.extensions["qudao"]

    def dispatch(ctx: Context) -> None:
        ctx.reply(Text(f"run {ctx.run}"))
        if ctx.run == 1:
            raise OperationalError("UPDATE partners …", {}, _Deadlocked())
    inbox_id = _process(app, driver, dispatch)
    q.deliverer.drain()
    assert chat.texts_to("dealer_bj_li") == ["run 2"]
    assert q.inbox.reruns == 1 and _row(app, inbox_id).status == InboxStatus.DONE


def test_other_failures_are_not_run_again_at_once(app, driver, chat):
    q = app.extensions["qudao"]

    def dispatch(ctx: Context) -> None:
        raise OperationalError("SELECT …", {}, ValueError("connection lost"))
    inbox_id = _process(app, driver, dispatch)
    assert q.inbox.reruns == 0
    row = _row(app, inbox_id)
    assert row.status == InboxStatus.NEW and row.attempts == 1


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

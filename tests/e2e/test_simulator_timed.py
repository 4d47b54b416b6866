"""Timed work in the embedded default, as a new user tries it in the simulator:
the page's fast-forward moves the bot's clock and the embedded scheduler acts
(an expiry warning, then the release that tells the refused partner)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.support.apps import serve_demo
from tests.support.reading import wait_for
from tests.support.sim_page import advance, bot_texts, say


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    yield from serve_demo(tmp_path_factory.mktemp("timed"))


def test_fast_forward_shows_expiry_warning_and_release(served):
    base = served
    assert requests.get(base + "/sim/api/clock", timeout=5).json()["offset_hours"] == 0
    say(base, "dealer_bj_li", "报备 北京协和医院 彩超 80万")
    assert wait_for(lambda: any("报备成功" in m for m in bot_texts(base, "dealer_bj_li")))
    say(base, "dealer_hx_sun", "报备 北京协和医院 彩超 60万")
    assert wait_for(lambda: any("报备未通过" in m for m in bot_texts(base, "dealer_hx_sun")))
    number = next(m for m in bot_texts(base, "dealer_bj_li") if "报备成功" in m).split()[2]
    # The deal is worked (a follow-up within every 30 days), else it is recalled before it can expire.
    for day in (28, 56):
        advance(base, 28 * 24)
        say(base, "dealer_bj_li", f"跟进 {number} 方案报价 第 {day} 天")
        assert wait_for(lambda day=day: any(f"第 {day} 天" in m for m in bot_texts(base, "dealer_bj_li")))
    moved = advance(base, 28 * 24)
    assert moved["offset_hours"] == 84 * 24
    assert wait_for(lambda: any("保护期将于" in m for m in bot_texts(base, "dealer_bj_li")), timeout=20)
    say(base, "dealer_bj_li", f"{number} 谈判")
    advance(base, 7 * 24)
    assert wait_for(lambda: any("已释放" in m for m in bot_texts(base, "dealer_bj_li")), timeout=20)
    assert wait_for(lambda: any("现在可以报备" in m for m in bot_texts(base, "dealer_hx_sun")), timeout=20)
    # a message written after the jump carries the simulated time: the bot accepts it
    say(base, "dealer_hx_sun", "报备 北京协和医院 彩超 60万")
    assert wait_for(lambda: any("报备成功" in m for m in bot_texts(base, "dealer_hx_sun")), timeout=20)


@pytest.fixture
def fresh(tmp_path):
    yield from serve_demo(tmp_path)


def hours_to_tomorrow_after_digest(base) -> float:
    """A day, or more when it is before 09:00 local time now (+1天 from 01:00 lands
    at 01:00 tomorrow, before the 08:00 plan): the jump must pass tomorrow's 08:30."""
    now = datetime.fromisoformat(requests.get(base + "/sim/api/clock", timeout=5).json()["now"])
    local = now.astimezone(ZoneInfo("Asia/Shanghai"))
    tomorrow_nine = (local + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    return max(24.0, (tomorrow_nine - local).total_seconds() / 3600)


def test_one_day_forward_brings_the_morning_plan_and_digest(fresh):
    """A jump to tomorrow after 08:30 stops at 08:00 and 08:30 on its way, so
    the plan and the digest go out once each (whatever the real time of day)."""
    base = fresh
    say(base, "rep_zhang", "计划 明天 拜访 北京协和医院")
    assert wait_for(lambda: any("已安排" in m for m in bot_texts(base, "rep_zhang")))
    say(base, "dealer_bj_wang", "报备 北京朝阳医院 彩超 50万")
    assert wait_for(lambda: any("北京朝阳医院" in m for m in bot_texts(base, "dealer_bj_wang")))
    def digests():
        return [m for m in bot_texts(base, "mgr_north") if "渠道日报" in m]
    before = len(digests())
    advance(base, hours_to_tomorrow_after_digest(base))
    assert wait_for(lambda: any("的拜访计划" in m and "北京协和医院" in m for m in bot_texts(base, "rep_zhang")),
                    timeout=20)
    assert wait_for(lambda: any("北京朝阳医院" in m for m in digests()[before:]), timeout=20)
    assert sum("的拜访计划" in m for m in bot_texts(base, "rep_zhang")) == 1


def test_bad_fast_forward_is_refused(served):
    for body in ({"advance_hours": -1}, {"advance_hours": "a day"}, {}, {"advance_hours": 10 ** 6}):
        r = requests.post(served + "/sim/api/clock", json=body, timeout=5)
        assert r.status_code == 400 and not r.json()["ok"]

"""The same code on the real PostgreSQL and Redis: the flow, shared state, and
the first-come race across several gunicorn worker processes."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis as redis_lib
import requests
from sqlalchemy import func, select, text

from adapters.wecom.crypto import WeComCrypto
from chat.kvstore import RedisKv
from models import Customer, InboxMessage, Partner, Registration, User
from tests.support.apps import DEMO_USERIDS, REDIS_URL, build_app

# The pg_url / redis_url / pg_app fixtures live in conftest.
from tests.support.audit import sealed_and_intact
from tests.support.reading import cards_to, last_text, texts_to, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
ROOT = Path(__file__).resolve().parents[2]


def test_flow_on_postgres_with_state_in_redis(pg_app, wecom, clock, base_settings):
    from tests.support.wecom import WeComDriver
    driver = WeComDriver(pg_app, clock, base_settings, wecom)
    q = pg_app.extensions["qudao"]
    assert q.engine.dialect.name == "postgresql"
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超")                 # amount missing: state goes to Redis
    r = redis_lib.Redis.from_url(REDIS_URL)
    key = b"qudao:conv:wecom:dealer_bj_li"
    assert r.exists(key) and 0 < r.ttl(key) <= 600
    driver.text("dealer_bj_li", "120万")
    assert not r.exists(key)
    # the shared token cache; r is a Redis client, so r.keys() is the KEYS command, not dict.keys()
    assert any(k.startswith(b"qudao:wecom:token:") for k in r.keys())  # noqa: SIM118
    [card] = cards_to(wecom, "director")
    driver.click("director", card.task_id, "approve")
    driver.text("dealer_hx_sun", "报备 北京协和医院 彩超 60万")
    assert "北京康健医疗器械有限公司" in last_text(wecom, "dealer_hx_sun")
    sealed_and_intact(q.factory)
    with q.factory() as s:
        assert [r.status for r in s.execute(select(Registration).order_by(Registration.id)).scalars()] == \
               ["approved", "rejected"]
        assert s.execute(text("SHOW timezone")).scalar() == "Asia/Shanghai"


@pytest.mark.parametrize("message, expect", [
    ("报备 协和医院 彩超 120万", "等待"),                        # three approval reasons at once
    ("报备 " + "北京协和医院分院" * 40 + " 彩超 50万", "客户名称"),   # a name longer than anyone writes
    ("报备 北京协和医院 彩超 99999999999亿", "金额"),             # beyond any real deal
])
def test_odd_but_accepted_input_is_answered_not_crashed(pg_app, wecom, clock, base_settings, message, expect):
    from tests.support.wecom import WeComDriver
    driver = WeComDriver(pg_app, clock, base_settings, wecom)
    driver.text("dealer_hx_sun", message)
    assert expect in last_text(wecom, "dealer_hx_sun")
    with pg_app.extensions["qudao"].factory() as s:
        assert s.execute(select(InboxMessage.status)).scalar_one() == "done"


def test_a_long_reject_reason_is_refused_politely_on_postgres(pg_app, wecom, clock, base_settings):
    from tests.support.wecom import WeComDriver
    driver = WeComDriver(pg_app, clock, base_settings, wecom)
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 150万")
    [card] = cards_to(wecom, "director")
    driver.click("director", card.task_id, "reject")
    driver.text("director", "太贵" * 300)
    assert "理由" in last_text(wecom, "director") and "字" in last_text(wecom, "director")
    driver.text("director", "预算不足")
    with pg_app.extensions["qudao"].factory() as s:
        assert s.execute(select(Registration.status)).scalar_one() == "rejected"


RACERS = 12


def _add_racers(app) -> list[str]:
    """Twelve partners, all qualified for 超声 in 北京市: only the conflict rule can refuse them."""
    q = app.extensions["qudao"]
    ids = []
    with q.factory() as s, s.begin():
        for i in range(RACERS):
            p = Partner(name=f"竞速测试伙伴{i:02d}有限公司", regions=["北京市"], product_lines=["超声"])
            s.add(p)
            s.flush()
            s.add(User(platform="wecom", external_id=f"racer_{i:02d}", name=f"选手{i}", role="dealer", partner_id=p.id))
            ids.append(f"racer_{i:02d}")
    return ids


def _signed_post(base: str, crypto: WeComCrypto, corp: str, user: str, text: str) -> int:
    ts = str(int(time.time()))
    inner = (f"<xml><ToUserName><![CDATA[{corp}]]></ToUserName><FromUserName><![CDATA[{user}]]></FromUserName>"
             f"<CreateTime>{ts}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{text}]]></Content>"
             f"<MsgId>{secrets.randbits(60)}</MsgId><AgentID>1000002</AgentID></xml>")
    sealed = crypto.seal(inner, ts)
    body = f"<xml><Encrypt><![CDATA[{sealed['encrypt']}]]></Encrypt></xml>"
    r = requests.post(base + "/wecom/callback", params={"msg_signature": sealed["msg_signature"], "timestamp": ts,
                                                        "nonce": sealed["nonce"]}, data=body.encode(), timeout=10)
    return r.status_code


@pytest.mark.parametrize("customer", ["北京协和医院", "北京市朝阳区新建康复医院"])
def test_simultaneous_claims_across_gunicorn_workers_leave_one_holder(customer, pg_url, redis_url, wecom,
                                                                      base_settings):
    seed_app = build_app(base_settings.with_(database_url=pg_url, redis_url=redis_url, simulator=False,
                                             processing="inline").with_wecom(api_base=wecom.base_url),
                         None)
    racers = _add_racers(seed_app)
    seed_app.extensions["qudao"].engine.dispose()
    wecom.known_users = [*DEMO_USERIDS, *racers]
    port = 18000 + secrets.randbelow(2000)
    env = {**os.environ, "DATABASE_URL": pg_url, "REDIS_URL": redis_url, "WECOM_API_BASE": wecom.base_url,
           "QUDAO_SIMULATOR": "0", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "4", "--threads", "4", "-b", f"127.0.0.1:{port}",
                             "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        # Start-up alone took over 30 s on a loaded 2-core host: give it room, it is not what is tested.
        assert wait_for(lambda: _up(base), timeout=90), "gunicorn did not start"
        crypto = WeComCrypto(base_settings.wecom.token, base_settings.wecom.aes_key, base_settings.wecom.corp_id)
        start = threading.Barrier(RACERS)
        codes = {}

        def claim(user):
            start.wait()
            codes[user] = _signed_post(base, crypto, base_settings.wecom.corp_id, user, f"报备 {customer} 彩超 50万")

        threads = [threading.Thread(target=claim, args=(u,)) for u in racers]
        [t.start() for t in threads]
        [t.join() for t in threads]
        assert set(codes.values()) == {200}
        assert wait_for(lambda: all(texts_to(wecom, u) for u in racers), timeout=60), "not everyone was answered"
    finally:
        proc.terminate()
        proc.wait(10)
    from sqlalchemy import create_engine
    engine = create_engine(pg_url)
    with engine.connect() as c:
        statuses = c.execute(select(Registration.status, Registration.partner_id)).all()
        customers = c.execute(select(func.count()).select_from(Customer).where(Customer.name == customer)).scalar()
        winner = c.execute(select(Partner.name).join(Registration, Registration.partner_id == Partner.id)
                           .where(Registration.status == "approved")).scalar_one()
        first_in = c.execute(select(InboxMessage.sender).where(InboxMessage.claim_key.is_not(None))
                             .order_by(InboxMessage.id).limit(1)).scalar_one()
        first_partner = c.execute(select(Partner.name).join(User, User.partner_id == Partner.id)
                                  .where(User.external_id == first_in)).scalar_one()
    engine.dispose()
    assert sorted(s for s, _ in statuses) == ["approved"] + ["rejected"] * (RACERS - 1)
    assert customers == 1
    assert winner == first_partner          # the earliest received claim wins, whichever worker ran first
    for user in racers:
        reply = texts_to(wecom, user)[-1]
        assert "报备成功" in reply or (winner in reply and "报备未通过" in reply), reply


def _up(base: str) -> bool:
    try:
        return requests.get(base + "/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def test_redis_state_follows_the_commands_transaction(pg_app, redis_url):
    q = pg_app.extensions["qudao"]
    kv, r = q.kv, redis_lib.Redis.from_url(redis_url)
    with q.factory() as s, pytest.raises(RuntimeError), s.begin():
        kv.set("conv:t:rolled-back", {"flow": "register"}, 60, session=s)
        assert kv.get("conv:t:rolled-back", session=s) == {"flow": "register"}   # read your write
        raise RuntimeError("the command failed")
    assert not r.exists("qudao:conv:t:rolled-back")
    with q.factory() as s, s.begin():
        kv.set("conv:t:committed", {"flow": "register"}, 60, session=s)
        assert not r.exists("qudao:conv:t:committed")                 # not before the commit
    assert kv.get("conv:t:committed") == {"flow": "register"}


class _Counting:
    """The Redis client, counting the commands the store sends."""

    def __init__(self, client):
        self.client, self.sent = client, []

    def __getattr__(self, name):
        self.sent.append(name)
        return getattr(self.client, name)


def test_a_transaction_reads_a_key_once_and_deletes_only_what_it_found(pg_app, redis_url):
    q = pg_app.extensions["qudao"]
    r = redis_lib.Redis.from_url(redis_url)
    counting = _Counting(r)
    kv = RedisKv(counting)
    r.set("qudao:conv:t:there", '{"flow": "register"}')
    with q.factory() as s, s.begin():
        kv.read_ahead(["conv:t:there", "conv:t:absent", "lang:t"], s)
        assert counting.sent == ["mget"]                              # three keys, one round trip
        first = kv.get("conv:t:there", session=s)
        first["flow"] = "changed by the caller"
        assert kv.get("conv:t:there", session=s) == {"flow": "register"}   # as read, not as changed
        assert kv.get("conv:t:absent", session=s) is None
        kv.delete("conv:t:absent", session=s)                          # read as absent: nothing to send
        kv.delete("conv:t:there", session=s)
        assert counting.sent == ["mget"]
    assert counting.sent == ["mget", "delete"] and not r.exists("qudao:conv:t:there")
    r.set("qudao:conv:t:absent", '{"flow": "set by another worker"}')
    with q.factory() as s, s.begin():                                  # a new transaction reads again
        assert kv.get("conv:t:absent", session=s) == {"flow": "set by another worker"}
        kv.delete("conv:t:absent", session=s)
    assert not r.exists("qudao:conv:t:absent")


def test_what_a_released_savepoint_wrote_is_what_the_transaction_reads_next(pg_app, redis_url):
    q = pg_app.extensions["qudao"]
    r = redis_lib.Redis.from_url(redis_url)
    kv = RedisKv(r)
    with q.factory() as s, s.begin():
        assert kv.get("conv:t:nested", session=s) is None
        with s.begin_nested():
            kv.set("conv:t:nested", {"flow": "visit"}, 60, session=s)
        assert not r.exists("qudao:conv:t:nested")       # the savepoint's release is no commit
        assert kv.get("conv:t:nested", session=s) == {"flow": "visit"}
        kv.delete("conv:t:nested", session=s)          # written by this transaction: deleted, not skipped
        with s.begin_nested():
            kv.set("conv:t:later", {"flow": "visit"}, 60, session=s)
    assert not r.exists("qudao:conv:t:nested")
    assert r.exists("qudao:conv:t:later")
    with q.factory() as s:                             # one session, two transactions
        with s.begin():
            kv.set("conv:t:first", 1, 60, session=s)
        with s.begin():
            kv.set("conv:t:second", 2, 60, session=s)
    assert kv.get("conv:t:first") == 1 and kv.get("conv:t:second") == 2

"""The production layout on one machine, as real processes on loopback: two web
processes on two ports (gunicorn, started from deploy/Procfile with
deploy/gunicorn.conf.py), two workers and two schedulers, one PostgreSQL
database and one Redis, the local WeCom API simulator as the platform.
Signed WeCom callbacks go to both web ports; what the platform received is
counted in the simulator.

The faults: a 64-way race on one customer (the earliest received claim holds
it), every callback delivered three times, a worker SIGKILLed mid-burst, the
platform API down and back. Run them with ``pytest -m fault``.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
import redis as redis_lib
import requests
from sqlalchemy import create_engine, func, select

from adapters.simulator import FakeWeComServer
from adapters.wecom.crypto import WeComCrypto
from bot.settings import load_settings
from models import InboxMessage, OutboxMessage, Partner, Registration, User
from models.db import make_session_factory
from tests.support.apps import DEMO_USERIDS, REDIS_URL, ROOT, pg_admin, pg_url_of
from tests.support.reading import texts_to, wait_for

pytestmark = [pytest.mark.fault, pytest.mark.postgres, pytest.mark.redis]

RACE = 64
# The workers' send lease (QUDAO_SEND_LEASE): a reply a killed worker was sending waits this
# long before another sends it again. Short here, where the fake platform answers in ms.
SEND_LEASE_S = 8
RACE_TEXT = "报备 北京协和医院 彩超 50万"
RACERS = ["race_a", "race_b", "race_c"]                       # three dealers of three partners
LOAD_USERS = [f"load_{i:03d}" for i in range(120)]            # one message each per scenario (24 or 48 per test)


def _procfile() -> dict[str, str]:
    cmds = {}
    for line in (ROOT / "deploy" / "Procfile").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, cmd = line.split(":", 1)
            cmds[name.strip()] = cmd.strip()
    return cmds


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, tmp: Path, pg_url: str, wecom: FakeWeComServer):
        self.tmp, self.pg_url, self.wecom = tmp, pg_url, wecom
        self.cmds = _procfile()
        cfg = load_settings({}).wecom
        self.corp_id, self.agent_id = cfg.corp_id, cfg.agent_id
        self.crypto = WeComCrypto(cfg.token, cfg.aes_key, cfg.corp_id)
        venv_bin = str(Path(sys.executable).parent)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("WECOM_", "QUDAO_", "DINGTALK_", "DATABASE_URL", "REDIS_URL"))}
        self.env.update(DATABASE_URL=pg_url, REDIS_URL=REDIS_URL, WECOM_API_BASE=wecom.base_url,
                        QUDAO_SIMULATOR="0", QUDAO_PROCESSING="workers", QUDAO_SCHEDULER="off",
                        QUDAO_SCHEDULER_LEASE="5", QUDAO_SEND_LEASE=str(SEND_LEASE_S),
                        QUDAO_WORKER_THREADS="2", QUDAO_LOG_LEVEL="warning",
                        PYTHONPATH=str(ROOT), PATH=venv_bin + os.pathsep + os.environ.get("PATH", ""))
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.webs: list[str] = []
        self.engine = create_engine(pg_url)
        self.session = requests.Session()

    # -- processes ---------------------------------------------------------------------
    def start(self, name: str, kind: str, **env) -> subprocess.Popen:
        log_path = self.tmp / f"{name}.log"
        log = open(log_path, "w")         # noqa: SIM115 (the process writes it; read at the end)
        proc = subprocess.Popen(["/bin/sh", "-c", "exec " + self.cmds[kind]], cwd=ROOT, env={**self.env, **env},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs[name], self.logs[name] = proc, log_path
        return proc

    def log(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace")

    def start_worker(self, name: str) -> subprocess.Popen:
        proc = self.start(name, "worker")
        assert wait_for(lambda: "started" in self.log(name) or proc.poll() is not None, timeout=60), self.log(name)
        assert proc.poll() is None, self.log(name)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    # -- what WeCom does ------------------------------------------------------------------
    def inner(self, user: str, content: str, msg_id: str) -> str:
        from xml.sax.saxutils import escape
        return (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
                f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
                f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{escape(content)}]]></Content>"
                f"<MsgId>{msg_id}</MsgId><AgentID>{self.agent_id}</AgentID></xml>")

    def post(self, web: int, inner: str) -> int:
        """One callback to web process ``web`` (0 or 1), sealed afresh (a new nonce)."""
        ts = str(int(time.time()))
        sealed = self.crypto.seal(inner, ts)
        body = (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
                f"<Encrypt><![CDATA[{sealed['encrypt']}]]></Encrypt><AgentID>{self.agent_id}</AgentID></xml>")
        r = requests.post(self.webs[web] + "/wecom/callback",
                          params={"msg_signature": sealed["msg_signature"], "timestamp": ts,
                                  "nonce": sealed["nonce"]}, data=body.encode(), timeout=10)
        return r.status_code

    def send_all(self, jobs: list[tuple[int, str]], start_together: bool = True) -> list[int]:
        """(web, inner xml) each from its own thread, released at once; their HTTP codes."""
        codes = [0] * len(jobs)
        barrier = threading.Barrier(len(jobs)) if start_together else None

        def go(i: int) -> None:
            if barrier:
                barrier.wait()
            codes[i] = self.post(*jobs[i])
        threads = [threading.Thread(target=go, args=(i,)) for i in range(len(jobs))]
        [t.start() for t in threads]
        [t.join() for t in threads]
        return codes

    # -- reading the database ---------------------------------------------------------------
    def scalar(self, stmt):
        with self.engine.connect() as c:
            return c.execute(stmt).scalar()

    def rows(self, stmt):
        with self.engine.connect() as c:
            return c.execute(stmt).all()

    def undone(self, senders: list[str]) -> int:
        return self.scalar(select(func.count()).select_from(InboxMessage)
                           .where(InboxMessage.sender.in_(senders), InboxMessage.status != "done"))


def _seed(pg_url: str) -> None:
    engine = create_engine(pg_url)
    factory = make_session_factory(engine)
    with factory() as s, s.begin():
        for i, userid in enumerate(RACERS):
            p = Partner(name=f"集群测试伙伴{i}有限公司", regions=["北京市"], product_lines=["超声"])
            s.add(p)
            s.flush()
            s.add(User(platform="wecom", external_id=userid, name=f"竞速{i}", role="dealer", partner_id=p.id))
        load = Partner(name="集群负载伙伴有限公司", regions=["北京市"], product_lines=["超声"])
        s.add(load)
        s.flush()
        for userid in LOAD_USERS:
            s.add(User(platform="wecom", external_id=userid, name=userid, role="dealer", partner_id=load.id))
    engine.dispose()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, pg_template):
    name = f"qudao_cluster_{secrets.token_hex(4)}"
    pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    pg_admin(f"ALTER DATABASE \"{name}\" SET timezone TO 'Asia/Shanghai'")
    pg_url = pg_url_of(name)
    redis_lib.Redis.from_url(REDIS_URL).flushdb()
    _seed(pg_url)
    cfg = load_settings({}).wecom
    wecom = FakeWeComServer(corp_id=cfg.corp_id, secret=cfg.secret, agent_id=cfg.agent_id,
                            known_users=[*DEMO_USERIDS, *RACERS, *LOAD_USERS])
    c = Cluster(tmp_path_factory.mktemp("cluster"), pg_url, wecom)
    try:
        ports = [_free_port(), _free_port()]
        c.webs = [f"http://127.0.0.1:{p}" for p in ports]
        for i, port in enumerate(ports):
            c.start(f"web{i}", "web", QUDAO_BIND=f"127.0.0.1:{port}", QUDAO_WEB_PROCESSES="1", QUDAO_WEB_THREADS="8")
        for i in range(2):
            c.start(f"worker{i}", "worker")
            c.start(f"scheduler{i}", "scheduler")

        def up(base):
            try:
                return requests.get(base + "/healthz", timeout=1).ok
            except requests.RequestException:
                return False
        assert wait_for(lambda: all(up(b) for b in c.webs), timeout=90), c.log("web0")[-3000:]
        for i in range(2):
            assert wait_for(lambda i=i: "started" in c.log(f"worker{i}"), timeout=60), c.log(f"worker{i}")[-3000:]
            assert wait_for(lambda i=i: "started" in c.log(f"scheduler{i}"), timeout=60), c.log(f"scheduler{i}")
        yield c
    finally:
        c.stop_all()
        for name_, path in c.logs.items():
            text = path.read_text(errors="replace")
            if "Traceback" in text:
                print(f"---- {name_} ----\n{text[-6000:]}")
        c.engine.dispose()
        wecom.close()
        pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis_lib.Redis.from_url(REDIS_URL).flushdb()


def _users(n: int, offset: int) -> list[str]:
    return LOAD_USERS[offset:offset + n]


def test_a_64_way_race_across_processes_is_won_by_the_earliest_received_claim(cluster):
    senders = [RACERS[i % 3] for i in range(RACE)]
    jobs = [(i % 2, cluster.inner(senders[i], RACE_TEXT, str(secrets.randbits(60)))) for i in range(RACE)]
    started = time.monotonic()
    assert set(cluster.send_all(jobs)) == {200}
    acked = time.monotonic() - started
    assert wait_for(lambda: cluster.undone(RACERS) == 0, timeout=60), "the claims were not all processed"
    settled = time.monotonic() - started
    sent = Counter(senders)
    assert wait_for(lambda: all(len(texts_to(cluster.wecom, u)) >= sent[u] for u in RACERS), timeout=30), \
        {u: len(texts_to(cluster.wecom, u)) for u in RACERS}
    told = time.monotonic() - started
    done_at = sorted(cluster.rows(select(InboxMessage.processed_at).where(InboxMessage.sender.in_(RACERS))))
    steps = sorted((b[0] - a[0]).total_seconds() * 1000 for a, b in pairwise(done_at))
    print(f"\n64-way race: acked in {acked:.2f}s, processed in {settled:.2f}s, everyone told in {told:.2f}s; "
          f"one claim after another every {steps[len(steps) // 2]:.0f} ms (median)")

    inbox = cluster.rows(select(InboxMessage.id, InboxMessage.sender, InboxMessage.claim_key,
                                InboxMessage.received_at).where(InboxMessage.sender.in_(RACERS))
                         .order_by(InboxMessage.id))
    assert len(inbox) == RACE and len({r.claim_key for r in inbox}) == 1 and inbox[0].claim_key
    # receive order is id order, and the receive times say the same
    assert [r.received_at for r in inbox] == sorted(r.received_at for r in inbox)
    first_partner = cluster.scalar(select(User.partner_id).where(User.external_id == inbox[0].sender))
    holders = cluster.rows(select(Registration.partner_id, Registration.status)
                           .where(Registration.status.in_(("approved", "pending"))))
    assert holders == [(first_partner, "approved")]
    others = [u for u in RACERS if u != inbox[0].sender]
    holder_name = cluster.scalar(select(Partner.name).where(Partner.id == first_partner))
    for user in others:       # every other partner's dealer was refused, with the holder named
        assert any(holder_name in t for t in texts_to(cluster.wecom, user)), texts_to(cluster.wecom, user)[-1]
    assert settled < 30, f"64 claims on one customer took {settled:.1f}s"


def test_every_callback_delivered_three_times_is_processed_and_answered_once(cluster):
    users = _users(24, 0)
    jobs = []
    for i, user in enumerate(users):
        inner = cluster.inner(user, "我的报备", str(secrets.randbits(60)))
        jobs += [(0, inner), (1, inner), ((i % 2), inner)]        # both web processes, at once
    started = time.monotonic()
    assert set(cluster.send_all(jobs)) == {200}
    assert wait_for(lambda: all(texts_to(cluster.wecom, u) for u in users), timeout=60)
    answered = time.monotonic() - started
    time.sleep(1.5)                                               # any second answer would come now
    assert {u: len(texts_to(cluster.wecom, u)) for u in users} == dict.fromkeys(users, 1)
    assert cluster.scalar(select(func.count()).select_from(InboxMessage)
                          .where(InboxMessage.sender.in_(users))) == len(users)
    print(f"\nevery callback three times: {len(jobs)} deliveries of {len(users)} messages, "
          f"{len(users)} stored, {len(users)} answers, all within {answered:.1f}s")


def test_a_worker_killed_mid_burst_loses_nothing_and_doubles_nothing(cluster):
    users = _users(48, 24)
    jobs = [(i % 2, cluster.inner(u, "我的报备", str(secrets.randbits(60)))) for i, u in enumerate(users)]
    victim = cluster.procs["worker0"]
    sender = threading.Thread(target=lambda: cluster.send_all(jobs, start_together=False))
    started = time.monotonic()
    sender.start()
    assert wait_for(lambda: cluster.scalar(select(func.count()).select_from(InboxMessage).where(
        InboxMessage.sender.in_(users), InboxMessage.status == "done")) >= 6, timeout=60, every=0.01)
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    sender.join()
    cluster.start_worker("worker2")                               # capacity comes back; not needed for safety
    assert wait_for(lambda: cluster.undone(users) == 0, timeout=60), "messages lost with the killed worker"
    assert wait_for(lambda: all(texts_to(cluster.wecom, u) for u in users), timeout=60), \
        [u for u in users if not texts_to(cluster.wecom, u)]
    recovered = time.monotonic() - started
    # A reply the victim was sending when it died stays leased until the lease ends (the outcome
    # is unknown: it may have reached the platform); then a live worker sends it again with the
    # same duplicate-check tag, so the platform shows it once. Wait that out, then count.
    assert wait_for(lambda: cluster.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient.in_(users), OutboxMessage.status != "sent")) == 0,
        timeout=SEND_LEASE_S + 30), "replies left unsent after the killed worker's lease ended"
    time.sleep(1.5)
    assert {u: len(texts_to(cluster.wecom, u)) for u in users} == dict.fromkeys(users, 1)
    print(f"\nworker SIGKILLed mid-burst: all {len(users)} answered once within {recovered:.1f}s")


def test_the_platform_down_then_back_gets_everything_once(cluster):
    users = _users(24, 72)
    cluster.wecom.state.drop_next("message/send", times=10_000)     # every send fails (502) until cleared
    jobs = [(i % 2, cluster.inner(u, "我的报备", str(secrets.randbits(60)))) for i, u in enumerate(users)]
    assert set(cluster.send_all(jobs)) == {200}
    assert wait_for(lambda: cluster.undone(users) == 0, timeout=60)
    failing = select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient.in_(users), OutboxMessage.attempts >= 2, OutboxMessage.status == "pending")
    assert wait_for(lambda: cluster.scalar(failing) == len(users), timeout=60), "sends were not retried"
    assert not any(texts_to(cluster.wecom, u) for u in users)
    cluster.wecom.state.faults.clear()                              # the platform is back
    back = time.monotonic()
    assert wait_for(lambda: all(texts_to(cluster.wecom, u) for u in users), timeout=60)
    recovered = time.monotonic() - back
    time.sleep(1.5)
    assert {u: len(texts_to(cluster.wecom, u)) for u in users} == dict.fromkeys(users, 1)
    print(f"\nplatform down, then back: all {len(users)} delivered once, {recovered:.1f}s after it was back")
    assert recovered < 20


def test_a_dead_access_token_is_replaced_across_processes_and_nothing_is_lost(cluster):
    """The app secret is reset mid-burst: every access token the workers share (in
    Redis) answers 40014. Each worker that meets it fetches a new one; the replies
    all arrive once, and the platform is not asked for tokens in a loop."""
    users = _users(24, 96)
    state = cluster.wecom.state
    warm = [(0, cluster.inner(users[0], "帮助", str(secrets.randbits(60))))]
    assert cluster.send_all(warm) == [200]
    assert wait_for(lambda: texts_to(cluster.wecom, users[0]), timeout=60)   # a token is in use now
    fetched = len(state.calls_to("gettoken"))
    for tok in state.tokens():
        state.invalidate_token(tok)
    jobs = [(i % 2, cluster.inner(u, "我的报备", str(secrets.randbits(60)))) for i, u in enumerate(users[1:])]
    assert set(cluster.send_all(jobs)) == {200}
    assert wait_for(lambda: cluster.undone(users) == 0, timeout=60)
    assert wait_for(lambda: all(texts_to(cluster.wecom, u) for u in users[1:]), timeout=60), \
        [u for u in users if not texts_to(cluster.wecom, u)]
    time.sleep(1.5)
    assert {u: len(texts_to(cluster.wecom, u)) for u in users[1:]} == dict.fromkeys(users[1:], 1)
    refetched = len(state.calls_to("gettoken")) - fetched
    assert 1 <= refetched <= 4, refetched          # two workers (and their delivery threads), not a loop
    print(f"\naccess tokens dead mid-burst: {len(users) - 1} answered once, {refetched} new token(s) fetched")


def test_a_worker_stops_gracefully_on_sigterm(cluster):
    name = "worker1"
    proc = cluster.procs[name]
    proc.terminate()
    assert proc.wait(30) == 0
    assert "worker stopped" in cluster.log(name)

"""``create_app``: the one place that wires everything (settings read once here)."""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta

import yaml
from flask import Flask, jsonify, redirect
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from adapters.checkin_page.links import PageLinks
from adapters.checkin_page.page import create_page_blueprint
from adapters.console import PLATFORM as CONSOLE
from adapters.console import ConsoleTransport
from adapters.http_api import create_api_blueprint
from adapters.row_ids import RowId
from bot.capabilities import build_router
from bot.console import wire_console
from bot.platforms import Platform, WirePlatforms, wire_platforms
from bot.settings import Settings, load_settings
from chat.context import Services
from chat.inbox import Inbox
from chat.kvstore import KvStore, RedisKv, SqlKv
from chat.media import BlobStore
from chat.outbox import Deliverer
from chat.queue_stats import QueueStatistics
from chat.runner import Runner
from chat.sequencer import Sequencer
from chat.wakeup import Waker
from domain.clock import Clock, OffsetClock
from domain.rules import RuleStore
from domain.rules.base import INVALID_RULES
from models import ChatGroup, RuleSet, User
from models.db import make_engine, make_session_factory, upgrade_schema

log = logging.getLogger(__name__)


@dataclass
class Qudao:
    """Everything create_app built, for the CLI and tests."""
    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    clock: Clock
    kv: KvStore
    services: Services
    inbox: Inbox
    deliverer: Deliverer
    runner: Runner
    platforms: dict[str, Platform]
    simulator_state: object | None = None
    scheduler: object | None = None       # embedded only (QUDAO_SCHEDULER=embedded)


def _make_kv(settings: Settings, factory, clock) -> KvStore:
    if settings.redis_url:
        import redis
        return RedisKv(redis.Redis.from_url(settings.redis_url))
    return SqlKv(factory, clock)


def prepare_database(engine: Engine, factory, clock: Clock, settings: Settings) -> None:
    upgrade_schema(engine)
    rules = RuleStore(clock)
    try:
        with factory() as s, s.begin():
            rules.load_file(s, settings.rules_file)
    except IntegrityError:   # another worker did the same at the same moment
        log.info("rules already loaded by another worker")
    except (yaml.YAMLError, *INVALID_RULES, OSError) as exc:
        # A broken file must not stop the bot (nor `rules-load`, the way to mend it)
        # while a version is stored: that one stays in force.
        with factory() as s:
            stored = s.execute(select(RuleSet.version).where(RuleSet.active.is_(True))).first()
        if stored is None:
            raise
        log.error("rules file %s not loaded, version %s stays in force: %s", settings.rules_file, stored[0], exc)


def create_app(settings: Settings | None = None, clock: Clock | None = None,
               platforms: WirePlatforms | None = None) -> Flask:
    """The app. ``platforms`` replaces the chat platforms the settings name (a
    test backend at the seam: tests of capabilities talk to the core through it)."""
    settings = settings or load_settings()
    # The simulator's clock can be fast-forwarded from its page (demos of timed work).
    clock = clock or (OffsetClock(settings.timezone) if settings.simulator else Clock(settings.timezone))
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    prepare_database(engine, factory, clock, settings)

    kv = _make_kv(settings, factory, clock)
    router = build_router()
    services = Services(factory=factory, clock=clock, rules=RuleStore(clock), kv=kv,
                        conversation_ttl_s=settings.conversation_ttl_s, registry=router.registry,
                        default_platform=settings.default_platform, audit_key=settings.audit_key)
    inbox = Inbox(services, router, serialise=engine.dialect.name == "sqlite")
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.url_map.converters["int"] = RowId      # before any route: every <int:id> is a row id
    runner: Runner | None = None

    def accept(msg, dedup_key, replay_key=None) -> int | None:
        inbox_id = inbox.accept(msg, dedup_key, replay_key)
        runner.submit(inbox_id)
        return inbox_id

    def accept_once(msg, dedup_key) -> bool:
        inbox_id = inbox.accept(msg, dedup_key)
        runner.submit(inbox_id)
        return inbox_id is not None

    platforms = (platforms or wire_platforms)(app, settings, kv, BlobStore(factory, clock), clock, accept)
    services.media = {name: p.media for name, p in platforms.items()}
    services.traits = {name: p.traits for name, p in platforms.items()}
    links = PageLinks(_page_secret(settings), settings.public_url or "", clock)
    services.location_page = links.link_for
    app.register_blueprint(create_page_blueprint(
        links, accept_once, lambda userid: _name_of(factory, userid),
        {name: p.page_config for name, p in platforms.items() if p.page_config}, presets=settings.simulator,
        clock=clock))
    transports = {name: p.transport for name, p in platforms.items()}
    transports[CONSOLE] = ConsoleTransport()      # answers to actions taken in the ops console
    deliverer = Deliverer(factory, clock, transports, lease_s=settings.send_lease_s)
    services.pacing = deliverer.limits_to
    waker = Waker(engine, settings.redis_url)
    runner = Runner(inbox, deliverer, settings.processing, Sequencer(factory, router.registry.ordering_key), waker,
                    queue_stats=QueueStatistics(engine))
    app.register_blueprint(create_api_blueprint(services, router.registry.endpoints, after_write=runner.poke))
    qudao = Qudao(settings, engine, factory, clock, kv, services, inbox, deliverer, runner, platforms)
    wire_console(app, settings, qudao, accept)
    if settings.scheduler == "embedded" and settings.processing == "threads":
        from chat.scheduling import build_scheduler
        qudao.scheduler = build_scheduler(qudao, ttl_s=settings.scheduler_lease_s)
    if settings.simulator:
        qudao.simulator_state = _mount_simulator(app, settings, qudao)

    @app.get("/healthz")
    def healthz():
        return jsonify(ok=True)

    @app.get("/")
    def index():
        if settings.simulator:
            return redirect("/sim/")
        return jsonify(service="qudao", callback="/wecom/callback", console="/console/")

    app.extensions["qudao"] = qudao
    runner.start()
    if qudao.scheduler is not None:
        qudao.scheduler.start()
    return app


def _page_secret(settings: Settings) -> str:
    """QUDAO_PAGE_SECRET, else one derived from the platforms' secrets: the same in
    every worker of a deployment, and unknown to anyone without those secrets."""
    if settings.page_secret:
        return settings.page_secret
    parts = [settings.wecom.secret, settings.dingtalk.app_secret if settings.dingtalk else ""]
    return hashlib.sha256(("qudao-page:" + ":".join(parts)).encode()).hexdigest()


def _name_of(factory, userid: str) -> str | None:
    with factory() as s:
        return s.execute(select(User.name).where(User.external_id == userid)).scalar_one_or_none()


def _mount_simulator(app: Flask, settings: Settings, qudao: Qudao) -> object:
    from flask import request

    from adapters.simulator import SimulatorState, create_simulator_blueprint
    factory, clock = qudao.factory, qudao.clock

    def time_control(hours: float | None) -> dict:
        if hours is not None and isinstance(clock, OffsetClock):
            target = clock.now() + timedelta(hours=hours)
            offset = clock.offset + timedelta(hours=hours)   # exact, however long the stepping takes
            if qudao.scheduler is not None:
                # Step through the jump as if the time had passed: stop at every morning
                # plan, digest and weekly chart in between (each would otherwise be too
                # old to catch up) and let the sweeps see each stop.
                for due in qudao.scheduler.slot_times(clock.now(), target):
                    clock.advance_to(due + timedelta(seconds=1))
                    qudao.scheduler.tick()
            clock.set_offset(max(clock.offset, offset))
            if qudao.scheduler is not None:
                qudao.scheduler.tick()        # what came due now happens now, not at the next timer tick
        return {"now": clock.now().isoformat(timespec="seconds"), "now_local": clock.fmt(clock.now(), "%m-%d %H:%M"),
                "offset_hours": round(clock.offset.total_seconds() / 3600, 2) if isinstance(clock, OffsetClock) else 0}

    def users():
        with factory() as s:
            rows = s.execute(select(User).order_by(User.id)).scalars().all()
            return [{"userid": u.external_id, "name": u.name, "role": u.role,
                     "org": u.partner.name if u.partner else (u.title or "示例医疗")} for u in rows]

    def groups():
        with factory() as s:
            return [{"chat_id": g.chat_id, "title": g.title, "members": list(g.members or [])}
                    for g in s.execute(select(ChatGroup).order_by(ChatGroup.id)).scalars()]

    def move_organisation(platform: str) -> None:
        """The page's platform switch: the demo organisation now uses that platform,
        so everyone is reached there (until they write from the other one)."""
        with factory() as s, s.begin():
            s.execute(update(User).values(platform=platform))

    def callback_url(path: str = "/wecom/callback") -> str:
        return request.host_url.rstrip("/") + path

    now = lambda: clock.now().timestamp()          # noqa: E731 (the bot's clock: the simulator may jump it)
    state = SimulatorState()
    wecom = settings.wecom
    dingtalk = None
    if "dingtalk" in qudao.platforms:
        dingtalk = _dingtalk_simulator(settings.dingtalk, callback_url, now)
    app.register_blueprint(create_simulator_blueprint(
        state, corp_id=wecom.corp_id, agent_id=wecom.agent_id, secret=wecom.secret,
        token=wecom.token, aes_key=wecom.aes_key, callback_url=callback_url,
        users_provider=users, clock=now,
        time_control=time_control if isinstance(clock, OffsetClock) else None,
        groups_provider=groups, wecom_api_base=lambda: wecom.api_base or "", dingtalk=dingtalk,
        platform_control=move_organisation), url_prefix="/sim")
    return state


def _dingtalk_simulator(cfg, callback_url, now):
    """The simulated DingTalk for the page: its world and its side of the callbacks."""
    from adapters.dingtalk.crypto import DingTalkCrypto
    from adapters.simulator.dingtalk import CardClickClient, DingTalkState, FakeDingTalkConfig, RobotClient
    from adapters.simulator.threads import DingTalkSim
    dt_state = DingTalkState(now)
    robot = RobotClient(cfg.app_secret, cfg.robot_code, cfg.corp_id, dt_state,
                        url=lambda: callback_url("/dingtalk/robot"), oapi_base=lambda: cfg.oapi_base, clock=now)
    clicks = CardClickClient(DingTalkCrypto(cfg.event_token, cfg.event_aes_key, cfg.app_key), cfg.corp_id,
                             url=lambda: callback_url("/dingtalk/events"), clock=now)
    return DingTalkSim(dt_state, robot, clicks), FakeDingTalkConfig(cfg.app_key, cfg.app_secret, cfg.robot_code)

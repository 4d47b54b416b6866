"""Settings, read once from the environment in ``create_app`` (never elsewhere).

Embedded default (no variables set): SQLite file under ./var, no Redis, the
demo WeCom and DingTalk credentials from config/demo/ and the built-in platform
simulator. Setting ``WECOM_SECRET`` or ``DINGTALK_APP_SECRET`` (a real app)
turns the simulator off unless ``QUDAO_SIMULATOR=1`` asks for it. A platform
is wired when it is configured (or the simulator plays it).
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = ROOT / "config"
DEFAULT_API_BASE = "https://qyapi.weixin.qq.com/cgi-bin/"
DEFAULT_LOGIN_BASE = "https://login.work.weixin.qq.com/"
DINGTALK_API_BASE = "https://api.dingtalk.com/"
DINGTALK_OAPI_BASE = "https://oapi.dingtalk.com/"
PROCESSING_MODES = ("inline", "threads", "workers")


@dataclass(frozen=True)
class WeComSettings:
    """A WeCom self-built app (自建应用): WECOM_* variables."""
    corp_id: str
    agent_id: str
    secret: str
    token: str
    aes_key: str
    api_base: str | None            # None: the simulator's own URL, filled in when serving
    # Where WeCom's web-login (QR scan) page is; None: the simulator's own page.
    login_base: str | None = None
    enabled: bool = True            # wired (off when only DingTalk is configured)


@dataclass(frozen=True)
class DingTalkSettings:
    """A DingTalk enterprise internal app with a robot (企业内部应用机器人) in HTTP
    mode: DINGTALK_* variables."""
    app_key: str                    # the app's AppKey (ClientID): token requests, event crypto receive id
    app_secret: str                 # AppSecret: token requests and the robot callback's sign
    robot_code: str                 # the robot's code (usually the app key)
    card_template_id: str           # the approval card's template on the card platform (see README)
    event_token: str                # event subscription Token (card clicks arrive encrypted)
    event_aes_key: str              # event subscription aes_key (43 characters)
    api_base: str | None            # new API; None: the simulator's own URL, filled in when serving
    oapi_base: str | None           # old API: sessionWebhook host, media upload, JSAPI tickets
    corp_id: str = ""               # the organisation's CorpId and the app's AgentId: the check-in
    agent_id: str = ""              # page's dd.config inside DingTalk
    card_route_key: str = ""        # a card callback route registered to /dingtalk/events, if any
    enabled: bool = False           # wired: configured, or played by the simulator


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    wecom: WeComSettings
    simulator: bool
    dingtalk: DingTalkSettings | None = None
    rules_file: Path = CONFIG_DIR / "rules" / "default.yaml"
    timezone: str = "Asia/Shanghai"
    timestamp_window_s: int = 300   # callbacks older/newer than this are replays or clock trouble
    max_body_bytes: int = 64 * 1024
    conversation_ttl_s: int = 600   # how long the bot waits for a missing field
    # "threads": ack fast and work in background threads of the serving process
    # (the embedded default); "workers": web processes only accept, `python -m bot
    # worker` processes do the work; "inline": process and deliver before
    # answering (tests, deterministic). "thread" is read as "threads".
    processing: str = "threads"
    # "embedded": `serve` also runs the scheduler (laptop/simulator default);
    # "off": timed work runs in its own `python -m bot scheduler` process.
    scheduler: str = "off"
    scheduler_lease_s: int = 30     # a dead scheduler's standby takes over within this
    send_lease_s: int = 40          # a send a dead worker left unfinished is tried again after this
    # Where a user with no platform of their own is reached.
    default_platform: str = "wecom"
    # The ops console: the key its session cookies are signed with (None: one
    # generated once and kept in the database).
    secret_key: str | None = None
    # Where users' phones reach the bot (links in chats: the check-in page);
    # None: the address `serve` listens on.
    public_url: str | None = None
    # Signs the links the bot sends (the check-in page); None: derived from the
    # platforms' secrets, so every worker of one deployment agrees.
    page_secret: str | None = None
    # Keys the audit trail's batch hashes (HMAC-SHA256); None: plain SHA-256.
    # Once set, keep it: audit-verify needs it to check batches sealed with it.
    audit_key: str | None = None

    def __post_init__(self) -> None:
        mode = {"thread": "threads", "worker": "workers"}.get(self.processing, self.processing)
        if mode not in PROCESSING_MODES:
            raise ValueError(f"QUDAO_PROCESSING must be one of {', '.join(PROCESSING_MODES)}, not {self.processing!r}")
        object.__setattr__(self, "processing", mode)
        if self.send_lease_s < 5:
            raise ValueError(f"QUDAO_SEND_LEASE is in seconds, at least 5 (longer than any platform call), "
                             f"not {self.send_lease_s}")

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    def with_wecom(self, **changes) -> Settings:
        return replace(self, wecom=replace(self.wecom, **changes))

    def with_dingtalk(self, **changes) -> Settings:
        return replace(self, dingtalk=replace(self.dingtalk, **changes))

    def with_simulator_at(self, port: int, host: str = "127.0.0.1") -> Settings:
        """The platforms' API bases not given explicitly point at the simulator that
        `serve` runs on ``port``; links in chats point at that server too."""
        out = self
        if not self.simulator:
            return out
        sim = f"http://127.0.0.1:{port}/sim/"
        if not out.wecom.api_base:
            out = out.with_wecom(api_base=sim + "cgi-bin/")
        if out.dingtalk is not None and out.dingtalk.enabled and not out.dingtalk.api_base:
            out = out.with_dingtalk(api_base=sim + "dingtalk/",
                                    oapi_base=out.dingtalk.oapi_base or sim + "dingtalk-oapi/")
        if not out.public_url:
            out = out.with_(public_url=f"http://{host}:{port}")
        return out


def _demo(name: str) -> dict[str, str]:
    with open(CONFIG_DIR / "demo" / f"{name}.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _dingtalk(env: Mapping[str, str], simulator: bool) -> DingTalkSettings:
    demo = _demo("dingtalk")
    configured = bool(env.get("DINGTALK_APP_KEY") or env.get("DINGTALK_API_BASE"))
    return DingTalkSettings(
        app_key=env.get("DINGTALK_APP_KEY") or demo["app_key"],
        app_secret=env.get("DINGTALK_APP_SECRET") or demo["app_secret"],
        robot_code=env.get("DINGTALK_ROBOT_CODE") or env.get("DINGTALK_APP_KEY") or demo["robot_code"],
        card_template_id=env.get("DINGTALK_CARD_TEMPLATE_ID") or demo["card_template_id"],
        event_token=env.get("DINGTALK_EVENT_TOKEN") or demo["event_token"],
        event_aes_key=env.get("DINGTALK_EVENT_AES_KEY") or demo["event_aes_key"],
        api_base=env.get("DINGTALK_API_BASE") or (None if simulator else DINGTALK_API_BASE),
        oapi_base=env.get("DINGTALK_OAPI_BASE") or (None if simulator else DINGTALK_OAPI_BASE),
        corp_id=env.get("DINGTALK_CORP_ID") or demo["corp_id"],
        agent_id=str(env.get("DINGTALK_AGENT_ID") or demo["agent_id"]),
        card_route_key=env.get("DINGTALK_CARD_ROUTE_KEY") or "",
        enabled=configured or simulator)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    demo = _demo("wecom")
    real_app = bool(env.get("WECOM_SECRET") or env.get("DINGTALK_APP_SECRET"))
    sim_flag = env.get("QUDAO_SIMULATOR")
    simulator = (sim_flag == "1") if sim_flag is not None else (
        not real_app and not env.get("WECOM_API_BASE") and not env.get("DINGTALK_API_BASE"))
    dingtalk = _dingtalk(env, simulator)
    # WeCom stays the default platform unless only DingTalk is configured.
    wecom_on = bool(env.get("WECOM_SECRET") or env.get("WECOM_API_BASE")) or simulator or not dingtalk.enabled
    default_db = f"sqlite:///{ROOT / 'var' / 'qudao.sqlite3'}"
    return Settings(
        database_url=env.get("DATABASE_URL") or default_db,
        redis_url=env.get("REDIS_URL") or None,
        wecom=WeComSettings(
            corp_id=env.get("WECOM_CORP_ID") or demo["corp_id"],
            agent_id=str(env.get("WECOM_AGENT_ID") or demo["agent_id"]),
            secret=env.get("WECOM_SECRET") or demo["secret"],
            token=env.get("WECOM_TOKEN") or demo["token"],
            aes_key=env.get("WECOM_AES_KEY") or demo["aes_key"],
            api_base=env.get("WECOM_API_BASE") or (None if simulator else DEFAULT_API_BASE), enabled=wecom_on,
            login_base=env.get("WECOM_LOGIN_BASE") or (None if simulator else DEFAULT_LOGIN_BASE)),
        simulator=simulator,
        dingtalk=dingtalk,
        rules_file=Path(env.get("QUDAO_RULES_FILE") or CONFIG_DIR / "rules" / "default.yaml"),
        timezone=env.get("QUDAO_TIMEZONE") or "Asia/Shanghai",
        timestamp_window_s=int(env.get("QUDAO_TIMESTAMP_WINDOW") or 300),
        max_body_bytes=int(env.get("QUDAO_MAX_BODY") or 64 * 1024),
        processing=env.get("QUDAO_PROCESSING") or "threads",
        scheduler=env.get("QUDAO_SCHEDULER") or ("embedded" if simulator else "off"),
        scheduler_lease_s=int(env.get("QUDAO_SCHEDULER_LEASE") or 30),
        send_lease_s=int(env.get("QUDAO_SEND_LEASE") or 40),
        default_platform=env.get("QUDAO_DEFAULT_PLATFORM") or ("wecom" if wecom_on else "dingtalk"),
        public_url=(env.get("QUDAO_PUBLIC_URL") or "").rstrip("/") or None,
        page_secret=env.get("QUDAO_PAGE_SECRET") or None,
        secret_key=env.get("QUDAO_SECRET_KEY") or None,
        audit_key=env.get("QUDAO_AUDIT_KEY") or None,
    )

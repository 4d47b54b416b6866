"""Settings, read once from the environment in ``create_app`` (never elsewhere).

Embedded default (no variables set): SQLite file under ./var, no Redis, the
demo WeCom credentials from config/demo/wecom.yaml and the built-in platform
simulator. Setting ``WECOM_SECRET`` (a real app) turns the simulator off unless
``QUDAO_SIMULATOR=1`` asks for it.
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


@dataclass(frozen=True)
class Settings:
    database_url: str
    redis_url: str | None
    wecom: WeComSettings
    simulator: bool
    rules_file: Path = CONFIG_DIR / "rules" / "default.yaml"
    timezone: str = "Asia/Shanghai"
    timestamp_window_s: int = 300   # callbacks older/newer than this are replays or clock trouble
    max_body_bytes: int = 64 * 1024
    conversation_ttl_s: int = 600   # how long the bot waits for a missing field
    # "thread": ack fast and work in background threads (serving);
    # "inline": process and deliver before answering (tests, deterministic).
    processing: str = "thread"
    # "embedded": `serve` also runs the scheduler (laptop/simulator default);
    # "off": timed work runs in its own `python -m bot scheduler` process.
    scheduler: str = "off"
    scheduler_lease_s: int = 30     # a dead scheduler's standby takes over within this
    # Where a user with no platform of their own is reached.
    default_platform: str = "wecom"
    # The ops console: the key its session cookies are signed with (None: one
    # generated once and kept in the database), and the address people open it
    # at (sign-in links printed by `console-login`; https makes the cookie secure).
    secret_key: str | None = None
    public_url: str = "http://127.0.0.1:8000"

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    def with_wecom(self, **changes) -> Settings:
        return replace(self, wecom=replace(self.wecom, **changes))



def _demo_wecom() -> dict[str, str]:
    with open(CONFIG_DIR / "demo" / "wecom.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    demo = _demo_wecom()
    real_app = bool(env.get("WECOM_SECRET"))
    sim_flag = env.get("QUDAO_SIMULATOR")
    simulator = (sim_flag == "1") if sim_flag is not None else (not real_app and not env.get("WECOM_API_BASE"))
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
            api_base=env.get("WECOM_API_BASE") or (None if simulator else DEFAULT_API_BASE),
            login_base=env.get("WECOM_LOGIN_BASE") or (None if simulator else DEFAULT_LOGIN_BASE)),
        simulator=simulator,
        rules_file=Path(env.get("QUDAO_RULES_FILE") or CONFIG_DIR / "rules" / "default.yaml"),
        timezone=env.get("QUDAO_TIMEZONE") or "Asia/Shanghai",
        timestamp_window_s=int(env.get("QUDAO_TIMESTAMP_WINDOW") or 300),
        max_body_bytes=int(env.get("QUDAO_MAX_BODY") or 64 * 1024),
        processing=env.get("QUDAO_PROCESSING") or "thread",
        scheduler=env.get("QUDAO_SCHEDULER") or ("embedded" if simulator else "off"),
        scheduler_lease_s=int(env.get("QUDAO_SCHEDULER_LEASE") or 30),
        default_platform=env.get("QUDAO_DEFAULT_PLATFORM") or "wecom",
        secret_key=env.get("QUDAO_SECRET_KEY") or None,
        public_url=(env.get("QUDAO_PUBLIC_URL") or f"http://127.0.0.1:{env.get('PORT') or 8000}").rstrip("/"),
    )

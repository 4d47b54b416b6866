"""The console's commands as ops run them: `console-login USERID` prints a
one-time link (stored hashed), `rules-whatif FILE --days N` prints the what-if
summary and its JSON."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.settings import CONFIG_DIR, load_settings
from domain.clock import Clock
from tests.support.apps import build_app
from tests.support.chat_driver import PLATFORM, ChatDriver, RecordingTransport, recording_platforms

ROOT = Path(__file__).resolve().parents[2]


def run(env, *args):
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def _env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "QUDAO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/console.sqlite3", PYTHONPATH=str(ROOT),
               QUDAO_PUBLIC_URL="https://ops.example.com")
    return env


def test_console_login_prints_a_one_time_link(tmp_path):
    env = _env(tmp_path)
    assert run(env, "seed-demo").returncode == 0
    done = run(env, "console-login", "admin")
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    assert url.startswith("https://ops.example.com/console/login/link/") and "只能使用一次" in done.stderr
    token = url.rsplit("/", 1)[1]
    with create_engine(env["DATABASE_URL"]).connect() as c:
        stored = c.execute(text("select token_hash from console_login_links")).scalar()
    assert stored != token and len(stored) == 64
    assert run(env, "console-login", "nobody").returncode == 2
    refused = run(env, "console-login", "dealer_bj_li")
    assert refused.returncode == 2 and "没有控制台权限" in refused.stderr


def test_rules_whatif_prints_the_summary_and_json(tmp_path):
    env = _env(tmp_path)
    settings = load_settings({}).with_(database_url=env["DATABASE_URL"], simulator=False, processing="inline",
                                       default_platform=PLATFORM)
    app = build_app(settings, Clock(), platforms=recording_platforms(RecordingTransport()))
    driver = ChatDriver(app, app.extensions["qudao"].clock)
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_bj_li", "报备 北京大学第一医院 监护 30万")
    app.extensions["qudao"].runner.stop()
    app.extensions["qudao"].engine.dispose()
    candidate = tmp_path / "quota1.yaml"
    candidate.write_text((CONFIG_DIR / "rules" / "default.yaml").read_text(encoding="utf-8")
                         .replace("open_quota: 100", "open_quota: 1"), encoding="utf-8")
    done = run(env, "rules-whatif", str(candidate), "--days", "30")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["days"] == 30 and report["replayed"]["registration"] == 2 and report["changed"] == 1
    [case] = report["cases"]
    assert case["kind"] == "registration" and case["after"]["rule_id"] == "registration.quota"
    assert "1 个报备将因报备数量上限被拒，而非直接通过" in done.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("registration:\n  open_quota: 0\n", encoding="utf-8")
    refused = run(env, "rules-whatif", str(bad))
    assert refused.returncode == 2 and "规则无法生效" in refused.stderr

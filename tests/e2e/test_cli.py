"""The ops commands, run as a user runs them."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(args, stdin: str, tmp_path) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}
    out = subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_parse_command_reads_json_lines(tmp_path):
    lines = [
        {"text": "报备 北京协和医院 心内科 彩超2台 80万 12月底签", "now": "2026-11-23"},
        {"text": "订货 A100*20 B200*5"},
        {"text": "帮助"},
        "not json",
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    reg, order, helpme, bad = run(["parse"], stdin, tmp_path)
    assert reg["intent"] == "register" and reg["customer"] == "北京协和医院"
    assert reg["amount_yuan"] == 800000 and reg["close_date"] == "2026-12-31" and reg["items"] == []
    assert order["intent"] == "order" and order["items"] == [{"sku": "A100", "qty": 20}, {"sku": "B200", "qty": 5}]
    assert helpme["intent"] == "help"
    assert "error" in bad


def test_match_command_reads_tab_separated_pairs(tmp_path):
    stdin = "上海市第一人民医院\t上海市第六人民医院\n南京鼓樓醫院\t南京鼓楼医院\n只有一列\n"
    diff, same, bad = run(["match"], stdin, tmp_path)
    assert diff["verdict"] == "distinct" and 0 <= diff["score"] <= 1 and diff["reason"]
    assert same["verdict"] == "duplicate"
    assert "error" in bad


def test_audit_verify_and_rules_load(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}
    ok = subprocess.run([sys.executable, "-m", "bot", "audit-verify"], capture_output=True, text=True, cwd=ROOT,
                        env=env, timeout=120)
    assert ok.returncode == 0 and json.loads(ok.stdout)["ok"] is True
    bad = tmp_path / "bad.yaml"
    bad.write_text("registration:\n  conflict_scope: galaxy\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "bot", "rules-load", str(bad)], capture_output=True, text=True,
                         cwd=ROOT, env=env, timeout=120)
    assert res.returncode == 2 and "conflict_scope" in res.stderr
    for text, said in (("registration:\n  pending_lock_days: 十五\n", "十五"),     # a bare int() once crashed here
                       ("registration:\n  open_quota: 不限\n", "open_quota"),
                       ("registration: [1\n", "rules not loaded")):
        bad.write_text(text, encoding="utf-8")
        res = subprocess.run([sys.executable, "-m", "bot", "rules-load", str(bad)], capture_output=True, text=True,
                             cwd=ROOT, env=env, timeout=120)
        assert res.returncode == 2 and said in res.stderr and "Traceback" not in res.stderr, res.stderr


def test_audit_verify_seals_on_request_and_names_what_was_tampered_with(tmp_path):
    from sqlalchemy import update

    from chat import audit
    from models import AuditEvent
    from models.db import make_engine, make_session_factory
    from tests.support.apps import T0

    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3"}

    def verify(*flags):
        res = subprocess.run([sys.executable, "-m", "bot", "audit-verify", *flags], capture_output=True, text=True,
                             cwd=ROOT, env=env, timeout=120)
        return res.returncode, json.loads(res.stdout), res.stderr

    subprocess.run([sys.executable, "-m", "bot", "migrate"], cwd=ROOT, env=env, timeout=120, check=True)
    engine = make_engine(env["DATABASE_URL"])
    factory = make_session_factory(engine)
    with factory() as s, s.begin():
        for i in range(3):
            audit.record(s, at=T0, actor="director", action="approval.approved", entity_type="approval",
                         entity_id=f"A{i}")
    code, report, _ = verify()
    assert code == 0 and report["ok"] and report["unsealed"] == 3 and report["events"] == 0
    code, report, err = verify("--seal")
    assert code == 0 and report["unsealed"] == 0 and report["events"] == 3 and "sealed 3 events" in err
    assert report["head"]["batch"] == 1 and len(report["head"]["hash"]) == 64
    with factory() as s, s.begin():
        s.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="someone_else"))
    engine.dispose()
    code, report, err = verify()
    assert code == 1 and not report["ok"]
    assert report["first_bad"]["seq"] == 2 and report["first_bad"]["kind"] == "content_changed"
    assert "content changed" in err and "内容被改动" in err

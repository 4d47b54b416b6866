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

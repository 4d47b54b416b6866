"""The operations commands as ops use them: integration tokens and order export."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]


def run(env, *args, check=True):
    proc = subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WECOM_", "QUDAO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/ops.sqlite3", PYTHONPATH=str(ROOT))
    return env


def test_integration_tokens_add_list_revoke(tmp_path):
    env = _env(tmp_path)
    out = run(env, "integration", "add", "erp").stdout
    token = out.strip().splitlines()[-1]
    assert token.startswith("qd_") and "shown once" in out
    assert "erp\tactive" in run(env, "integration", "list").stdout
    from sqlalchemy import create_engine, text

    from chat.integrations import token_hash
    engine = create_engine(env["DATABASE_URL"])
    with engine.connect() as c:
        stored = c.execute(text("select token_hash from integrations")).scalar()
    engine.dispose()
    assert stored == token_hash(token) and token not in stored       # only the hash is kept
    assert run(env, "integration", "revoke", "erp").returncode == 0
    assert "erp\trevoked" in run(env, "integration", "list").stdout
    assert run(env, "integration", "revoke", "erp", check=False).returncode == 1
    assert run(env, "integration", "add", check=False).returncode == 2


def test_export_orders_writes_csv_and_xlsx(tmp_path, app, driver, wecom):
    from tests.support.reading import cards_to
    driver.text("dealer_bj_li", "订货 A100*2 B200*5")
    card = [c for c in cards_to(wecom, "dealer_bj_li") if c.task_id.startswith("so-")][0]
    driver.click("dealer_bj_li", card.task_id, "confirm")
    env = _env(tmp_path)
    env["DATABASE_URL"] = str(app.extensions["qudao"].engine.url)
    text = run(env, "export-orders").stdout
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert [(r["sku"], r["qty"], r["unit_price"]) for r in rows] == [
        ("A100", "2", "83300.00"), ("B200", "5", "10200.00")]
    out = tmp_path / "orders.xlsx"
    proc = run(env, "export-orders", "--status", "confirmed,shipped", "-o", str(out))
    assert '"lines": 2' in proc.stderr
    sheet = list(load_workbook(out).active.iter_rows(values_only=True))
    assert sheet[0][:2] == ("order_number", "status") and len(sheet) == 3
    assert run(env, "export-orders", "--status", "draft", check=False).returncode == 2
    assert run(env, "export-orders", "--since", "someday", check=False).returncode == 2

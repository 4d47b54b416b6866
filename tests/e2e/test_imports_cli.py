"""The import command line and the templates it writes."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from bot.cli import main as cli_main
from bot.cli.imports import KIND_NAMES
from handlers.imports import KINDS, kind_named
from handlers.imports.templates import TEMPLATE_DIR, write_csv_templates, write_template
from tests.support.imports import (
    PARTNER_HEADER,
    PARTNERS,
    ROOT,
    run,
    write_csv,
)

# ---- command line ------------------------------------------------------------------------

@pytest.fixture
def cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.sqlite3")

    def invoke(*args: str) -> tuple[int, dict | None, str]:
        code = cli_main(list(args))
        out, err = capsys.readouterr()
        lines = [line for line in out.splitlines() if line.startswith("{")]
        return code, (json.loads(lines[-1]) if lines else None), err
    return invoke


def test_cli_exit_codes_progress_and_summary(cli, tmp_path):
    good = write_csv(tmp_path / "good.csv", [PARTNER_HEADER, PARTNERS[1], PARTNERS[2], PARTNERS[8]])
    code, summary, err = cli("import", "partners", str(good), "--batch", "1")
    assert code == 0 and summary["imported"] == 3 and summary["encoding"] == "utf-8-sig"
    assert err.count("rows read") >= 3 and "rows saved" in err
    code, summary, err = cli("import", "partners", str(good))
    assert code == 0 and (summary["imported"], summary["unchanged"]) == (0, 3) and "nothing changed" in err
    bad = write_csv(tmp_path / "bad.csv", PARTNERS)
    code, summary, err = cli("import", "partners", str(bad), "--dry-run")
    assert code == 1 and summary["dry_run"] and summary["bad_rows"] == 6     # no products: lines unchecked
    assert "row 4: 经销商名称为空 (name is empty)" in err and "dry run: nothing was written" in err
    code, summary, err = cli("import", "partners", str(tmp_path / "missing.xlsx"))
    assert code == 2 and summary is None and "no such file" in err
    lacking = write_csv(tmp_path / "lacking.csv", [["code"], ["P1"]])
    code, summary, err = cli("import", "partners", str(lacking))
    assert code == 2 and "missing required columns: name" in err


def test_cli_lists_at_most_200_bad_rows(cli, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [["sku", "qty"]] + [[f"A{i:03d}", -1] for i in range(100, 350)])
    code, summary, err = cli("import", "stock", str(path))
    assert code == 1 and summary["bad_rows"] == 250
    assert err.count("\nrow ") == 200 and "… and 50 more bad rows" in err


def test_cli_template_round_trip(cli, tmp_path):
    cli("seed-demo")                            # the examples come from the demo organisation
    for kind in KIND_NAMES:                     # in load order: later kinds refer to earlier ones
        path = tmp_path / f"{kind}.xlsx"
        assert cli("import-template", kind, "-o", str(path))[0] == 0
        code, summary, err = cli("import", kind, str(path))
        assert code == 0 and summary["bad_rows"] == 0, (kind, err)
    wb = load_workbook(tmp_path / "partners.xlsx")
    assert wb.sheetnames == ["经销商", "说明"]
    header = [c.value for c in wb["经销商"][1]]
    assert header[:2] == ["经销商编码", "经销商名称*"] and "信用额度（元）" in header
    assert any("credit line" in (c.value or "") for c in wb["说明"]["E"])


def test_import_customers_is_an_alias_and_a_subprocess_run_works(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["name", "address"], ["北京协和医院", "北京市东城区"], ["", ""], [" ", "x"]])
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path}/sub.sqlite3"}
    res = subprocess.run([sys.executable, "-m", "bot", "import-customers", str(path)], capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=120)
    assert res.returncode == 1 and "row 4: 客户名称为空" in res.stderr
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert (summary["kind"], summary["imported"], summary["bad_rows"]) == ("customers", 1, 1)


# ---- templates ----------------------------------------------------------------------------

def test_committed_csv_templates_are_up_to_date(tmp_path):
    for path in write_csv_templates(tmp_path):
        committed = TEMPLATE_DIR / path.name
        assert committed.exists() and committed.read_bytes() == path.read_bytes(), \
            f"{committed} is stale: run `python -m bot import-template all`"


@pytest.mark.parametrize("kind", KIND_NAMES)
def test_csv_templates_import_without_errors(demo_db, tmp_path, kind):
    report = run(demo_db, kind, write_template(kind_named(kind), tmp_path / f"{kind}.csv"))
    assert report.errors == [] and report.rows == 1 and report.notes == []


def test_the_command_line_knows_every_kind():
    assert tuple(KINDS) == KIND_NAMES

"""The command line given what no one should type (found by probing every command):
each is answered on stderr, Chinese first, with exit code 2 — never a traceback —
and nothing is written."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, func, select

from bot.cli import main
from models import Integration, RuleSet

pytestmark = pytest.mark.fault


@pytest.fixture
def db(tmp_path, monkeypatch):
    for key in list(os.environ):
        if key.startswith(("WECOM_", "QUDAO_", "DINGTALK_")) or key in ("DATABASE_URL", "REDIS_URL"):
            monkeypatch.delenv(key)
    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert main(["migrate"]) == 0
    return url


def _count(url, model) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(model)).scalar()
    finally:
        engine.dispose()


@pytest.mark.parametrize("argv, said", [
    (["statements", "--month", "9999-12"], "--month 应为"),
    (["export-orders", "--since", "0001-01-01"], "--since 应为"),
    (["export-orders", "-o", "/nonexistent-dir/x.csv"], "无法完成"),
    (["export-orders", "-o", "."], "无法完成"),
    (["import-template", "products", "-o", "/nonexistent-dir/x.xlsx"], "无法完成"),
    (["integration", "add", "x" * 61], "需要一个名称"),
    (["integration", "revoke", "nobody"], "没有有效的对接"),
    (["console-login", "adm\x00in"], "NUL"),
    (["rules-whatif", "/nonexistent.yaml"], "无法读取"),
])
def test_a_command_given_what_no_one_should_type_says_so(db, capsys, argv, said):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == (1 if argv[:2] == ["integration", "revoke"] else 2)     # revoke: nothing to revoke, as before
    assert said in err and "Traceback" not in err
    assert _count(db, Integration) == 0


@pytest.mark.parametrize("argv", [["worker", "--threads", "0"], ["serve", "--port", "99999999"],
                                  ["scheduler", "--sim-port", "-1"]])
def test_a_number_option_out_of_range_is_refused_before_anything_starts(db, capsys, argv):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2 and "的整数" in capsys.readouterr().err


def test_an_empty_rules_file_is_not_loaded(db, tmp_path, capsys):
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    before = _count(db, RuleSet)
    assert main(["rules-load", str(empty)]) == 2
    assert "规则没有载入" in capsys.readouterr().err and _count(db, RuleSet) == before


def test_parse_and_match_with_stdin_closed_read_nothing(db, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", None)
    assert main(["parse"]) == 0
    monkeypatch.setattr("sys.stdin", None)
    assert main(["match"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err

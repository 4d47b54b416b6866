"""Leads, splits and rebates in the simulator, as a new user tries them (the
README's embedded default: signed, encrypted WeCom callbacks, the fake WeCom
API, the embedded scheduler driven by the page's fast-forward): three leads
imported from the demo file go to partners by region; one given up goes to
the next partner, one left unanswered goes on after the fast-forward, one
taken becomes a registration that an order wins; its split shows in 我的分润,
我的返利 moves with the confirmed order, and the month's statement opens in
openpyxl with every figure traceable to its deal, rule and order."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
import requests
from openpyxl import load_workbook

from tests.support.apps import ROOT, serve_demo
from tests.support.reading import wait_for
from tests.support.sim_page import advance, bot_texts, entries, say

LD = re.compile(r"LD\d{8}-\d{4}")
RG = re.compile(r"RG\d{8}-\d{4}")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    env: dict = {}
    for base in serve_demo(tmp_path_factory.mktemp("leads"), env_out=env):
        yield base, env


def cli(env: dict, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def said(base, user, words: str, timeout: float = 20) -> str:
    found: list[str] = []

    def seen() -> bool:
        found[:] = [m for m in bot_texts(base, user) if words in m]
        return bool(found)
    assert wait_for(seen, timeout=timeout), f"{user} never got {words!r}: {bot_texts(base, user)[-3:]}"
    return found[-1]


def lead_cards(base, user) -> dict[str, dict]:
    """The lead cards ``user`` got, by the customer they name (the latest per customer)."""
    out = {}
    for e in entries(base, user):
        card = e["payload"]
        if e["direction"] == "bot" and e["msgtype"] == "template_card" and \
                card["main_title"]["title"].startswith("新线索"):
            text = json.dumps(card, ensure_ascii=False)
            for name in ("北京大学第一医院", "首都医科大学附属北京朝阳医院", "上海市第六人民医院"):
                if name in text:
                    out[name] = card
    return out


def click(base, user, card: dict, key: str) -> None:
    r = requests.post(base + "/sim/api/click", json={"user": user, "task_id": card["task_id"], "key": key},
                      timeout=10)
    assert r.status_code == 200 and r.json()["ok"], r.text


def card_titled(base, user, title: str) -> dict:
    def cards():
        return [e["payload"] for e in entries(base, user)
                if e["direction"] == "bot" and e["msgtype"] == "template_card"
                and e["payload"]["main_title"]["title"].startswith(title)]
    assert wait_for(lambda: bool(cards()), timeout=20), f"{user} has no card {title!r}"
    return cards()[-1]


def test_leads_handed_out_and_on_splits_and_rebates_in_the_simulator(served, tmp_path):
    base, env = served
    # A new user imports the three demo leads; the sweep hands them out by region.
    summary = cli(env, "import", "leads", str(ROOT / "config/demo/leads.csv"))
    assert summary["imported"] == 3 and summary["bad_rows"] == 0
    assert wait_for(lambda: len(lead_cards(base, "dealer_bj_li")) == 2 and len(lead_cards(base, "dealer_sh_chen")) == 1,
                    timeout=60), "the leads were not handed out"
    beijing, shanghai = lead_cards(base, "dealer_bj_li"), lead_cards(base, "dealer_sh_chen")
    assert set(beijing) == {"北京大学第一医院", "首都医科大学附属北京朝阳医院"}
    assert set(shanghai) == {"上海市第六人民医院"}
    assert lead_cards(base, "dealer_hx_sun") == {} and lead_cards(base, "dealer_tj_zhao") == {}

    # One given up with a reason goes to the next partner of the region.
    click(base, "dealer_bj_li", beijing["北京大学第一医院"], "decline")
    said(base, "dealer_bj_li", "请说明放弃线索")
    say(base, "dealer_bj_li", "该院本季度无采购计划")
    said(base, "dealer_bj_li", "已放弃线索")
    assert wait_for(lambda: "北京大学第一医院" in lead_cards(base, "dealer_hx_sun"), timeout=20)

    # One taken becomes a protected registration.
    click(base, "dealer_sh_chen", shanghai["上海市第六人民医院"], "accept")
    reg = RG.search(said(base, "dealer_sh_chen", "已报备为")).group()
    said(base, "dealer_sh_chen", "报备成功")

    # 我的返利 before and after an order that wins the deal; the split in 我的分润.
    say(base, "dealer_sh_chen", "我的返利")
    assert "已确认 ¥0.00（0%）" in said(base, "dealer_sh_chen", "2026年第四季度返利")
    say(base, "dealer_sh_chen", f"订货 A100*2 报备号 {reg}")
    click(base, "dealer_sh_chen", card_titled(base, "dealer_sh_chen", "订单"), "confirm")
    assert reg in said(base, "dealer_sh_chen", "标记为赢单")
    split_told = said(base, "dealer_sh_chen", "💰")
    assert "¥9,996.00" in split_told and "ultrasound_gold" in split_told
    say(base, "dealer_sh_chen", "我的分润")
    mine = said(base, "dealer_sh_chen", "我的分润**")
    assert reg in mine and "报备方 ¥9,996.00" in mine and "成交 ¥166,600.00" in mine
    say(base, "dealer_sh_chen", "我的返利")
    assert wait_for(lambda: any("已确认 ¥166,600.00（11.1%）" in m for m in bot_texts(base, "dealer_sh_chen")),
                    timeout=20)

    # The month's statement opens in a spreadsheet, every figure traceable.
    month = re.search(r"(\d{4}-\d{2}) 我的分润", mine).group(1)
    out = cli(env, "statements", "--month", month, "-o", str(tmp_path / "st"))
    [st] = [x for x in out["statements"] if x["partner"] == "上海恒远医疗设备有限公司"]
    wb = load_workbook(st["file"])
    [row] = [[c.value for c in r] for r in wb["分润明细"].iter_rows(min_row=2)]
    assert row[1] == reg and row[3] == "报备方" and row[4] == 166600 and row[7] == 9996
    assert row[8] == "ultrasound_gold" and isinstance(row[9], int) and row[10].startswith("SO")
    summary_rows = {r[0].value: r[1].value for r in wb["对账单"].iter_rows(min_row=6)}
    assert summary_rows["分润合计"] == 9996 == row[7]

    # One left unanswered goes on after the fast-forward.
    advance(base, 4 * 24)
    assert wait_for(lambda: "首都医科大学附属北京朝阳医院" in lead_cards(base, "dealer_hx_sun"), timeout=30)
    assert any("个工作小时内未处理" in m for m in bot_texts(base, "dealer_bj_li"))
    say(base, "mgr_north", "线索 统计")
    stats = said(base, "mgr_north", "**线索统计**")
    assert "北京康健医疗器械有限公司：分配 2 · 接受 0 · 放弃 1 · 超时 1" in stats

"""A registration's whole life in the simulator, as a new user tries it (the
README's embedded default: signed, encrypted WeCom callbacks; the fake WeCom
API; the embedded scheduler driven by the page's fast-forward): a deal moved
through two stages by chat, another gone stale and recalled (the refused
partner told it is free), an appeal filed and decided on a card showing both
sides' evidence (the workbook downloadable from the chat), a co-sell request
on a key account accepted, a deal won through an order and another lost with
a reason, and all of it in 漏斗."""
from __future__ import annotations

import io
import re

import pytest
import requests
from openpyxl import load_workbook

from tests.support.apps import serve_demo
from tests.support.reading import wait_for
from tests.support.sim_page import advance, bot_texts, entries, say

RG = re.compile(r"RG\d{8}-\d{4}")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    yield from serve_demo(tmp_path_factory.mktemp("deal-life"))


def said(base, user, words: str, timeout: float = 20) -> str:
    """The newest bot message to ``user`` containing ``words`` (waiting for it)."""
    found: list[str] = []

    def seen() -> bool:
        found[:] = [m for m in bot_texts(base, user) if words in m]
        return bool(found)
    assert wait_for(seen, timeout=timeout), f"{user} never got {words!r}: {bot_texts(base, user)[-3:]}"
    return found[-1]


def cards(base, user) -> list[dict]:
    return [e["payload"] for e in entries(base, user) if e["direction"] == "bot" and e["msgtype"] == "template_card"]


def card_titled(base, user, title: str) -> dict:
    wait_for(lambda: any(c["main_title"]["title"].startswith(title) for c in cards(base, user)), timeout=20)
    return [c for c in cards(base, user) if c["main_title"]["title"].startswith(title)][-1]


def click(base, user, card: dict, key: str) -> None:
    r = requests.post(base + "/sim/api/click", json={"user": user, "task_id": card["task_id"], "key": key},
                      timeout=10)
    assert r.status_code == 200 and r.json()["ok"], r.text


def registered(base, user, text: str, words: str = "报备成功") -> str:
    before = len([m for m in bot_texts(base, user) if words in m])
    say(base, user, text)
    assert wait_for(lambda: len([m for m in bot_texts(base, user) if words in m]) > before, timeout=20)
    return RG.search([m for m in bot_texts(base, user) if words in m][-1]).group()


def test_a_registrations_whole_life_in_the_simulator(base):
    # A deal moved through two stages by chat.
    pumch = registered(base, "dealer_bj_li", "报备 北京协和医院 彩超 80万")
    say(base, "dealer_bj_li", f"{pumch} 确认需求")
    assert "初步接触 → 需求确认" in said(base, "dealer_bj_li", "已记录跟进")
    say(base, "dealer_bj_li", f"跟进 {pumch} 方案报价 客户要求下周演示")
    assert "需求确认 → 方案报价" in said(base, "dealer_bj_li", "客户要求下周演示")
    say(base, "dealer_bj_li", "我的报备")
    assert "方案报价 · 跟进" in said(base, "dealer_bj_li", "的报备**")

    # Another goes stale: recalled after the fast-forward, the refused partner told it is free.
    stale = registered(base, "dealer_bj_wang", "报备 首都医科大学附属北京朝阳医院 彩超 50万")
    registered(base, "dealer_hx_sun", "报备 首都医科大学附属北京朝阳医院 彩超 40万", words="报备未通过")
    advance(base, 25 * 24)
    say(base, "dealer_bj_li", f"{pumch} 谈判")            # 协和 is worked; 朝阳医院 is not
    said(base, "dealer_bj_li", "方案报价 → 商务谈判")
    advance(base, 6 * 24)
    assert stale in said(base, "dealer_bj_wang", "已被收回")
    assert "首都医科大学附属北京朝阳医院" in said(base, "dealer_hx_sun", "现在可以报备")

    # An appeal, decided on a card that shows both sides' evidence.
    refused = registered(base, "dealer_hx_sun", "报备 北京协和医院 彩超 60万", words="报备未通过")
    say(base, "dealer_hx_sun", f"申诉 {refused} 理由 我司上月已拜访信息科")
    said(base, "dealer_hx_sun", "已提交申诉")
    card = card_titled(base, "mgr_north", "申诉裁决")
    rows = {r["keyname"]: r["value"] for r in card["horizontal_content_list"]}
    assert rows["申诉方"].startswith(f"北京华信 {refused}") and rows["持有方"].startswith(f"北京康健 {pumch}")
    assert rows["持有方证据"].startswith("跟进3") and rows["申诉方证据"] == "跟进0 拜访0"
    def files():
        return [e for e in entries(base, "mgr_north") if e["msgtype"] == "file"]
    assert wait_for(files, timeout=20) and files()[-1]["payload"]["filename"].endswith(".xlsx")
    book = load_workbook(io.BytesIO(requests.get(base + "/sim/media/" + files()[-1]["payload"]["media_id"],
                                                 timeout=10).content))
    assert [row[0] for row in book["报备"].iter_rows(min_row=2, values_only=True)] == [refused, pumch]
    click(base, "mgr_north", card, "uphold")
    said(base, "dealer_hx_sun", "维持原状")
    said(base, "dealer_bj_li", "继续有效")

    # A key account: the partner's claim is a co-sell request the owner and the manager accept.
    cosell = registered(base, "dealer_hx_sun", "报备 河北医科大学第二医院 彩超 50万", words="报备已受理")
    click(base, "rep_zhang", card_titled(base, "rep_zhang", f"商机报备审批 {cosell}"), "approve")
    click(base, "mgr_north", card_titled(base, "mgr_north", f"商机报备审批 {cosell}"), "approve")
    assert "分成 30%" in said(base, "dealer_hx_sun", "审批通过")

    # Won through an order that names the deal; another lost with a reason.
    say(base, "dealer_bj_li", f"订货 A100*2 报备号 {pumch}")
    order_card = card_titled(base, "dealer_bj_li", "订单")
    click(base, "dealer_bj_li", order_card, "confirm")
    assert pumch in said(base, "dealer_bj_li", "标记为赢单")
    lost = registered(base, "dealer_bj_li", "报备 北京大学第一医院 监护仪 60万")
    say(base, "dealer_bj_li", f"输单 {lost} 原因 竞品 对方低价")
    said(base, "dealer_bj_li", "已标记输单")

    # All of it in 漏斗.
    say(base, "mgr_north", "漏斗")
    line = said(base, "mgr_north", "📊 北京市、天津市、河北省（近 365 天）")
    assert "赢单 1 个" in line and "输单 1 个" in line and "赢率 50%" in line and "在跟 " in line
    assert any(e["msgtype"] == "image" for e in entries(base, "mgr_north"))

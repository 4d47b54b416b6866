"""Tests for domain.language, the free-text message parser: the intents other than
orders (visits, queries, help, amend/withdraw/extend, aliases), commands naming a
record by number, visit plans and approvals. Orders, special prices and catalogs:
test_parse_orders.py.

Cases are tables of (message, expected fields); see parse_helpers.check.
"""
from __future__ import annotations

from typing import Any

import pytest

from bot.language import parse_message
from tests.support.parsing import TODAY, check

# --- other intents -------------------------------------------------------------
INTENT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("签到", {"intent": "checkin", "customer": None}),
    ("签到 北京协和医院 设备科", {"intent": "checkin", "customer": "北京协和医院", "department": "设备科"}),
    ("签退 北京协和医院", {"intent": "checkout", "customer": "北京协和医院"}),
    ("check in Peking Union Hospital", {"intent": "checkin", "customer": "Peking Union Hospital"}),
    ("check-in Peking Union Hospital", {"intent": "checkin", "customer": "Peking Union Hospital"}),
    ("checkin", {"intent": "checkin"}),
    ("checkout", {"intent": "checkout"}),
    ("check out", {"intent": "checkout"}),
    ("拜访小结 见了设备科李科长，预算已批", {"intent": "visit_note", "note": "见了设备科李科长,预算已批"}),
    ("小结：北京协和医院 设备科王主任同意下月招标",
     {"intent": "visit_note", "customer": "北京协和医院", "note": "北京协和医院 设备科王主任同意下月招标"}),
    ("拜访记录 今天见了院长", {"intent": "visit_note", "note": "今天见了院长", "close_date": None}),
    ("visit note met Dr Wang", {"intent": "visit_note", "note": "met Dr Wang"}),
    ("查询 RG20261123-0001", {"intent": "query", "ref": "RG20261123-0001", "customer": None}),
    ("查 北京协和医院", {"intent": "query", "customer": "北京协和医院"}),
    ("查一下 北京协和医院", {"intent": "query", "customer": "北京协和医院"}),
    ("query Peking Union Medical College Hospital",
     {"intent": "query", "customer": "Peking Union Medical College Hospital"}),
    ("我的报备", {"intent": "query", "action": "mine"}),
    ("查询 我的报备", {"intent": "query", "action": "mine"}),
    ("我的商机", {"intent": "query", "action": "mine"}),
    ("my deals", {"intent": "query", "action": "mine"}),
    ("My Registrations", {"intent": "query", "action": "mine"}),
    ("帮助", {"intent": "help"}),
    ("help", {"intent": "help"}),
    ("HELP", {"intent": "help"}),
    ("?", {"intent": "help"}),
    ("？", {"intent": "help"}),
    ("菜单", {"intent": "help"}),
    ("怎么用", {"intent": "help"}),
    ("你好", {"intent": "help"}),
    ("您好！", {"intent": "help"}),
    ("hi", {"intent": "help"}),
    ("@渠道助手", {"intent": "unknown"}),
    ("", {"intent": "unknown"}),
    ("   \n  ", {"intent": "unknown"}),
    ("今天天气不错", {"intent": "unknown"}),
    ("北京协和医院 彩超 80万", {"intent": "unknown", "customer": None}),
    ("客户：北京协和医院", {"intent": "unknown"}),
    ("regular check", {"intent": "unknown"}),
    ("修改 RG20261123-0001 金额 90万 明年1月",
     {"intent": "register", "action": "amend", "ref": "RG20261123-0001", "amount_yuan": 900000,
      "close_date": "2027-01-31", "missing": []}),
    ("修改报备 RG20261123-0001 产品 监护仪 3台",
     {"intent": "register", "action": "amend", "products": [("监护仪", None, 3)]}),
    ("amend RG20261123-0001 1.5m", {"intent": "register", "action": "amend", "amount_yuan": 1500000}),
    ("撤销 RG20261123-0001 客户取消采购",
     {"intent": "register", "action": "withdraw", "ref": "RG20261123-0001", "note": "客户取消采购"}),
    ("撤回 RG20261123-0001", {"intent": "register", "action": "withdraw", "ref": "RG20261123-0001", "note": None}),
    ("撤销报备 rg20261123-0002", {"intent": "register", "action": "withdraw", "ref": "RG20261123-0002"}),
    ("延期 RG20261123-0001 理由：招标推迟",
     {"intent": "register", "action": "extend", "ref": "RG20261123-0001", "note": "招标推迟"}),
    ("延期 RG20261123-0001 客户招标推迟到明年3月",
     {"intent": "register", "action": "extend", "close_date": "2027-03-31", "note": "客户招标推迟到明年3月"}),
    ("申请延期 RG20261123-0001", {"intent": "register", "action": "extend", "ref": "RG20261123-0001"}),
    ("别名 协和 = 北京协和医院", {"intent": "unknown", "action": "alias", "customer": "北京协和医院", "note": "协和"}),
    ("别名：协和->北京协和医院", {"intent": "unknown", "action": "alias", "customer": "北京协和医院", "note": "协和"}),
    ("别名 协和＝北京协和医院", {"intent": "unknown", "action": "alias", "customer": "北京协和医院", "note": "协和"}),
    ("别名 北京协和医院 协和", {"intent": "unknown", "action": "alias", "customer": "北京协和医院", "note": "协和"}),
    ("alias PUMCH = Peking Union Medical College Hospital",
     {"intent": "unknown", "action": "alias", "customer": "Peking Union Medical College Hospital", "note": "PUMCH"}),
]


@pytest.mark.parametrize("text,expect", INTENT_CASES)
def test_intents(text: str, expect: dict[str, Any]) -> None:
    check(parse_message(text, today=TODAY), expect)


# --- one record named by its number: the prefix picks the kind ---------------------
SO, SP, RG = "SO20261202-0001", "SP20261202-0003", "RG20261123-0001"
REF_CASES: list[tuple[str, dict[str, Any]]] = [
    (f"修改订单 {SO} A100*25", {"intent": "order", "action": "amend", "ref": SO, "items": [["A100", 25]]}),
    (f"修改 {SO} A100 25台", {"intent": "order", "action": "amend", "ref": SO, "items": [["A100", 25]]}),
    (f"改单 {SO} B200*10", {"intent": "order", "action": "amend", "ref": SO, "items": [["B200", 10]]}),
    (f"amend order {SO} A100*3", {"intent": "order", "action": "amend", "items": [["A100", 3]]}),
    (f"取消订单 {SO}", {"intent": "order", "action": "cancel", "ref": SO, "note": None}),
    (f"取消订单 {SO} 客户不要了", {"intent": "order", "action": "cancel", "ref": SO, "note": "客户不要了"}),
    (f"撤销 {SO}", {"intent": "order", "action": "cancel", "ref": SO}),
    (f"撤销订单 {SO}", {"intent": "order", "action": "cancel", "ref": SO}),
    (f"撤回 {SO.lower()}", {"intent": "order", "action": "cancel", "ref": SO}),
    (f"cancel order {SO}", {"intent": "order", "action": "cancel", "ref": SO}),
    (f"取消 {SO}", {"intent": "order", "action": "cancel", "ref": SO}),
    ("取消订单", {"intent": "order", "action": "cancel", "ref": None}),
    (f"确认订单 {SO}", {"intent": "order", "action": "confirm", "ref": SO}),
    (f"确认 {SO}", {"intent": "order", "action": "confirm", "ref": SO}),
    (f"confirm {SO}", {"intent": "order", "action": "confirm", "ref": SO}),
    (f"订单 {SO}", {"intent": "order", "action": "show", "ref": SO}),
    (f"订单：{SO}", {"intent": "order", "action": "show", "ref": SO}),
    (f"查询订单 {SO}", {"intent": "order", "action": "show", "ref": SO}),
    (f"查 {SO}", {"intent": "order", "action": "show", "ref": SO}),
    (f"修改 {SP} 单价 9000", {"intent": "special_price", "action": "amend", "ref": SP, "unit_price": 9000}),
    (f"撤销 {SP}", {"intent": "special_price", "action": "cancel", "ref": SP}),
    (f"查询 {SP}", {"intent": "special_price", "action": "show", "ref": SP}),
    # registrations keep their verbs
    (f"修改 {RG} 金额 90万", {"intent": "register", "action": "amend", "ref": RG, "amount_yuan": 900000}),
    (f"撤销 {RG}", {"intent": "register", "action": "withdraw", "ref": RG}),
    ("修改 金额 90万", {"intent": "register", "action": "amend", "ref": None}),
    (f"查询 {RG}", {"intent": "query", "action": None, "ref": RG}),
    ("查询 北京协和医院", {"intent": "query", "action": None, "customer": "北京协和医院"}),
    # not commands: dispatch reads a bare 取消/cancel as "drop this conversation"
    ("取消", {"intent": "unknown", "action": None}),
    ("cancel", {"intent": "unknown", "action": None}),
    ("取消 北京协和医院", {"intent": "unknown", "action": None}),
    (f"取消 {RG}", {"intent": "unknown", "action": None}),
    ("确认", {"intent": "unknown", "action": None}),
    ("confirm", {"intent": "unknown", "action": None}),
    ("confirmed", {"intent": "unknown", "action": None}),
    (f"确认 {RG}", {"intent": "unknown", "action": None}),
    ("订单", {"intent": "unknown", "action": None}),
    ("订单 A100*20", {"intent": "unknown", "action": None, "items": []}),
    ("cancellation policy", {"intent": "unknown", "action": None}),
    (f"同意 {RG}", {"intent": "unknown", "action": None}),
]


@pytest.mark.parametrize("text,expect", REF_CASES)
def test_ref_commands(text: str, expect: dict[str, Any]) -> None:
    check(parse_message(text, today=TODAY), expect)


# --- visit plans (TODAY is Monday 2026-11-23) -----------------------------------------
PLAN_CASES: list[tuple[str, dict[str, Any]]] = [
    ("计划 明天 拜访 北京协和医院 天津医科大学总医院",
     {"action": None, "plan_date": "2026-11-24", "customers": ["北京协和医院", "天津医科大学总医院"],
      "customer": None, "close_date": None}),
    ("拜访计划 12月5日 北京协和医院、天津医科大学总医院",
     {"plan_date": "2026-12-05", "customers": ["北京协和医院", "天津医科大学总医院"]}),
    ("明天拜访计划：北京协和医院，天津市第一中心医院",
     {"action": None, "plan_date": "2026-11-24", "customers": ["北京协和医院", "天津市第一中心医院"]}),
    ("计划 周三 拜访 北京大学第一医院", {"plan_date": "2026-11-25", "customers": ["北京大学第一医院"]}),
    ("计划 下周一拜访 A医院 B医院", {"plan_date": "2026-11-30", "customers": ["A医院", "B医院"]}),
    ("计划 周一 拜访 A医院", {"plan_date": "2026-11-23"}),  # today is a Monday: today
    ("计划 星期日 拜访 A医院", {"plan_date": "2026-11-29"}),
    ("计划 礼拜二 拜访 A医院", {"plan_date": "2026-11-24"}),
    ("计划 下周日 拜访 A医院", {"plan_date": "2026-12-06"}),
    ("计划 下周 拜访 北京协和医院 备注 带样机",  # a whole week: its Monday
     {"plan_date": "2026-11-30", "customers": ["北京协和医院"], "note": "带样机"}),
    ("计划 2026-12-05 拜访 北京协和医院", {"plan_date": "2026-12-05", "customers": ["北京协和医院"]}),
    ("计划 12/5 北京协和医院", {"plan_date": "2026-12-05", "customers": ["北京协和医院"]}),
    ("今天计划 北京协和医院和天坛医院", {"plan_date": "2026-11-23", "customers": ["北京协和医院", "天坛医院"]}),
    ("计划 后天 北京协和医院及天坛医院", {"plan_date": "2026-11-25", "customers": ["北京协和医院", "天坛医院"]}),
    ("后天拜访 北京协和医院", {"plan_date": "2026-11-25", "customers": ["北京协和医院"]}),
    ("计划 明天上午去北京协和医院 下午到中山大学和平医院",
     {"customers": ["北京协和医院", "中山大学和平医院"]}),  # 和 inside a name does not split it
    ("计划 明天 拜访 北京协和医院、北京协和医院", {"customers": ["北京协和医院"]}),
    ("计划 明天 协和 天坛", {"customers": ["协和", "天坛"]}),
    ("计划拜访 北京协和医院", {"plan_date": None, "customers": ["北京协和医院"]}),
    ("计划 北京协和医院", {"plan_date": None, "customers": ["北京协和医院"]}),
    ("计划", {"action": None, "plan_date": None, "customers": []}),
    ("plan tomorrow visit Peking Union Hospital, Tianjin General Hospital",
     {"plan_date": "2026-11-24", "customers": ["Peking Union Hospital", "Tianjin General Hospital"]}),
    ("visit plan tomorrow: Peking Union Hospital and Tianjin General Hospital",
     {"customers": ["Peking Union Hospital", "Tianjin General Hospital"]}),
    ("plan PUMCH, TJMU", {"plan_date": None, "customers": ["PUMCH", "TJMU"]}),
    ("@渠道助手 明天拜访计划：北京协和医院", {"plan_date": "2026-11-24", "customers": ["北京协和医院"]}),
    # a day already past stays past (the handler refuses it); a date-shaped word is never a customer
    ("计划 11月20日 拜访 北京协和医院", {"plan_date": "2026-11-20", "customers": ["北京协和医院"], "bad_date": None}),
    ("计划 昨天 拜访 北京协和医院", {"plan_date": "2026-11-22", "customers": ["北京协和医院"]}),
    ("计划 前天 拜访 北京协和医院", {"plan_date": "2026-11-21", "customers": ["北京协和医院"]}),
    ("计划 2月30日 拜访 北京协和医院", {"plan_date": None, "customers": ["北京协和医院"], "bad_date": "2月30日"}),
    ("计划 13月5日 拜访 北京协和医院", {"plan_date": None, "customers": ["北京协和医院"], "bad_date": "13月5日"}),
    ("计划 1月3日 拜访 北京协和医院", {"plan_date": "2027-01-03"}),  # the nearest Jan 3 is next year's
    ("计划 12.5 拜访 北京协和医院", {"plan_date": "2026-12-05", "customers": ["北京协和医院"]}),
    ("计划 12.05 拜访 北京协和医院", {"plan_date": "2026-12-05", "customers": ["北京协和医院"]}),
    # asking for the plan
    ("我的计划", {"action": "mine", "plan_date": None, "customers": []}),
    ("我的拜访计划", {"action": "mine"}),
    ("今日计划", {"action": "mine", "plan_date": "2026-11-23"}),
    ("今天的计划", {"action": "mine", "plan_date": "2026-11-23"}),
    ("明天的计划", {"action": "mine", "plan_date": "2026-11-24"}),
    ("my plan", {"action": "mine"}),
    ("查询 我的计划", {"action": "mine"}),
]


@pytest.mark.parametrize("text,expect", PLAN_CASES)
def test_plan(text: str, expect: dict[str, Any]) -> None:
    check(parse_message(text, today=TODAY), {"intent": "plan", **expect})


NOT_PLAN_CASES: list[tuple[str, str]] = [
    ("今天拜访了北京协和医院", "unknown"),  # a report, not a plan
    ("今天拜访小结 北京协和医院", "unknown"),
    ("今天天气不错", "unknown"),
    ("明天见", "unknown"),
    ("计划书 发我一下", "unknown"),
    ("planning meeting", "unknown"),
    ("拜访小结 北京协和医院 见了设备科主任，下周演示", "visit_note"),
    ("拜访记录 明天再去一次", "visit_note"),
    ("报备 北京协和医院 彩超 80万 计划明年3月", "register"),
    ("签到 北京协和医院", "checkin"),
]


@pytest.mark.parametrize("text,intent", NOT_PLAN_CASES)
def test_not_a_plan(text: str, intent: str) -> None:
    parsed = parse_message(text, today=TODAY)
    assert parsed.intent == intent
    assert parsed.plan_date is None and parsed.customers == []


# --- approvals: transfer one, delegate for a date range --------------------------------
APPROVAL_CASES: list[tuple[str, dict[str, Any]]] = [
    (f"转交 {SP} 张伟", {"action": "transfer", "ref": SP, "target": "张伟", "note": None}),
    (f"转交 {SO} 给 director", {"action": "transfer", "ref": SO, "target": "director"}),
    (f"转给 {RG} 王建国", {"action": "transfer", "ref": RG, "target": "王建国"}),
    (f"transfer {SP} to director", {"action": "transfer", "ref": SP, "target": "director"}),
    (f"转交 {SP} 张伟 请总监定夺", {"target": "张伟", "note": "请总监定夺"}),
    (f"转交 {SP} 给张伟，请总监定夺", {"target": "张伟", "note": "请总监定夺"}),
    (f"转交给 张伟 {SP}", {"ref": SP, "target": "张伟"}),
    (f"请帮我转交 {SP} 张伟", {"action": "transfer", "target": "张伟"}),
    (f"转交 {SP}", {"action": "transfer", "ref": SP, "target": None}),
    ("委托 张伟 12月5日至12月12日",
     {"action": "delegate", "target": "张伟", "date_from": "2026-12-05", "date_to": "2026-12-12", "ref": None}),
    ("委托 张伟 代批 12/5-12/12", {"target": "张伟", "date_from": "2026-12-05", "date_to": "2026-12-12"}),
    ("请假 12月5日到12月12日 由张伟代批",
     {"action": "delegate", "target": "张伟", "date_from": "2026-12-05", "date_to": "2026-12-12"}),
    ("12月5日-12月12日 请张伟代我审批",
     {"action": "delegate", "target": "张伟", "date_from": "2026-12-05", "date_to": "2026-12-12"}),
    ("delegate director 2026-12-05 to 2026-12-12",
     {"action": "delegate", "target": "director", "date_from": "2026-12-05", "date_to": "2026-12-12"}),
    ("delegate to director from 12/5 to 12/12", {"target": "director", "date_to": "2026-12-12"}),
    ("委托 张伟 12月28日至1月3日", {"date_from": "2026-12-28", "date_to": "2027-01-03"}),
    ("委托 张伟 12月5日至12日", {"date_from": "2026-12-05", "date_to": "2026-12-12"}),
    ("委托 张伟 12月5号到12号", {"date_from": "2026-12-05", "date_to": "2026-12-12"}),
    ("委托 张伟 12月5日 12月12日 出差", {"date_from": "2026-12-05", "date_to": "2026-12-12", "note": "出差"}),
    ("委托给张伟 12月5日~12月12日", {"target": "张伟", "date_from": "2026-12-05", "date_to": "2026-12-12"}),
    ("委托 张伟 明天", {"target": "张伟", "date_from": "2026-11-24", "date_to": "2026-11-24"}),
    ("委托 张伟 下周", {"date_from": "2026-11-30", "date_to": "2026-12-06"}),
    ("委托 张伟 下个月", {"date_from": "2026-12-01", "date_to": "2026-12-31"}),
    ("委托 张伟 11月20日至11月30日", {"date_from": "2026-11-20", "date_to": "2026-11-30"}),  # under way
    ("委托 张伟", {"action": "delegate", "target": "张伟", "date_from": None, "date_to": None}),
    ("请假 12月5日到12月12日 由于出差", {"target": None, "note": "出差", "date_to": "2026-12-12"}),
    ("我要委托 张伟 明天", {"action": "delegate", "target": "张伟"}),
    ("取消委托", {"action": "undelegate", "target": None, "date_from": None}),
    ("取消委托 张伟", {"action": "undelegate", "target": "张伟"}),
    ("cancel delegation", {"action": "undelegate"}),
]


@pytest.mark.parametrize("text,expect", APPROVAL_CASES)
def test_approval(text: str, expect: dict[str, Any]) -> None:
    check(parse_message(text, today=TODAY), {"intent": "approval", **expect})


@pytest.mark.parametrize("text", ["委托书怎么开", "transferred to finance", "delegates list", "12月5日-12月12日 出差"])
def test_not_an_approval(text: str) -> None:
    parsed = parse_message(text, today=TODAY)
    assert parsed.intent == "unknown"
    assert parsed.target is None and parsed.date_from is None


# --- visits -----------------------------------------------------------------------------
VISIT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("我的拜访", {"intent": "query", "action": "my_visits", "customer": None}),
    ("my visits", {"intent": "query", "action": "my_visits"}),
    ("查看 我的拜访", {"intent": "query", "action": "my_visits"}),
    ("签到 北京协和医院", {"intent": "checkin", "customer": "北京协和医院"}),
    ("签到", {"intent": "checkin", "customer": None}),
    ("签退", {"intent": "checkout", "customer": None}),
    ("签退 北京协和医院", {"intent": "checkout", "customer": "北京协和医院"}),
    ("拜访小结 北京协和医院 见了设备科主任，下周演示",
     {"intent": "visit_note", "customer": "北京协和医院", "note": "北京协和医院 见了设备科主任,下周演示"}),
    ("小结：见了设备科主任", {"intent": "visit_note", "customer": None, "note": "见了设备科主任"}),
]


@pytest.mark.parametrize("text,expect", VISIT_CASES)
def test_visits(text: str, expect: dict[str, Any]) -> None:
    check(parse_message(text, today=TODAY), expect)

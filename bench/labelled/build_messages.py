"""Builds bench/data/parse_messages.jsonl: chat messages with the fields the
parser must read out of them, by category.

Run:  .venv/bin/python bench/labelled/build_messages.py   (rewrites the file; deterministic)

Every message is made from the pieces its expectation names (customer,
product, amount as written and as yuan, close date, note), in the forms
people type: command words and their everyday variants, labelled fields in
any order (客户：/客户=/客户是), traditional characters, spaced-out names,
English, remarks after the fields, two organisations in one message. The
expected fields come from the pieces, never from running the parser.
"""
from __future__ import annotations

import itertools
import json
from pathlib import Path

from opencc import OpenCC

OUT = Path(__file__).resolve().parents[1] / "data" / "parse_messages.jsonl"
S2T = OpenCC("s2t")

CUSTOMERS = ["北京协和医院", "上海市第六人民医院", "天津医科大学总医院", "青岛大学附属医院", "四川大学华西医院",
             "南京鼓楼医院", "浙江省人民医院", "中山大学附属第一医院", "深圳市人民医院", "郑州大学第一附属医院",
             "华为技术有限公司", "江苏恒瑞医药股份有限公司"]
PRODUCTS = ["彩超", "监护仪", "呼吸机", "CT", "DR", "麻醉机"]
AMOUNTS = [("80万", 800000), ("120万", 1200000), ("50W", 500000), ("三十万", 300000), ("1,200,000元", 1200000),
           ("0.8亿", 80000000), ("一百五十万", 1500000), ("95万元", 950000), ("2.5百万", 2500000)]
DATES = [("12月底", "2026-12-31"), ("明年3月", "2027-03-31"), ("元旦前", "2026-12-31"), ("2027-01-15", "2027-01-15"),
         ("下个月", "2026-12-31")]
NOTES = ["客户说预算已经批了", "设备科主任说下周招标", "竞品是GE报价更低", "院长很着急，要求年内装机", "客户反馈需要先试用"]
ENGLISH = [("Peking Union Medical College Hospital", "ultrasound", "800k", 800000),
           ("Huawei Technologies Co., Ltd.", "monitor", "300k", 300000),
           ("Shanghai Sixth People's Hospital", "ventilator", "1.2m", 1200000),
           ("West China Hospital", "ultrasound", "500k", 500000)]
SKUS = ["A100", "B200", "C300", "D400"]
ORDER_VERBS = ["订货", "下单", "补货", "订购", "要货", "进货", "采购", "补单", "拿货"]
CHECKIN_VERBS = ["签到", "到访", "打卡", "拜访签到"]
REFS = ["RG20261123-0001", "RG20261124-0012", "SO20261123-0001", "SO20261125-0007", "SP20261202-0001"]


def register(rows):
    pick = itertools.cycle(range(1000))
    for i, (cust, prod) in enumerate(itertools.product(CUSTOMERS, PRODUCTS[:3])):
        amount, value = AMOUNTS[i % len(AMOUNTS)]
        when, iso = DATES[i % len(DATES)]
        base = {"intent": "register", "customer": cust, "amount_yuan": value, "products": [prod]}
        forms = [
            (f"报备 {cust} {prod} {amount}", base, "register"),
            (f"报备 {cust} {prod}2台 {amount} {when}", {**base, "close_date": iso}, "register"),
            (f"报个单：{cust}，{prod}，预算{amount}", base, "register"),
            (f"{cust} {prod} {amount} 报备", base, "register"),
        ]
        rows.extend(forms[next(pick) % len(forms)] for _ in range(1))
        rows.append(forms[(i + 1) % len(forms)])


def labelled(rows):
    for i, cust in enumerate(CUSTOMERS):
        prod = PRODUCTS[i % len(PRODUCTS)]
        amount, value = AMOUNTS[(i + 2) % len(AMOUNTS)]
        base = {"intent": "register", "customer": cust, "amount_yuan": value, "products": [prod]}
        rows += [
            (f"报备\n客户：{cust}\n产品：{prod}\n金额：{amount}", base, "labelled_fields"),
            (f"报备 客户={cust} 产品={prod} 金额={amount}", base, "labelled_fields"),
            (f"报备 客户是{cust}，{prod}，金额为{amount}", base, "labelled_fields"),
            (f"报备 金额：{amount} 产品：{prod} 客户名称：{cust}", base, "labelled_fields"),
            (f"客户：{cust}\n金额：{amount}\n产品：{prod}", base, "labelled_fields"),
        ]


def notes(rows):
    for i, cust in enumerate(CUSTOMERS):
        prod, (amount, value) = PRODUCTS[i % 3], AMOUNTS[i % len(AMOUNTS)]
        note = NOTES[i % len(NOTES)].replace("，", ",")     # notes come back in half-width punctuation
        when, iso = DATES[i % 2]
        base = {"intent": "register", "customer": cust, "amount_yuan": value, "note": note}
        rows += [
            (f"报备 {cust} {prod} {amount} {when} {note}", {**base, "close_date": iso}, "trailing_note"),
            (f"报备 {cust} {prod} {amount} 客户{note.removeprefix('客户')}",
             {**base, "note": "客户" + note.removeprefix("客户")}, "trailing_note"),
            (f"报备 {cust} {prod} {amount} 备注：{note}", base, "trailing_note"),
        ]


def scripts(rows):
    for i, cust in enumerate(CUSTOMERS[:10]):
        prod, (amount, value) = PRODUCTS[i % 3], AMOUNTS[i % 4]
        base = {"intent": "register", "customer": cust, "amount_yuan": value}
        spaced = " ".join([cust[:2], cust[2:-2], cust[-2:]])
        rows += [
            (S2T.convert(f"报备 {cust} {prod} {amount}"), base, "traditional_width"),
            (f"报备 {spaced} {prod} {amount}", base, "spaced_names"),
            (f"ＲＥＧＩＳＴＥＲ {cust} {prod} ８０万".replace("８０万", "８０万"), {**base, "amount_yuan": 800000},
             "traditional_width"),
            (f"@渠道助手 报备 {cust} {prod} {amount}", base, "register"),
        ]
    for name, prod, amount, value in ENGLISH:
        rows += [(f"register {name} {prod} {amount}", {"intent": "register", "customer": name, "amount_yuan": value},
                  "english"),
                 (f"reg {name} {prod} {amount} end of Dec",
                  {"intent": "register", "customer": name, "amount_yuan": value, "close_date": "2026-12-31"},
                  "english")]


def two_customers(rows):
    for a, b in zip(CUSTOMERS[::2], CUSTOMERS[1::2]):
        rows.append((f"报备 {a} {b} 彩超 80万",
                     {"intent": "register", "customer": a, "candidates": [a, b], "amount_yuan": 800000},
                     "two_customers"))
    for cust in CUSTOMERS[:6]:
        rows.append((f"报备 {cust} 彩超 80万", {"intent": "register", "customer": cust, "candidates": []},
                     "two_customers"))


def orders(rows):
    for i, verb in enumerate(ORDER_VERBS):
        a, b = SKUS[i % 4], SKUS[(i + 1) % 4]
        n, m = 5 + i, 2 + i % 3
        rows += [
            (f"{verb} {a}*{n}", {"intent": "order", "action": None, "items": [[a, n]]}, "order"),
            (f"{verb}：{a} {n}台，{b} {m}台", {"intent": "order", "items": [[a, n], [b, m]]}, "order"),
            (f"{verb} {a} x {n}", {"intent": "order", "items": [[a, n]]}, "order"),
        ]
    for ref in REFS[2:4]:
        rows += [(f"确认订单 {ref}", {"intent": "order", "action": "confirm", "ref": ref}, "order_by_number"),
                 (f"取消订单 {ref}", {"intent": "order", "action": "cancel", "ref": ref}, "order_by_number"),
                 (f"修改订单 {ref} A100*25", {"intent": "order", "action": "amend", "ref": ref,
                                              "items": [["A100", 25]]}, "order_by_number")]


def visits(rows):
    for i, cust in enumerate(CUSTOMERS[:10]):
        verb = CHECKIN_VERBS[i % len(CHECKIN_VERBS)]
        rows += [(f"{verb} {cust}", {"intent": "checkin", "customer": cust}, "visits"),
                 (f"到了{cust}", {"intent": "checkin", "customer": cust}, "visits")]
    rows += [("签退", {"intent": "checkout"}, "visits"), ("拜访小结 见了设备科李科长，预算已批", {"intent": "visit_note"}, "visits"),
             ("我的拜访", {"intent": "query", "action": "my_visits"}, "lists")]


def queries(rows):
    for cust in CUSTOMERS:
        rows += [(f"查询 {cust}", {"intent": "query", "action": None, "customer": cust}, "query"),
                 (f"查一下{cust}有没有人报过", {"intent": "query", "customer": cust}, "query")]
    rows += [("查询 协和", {"intent": "query", "customer": "协和"}, "query"),
             ("查询 Xiehe Hospital", {"intent": "query", "customer": "Xiehe Hospital"}, "query")]


def lists_and_help(rows):
    rows += [
        ("我的报备", {"intent": "query", "action": "mine"}, "lists"), ("查询 我的报备", {"intent": "query", "action": "mine"}, "lists"),
        ("我的订单", {"intent": "order", "action": "my_orders"}, "lists"), ("我的额度", {"intent": "order", "action": "credit"}, "lists"),
        ("额度", {"intent": "order", "action": "credit"}, "lists"), ("my credit", {"intent": "order", "action": "credit"}, "lists"),
        ("待审批", {"intent": "approval", "action": "mine"}, "lists"), ("我的审批", {"intent": "approval", "action": "mine"}, "lists"),
        ("my approvals", {"intent": "approval", "action": "mine"}, "lists"), ("我的特价", {"intent": "special_price", "action": "mine"}, "lists"),
        ("帮助", {"intent": "help", "action": None}, "help_greeting"), ("help", {"intent": "help", "action": None}, "help_greeting"),
        ("你好", {"intent": "help", "action": "greeting"}, "help_greeting"), ("在吗", {"intent": "help", "action": "greeting"}, "help_greeting"),
        ("hello", {"intent": "help", "action": "greeting"}, "help_greeting"),
        ("你好，报备 北京协和医院 彩超 80万", {"intent": "register", "customer": "北京协和医院"}, "help_greeting"),
    ]
    for sku in SKUS:
        rows += [(f"{sku}多少钱", {"intent": "order", "action": "price", "products": [sku]}, "price"),
                 (f"价格 {sku}", {"intent": "order", "action": "price", "products": [sku]}, "price")]
    rows += [("彩超什么价？", {"intent": "order", "action": "price", "products": ["彩超"]}, "price")]


def by_number(rows):
    rows += [
        ("修改 RG20261123-0001 金额 150万", {"intent": "register", "action": "amend", "ref": "RG20261123-0001",
                                          "amount_yuan": 1500000}, "by_number"),
        ("撤销 RG20261124-0012", {"intent": "register", "action": "withdraw", "ref": "RG20261124-0012"}, "by_number"),
        ("取消报备 RG20261123-0001", {"intent": "register", "action": "withdraw", "ref": "RG20261123-0001"}, "by_number"),
        ("延期 RG20261123-0001 客户招标推迟", {"intent": "register", "action": "extend", "ref": "RG20261123-0001"}, "by_number"),
        ("撤销 SP20261202-0001", {"intent": "special_price", "action": "cancel", "ref": "SP20261202-0001"}, "by_number"),
        ("转交 SO20261123-0001 张伟", {"intent": "approval", "action": "transfer", "ref": "SO20261123-0001"}, "by_number"),
        ("特价申请 订单 SO20261123-0001 A100 单价 80000 理由：竞品报价低",
         {"intent": "special_price", "ref": "SO20261123-0001"}, "by_number"),
    ]


def second_batch(rows):
    """Written after the parser: phrasings none of the forms above produce."""
    reg = {"intent": "register"}
    rows += [
        ("帮我报个单，客户北京协和医院，彩超两台，大概八十万，年底签",
         {**reg, "customer": "北京协和医院", "amount_yuan": 800000, "close_date": "2026-12-31"}, "second_batch"),
        ("报备：北京协和医院/心内科/彩超/80万/12月底",
         {**reg, "customer": "北京协和医院", "department": "心内科", "amount_yuan": 800000}, "second_batch"),
        ("报备一下 北京协和医院，彩超，80万", {**reg, "customer": "北京协和医院", "amount_yuan": 800000}, "second_batch"),
        ("客户名称: 北京协和医院 预算: 80万 设备: 彩超", {**reg, "customer": "北京协和医院", "amount_yuan": 800000},
         "second_batch"),
        ("报备 北京协和医院 彩超 80万，主任说下周招标，竞品GE",
         {**reg, "customer": "北京协和医院", "amount_yuan": 800000, "close_date": None}, "second_batch"),
        ("报备 北京协和医院（东院） 彩超 80万", {**reg, "customer": "北京协和医院(东院)"}, "second_batch"),
        ("报备 协和 彩超 80万 12.31", {**reg, "customer": "协和", "close_date": "2026-12-31"}, "second_batch"),
        ("报备 Huawei Technologies Co., Ltd. 监护仪 30万",
         {**reg, "customer": "Huawei Technologies Co., Ltd.", "amount_yuan": 300000}, "second_batch"),
        ("报备 客户：上海市第六人民医院 金额：90万 产品：呼吸机 备注：设备科在走流程",
         {**reg, "customer": "上海市第六人民医院", "amount_yuan": 900000, "note": "设备科在走流程"}, "second_batch"),
        ("报备 上海市第六人民医院 呼吸机 90万 客户设备科主任说预算已经批了",
         {**reg, "customer": "上海市第六人民医院", "note": "客户设备科主任说预算已经批了"}, "second_batch"),
        ("报备 上海 市第六人民医院 呼吸机 90万", {**reg, "customer": "上海市第六人民医院"}, "second_batch"),
        ("報備 北京協和醫院 彩超 八十萬 年底", {**reg, "customer": "北京协和医院", "amount_yuan": 800000,
                                          "close_date": "2026-12-31"}, "second_batch"),
        ("帮我下单 A100 两台", {"intent": "order", "items": [["A100", 2]]}, "second_batch"),
        ("进货：A100*3，B200*10", {"intent": "order", "items": [["A100", 3], ["B200", 10]]}, "second_batch"),
        ("采购 C300 1台 收货地址：天津市和平区南京路200号", {"intent": "order", "items": [["C300", 1]]}, "second_batch"),
        ("拿货 A100 五台", {"intent": "order", "items": [["A100", 5]]}, "second_batch"),
        ("打卡 上海市第六人民医院", {"intent": "checkin", "customer": "上海市第六人民医院"}, "second_batch"),
        ("到访 青岛大学附属医院 设备科", {"intent": "checkin", "customer": "青岛大学附属医院"}, "second_batch"),
        ("查一下 北京协和医院 的报备情况", {"intent": "query", "customer": "北京协和医院"}, "second_batch"),
        ("A100 的价格是多少", {"intent": "order", "action": "price", "products": ["A100"]}, "second_batch"),
        ("你好，我的额度还有多少", {"intent": "order", "action": "credit"}, "second_batch"),
        ("register customer: Peking Union Hospital product: ultrasound budget 1.2m",
         {**reg, "customer": "Peking Union Hospital", "amount_yuan": 1200000}, "second_batch"),
        ("报备 北京协和医院 北京大学人民医院 监护仪 50万",
         {**reg, "candidates": ["北京协和医院", "北京大学人民医院"]}, "second_batch"),
        ("我要报备 天津医科大学总医院 麻醉机 2台 60万 Q1",
         {**reg, "customer": "天津医科大学总医院", "amount_yuan": 600000, "close_date": "2027-03-31"}, "second_batch"),
        ("报备 南京鼓楼医院 DR 1台 150万 院长说年内一定采购",
         {**reg, "customer": "南京鼓楼医院", "amount_yuan": 1500000, "note": "院长说年内一定采购"}, "second_batch"),
    ]


def main() -> None:
    rows: list[tuple[str, dict, str]] = []
    for build in (register, labelled, notes, scripts, two_customers, orders, visits, queries, lists_and_help, by_number,
                  second_batch):
        build(rows)
    seen: set[str] = set()
    out = []
    for text, expect, category in rows:
        if text not in seen:
            seen.add(text)
            out.append(json.dumps({"text": text, "category": category, "expect": expect}, ensure_ascii=False))
    OUT.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{len(out)} messages → {OUT}")


if __name__ == "__main__":
    main()

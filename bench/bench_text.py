"""Speed of the two pure text components: the message parser and the name matcher.

Run:  .venv/bin/python bench/bench_text.py
Prints per-call latency (p50/p99, microseconds) for
  - parse_message on the shared sample messages and on 10k-character inputs,
  - matching.compare on every pair of a few hundred hospital/company names,
    cold (first analysis of each name) and warm (names analysed once, as in a
    long-running worker),
so the figures in docs/benchmarks.md can be re-measured on any machine.
"""
from __future__ import annotations

import itertools
import json
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.language import parse_message  # noqa: E402
from domain.matching import analyse, compare  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "data" / "parse_dev.jsonl"
MESSAGES = [
    "报备 北京协和医院 心内科 彩超2台 80万 12月底签",
    "报个单：天津医科大学总医院，监护仪10台，预算120万左右",
    "报备\n客户：苏州市立医院\n金额：88万元",
    "登记商机：海南省人民医院，呼吸机，预算二十万",
    "@渠道助手 報備 北京協和醫院 彩超 80萬",
    "订货：A100 20台；B200 5台",
    "特价申请 订单 SO20261123-0001 A100 单价 9800 理由：竞品报价低",
    "register Peking Union Medical College Hospital ultrasound 800k end of Dec",
]
LONG = ["报备 " + "北京协和医院 " * 1400, "报备 " + "1," * 5000, "拜访小结 " + "见了设备科李科长，" * 1000]
CITIES = ["北京", "上海", "天津", "广州", "深圳", "武汉", "成都", "西安", "南京", "杭州"]
NAMES = ([f"{c}市第{n}人民医院" for c in CITIES for n in "一二三四五六"]
         + [f"{c}协和医院" for c in CITIES] + [f"{c}市中医医院" for c in CITIES]
         + [f"{c}{w}医疗器械有限公司" for c in CITIES for w in ("康健", "华信", "瑞和", "恒远")]
         + [f"{u}大学附属第{n}医院" for u in ("中山", "四川", "浙江", "吉林", "山东") for n in "一二三"])


def timed(fn, args_list, repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        for args in args_list:
            t = time.perf_counter()
            fn(*args)
            out.append((time.perf_counter() - t) * 1e6)
    return out


def summary(label: str, us: list[float]) -> dict:
    us = sorted(us)
    row = {"what": label, "n": len(us), "p50_us": round(statistics.median(us), 1),
           "p99_us": round(us[min(len(us) - 1, int(len(us) * 0.99))], 1)}
    print(json.dumps(row, ensure_ascii=False))
    return row


def main() -> None:
    print(json.dumps({"python": platform.python_version(), "machine": platform.machine(),
                      "cpus": __import__("os").cpu_count()}))
    today = date(2026, 11, 23)
    messages = MESSAGES + ([json.loads(line)["text"] for line in SAMPLE.read_text(encoding="utf-8").splitlines()
                            if line.strip()]
                           if SAMPLE.exists() else [])
    parse_message(MESSAGES[0], today=today)     # build the converters once
    summary("parse_message, chat-sized", timed(lambda m: parse_message(m, today=today), [(m,) for m in messages], 50))
    summary("parse_message, 10k chars", timed(lambda m: parse_message(m, today=today), [(m,) for m in LONG], 5))
    pairs = list(itertools.combinations(NAMES, 2))
    summary("analyse, first sight of a name", timed(analyse, [(f"{n}(分院)",) for n in NAMES]))
    for n in NAMES:
        analyse(n)
    summary("compare, names already analysed", timed(compare, pairs))


if __name__ == "__main__":
    main()

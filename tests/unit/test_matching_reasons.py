"""The reasons managers read: they name what differed, in whole words, and
never show the matcher's internal forms (第1, half-cut names, stray spaces)."""
from __future__ import annotations

import re

import pytest

from domain.matching import compare
from tests.support.matching_cases import DISTINCTS, DUPLICATES, POSSIBLES, _ids

ALL = DUPLICATES + POSSIBLES + DISTINCTS


@pytest.mark.parametrize("a, b, words", ALL, ids=_ids(ALL))
def test_reasons_show_no_internal_forms(a, b, words):
    reason = compare(a, b).reason
    assert "第1" not in reason and "第6" not in reason, reason      # ordinals as written: 第一
    assert "“ " not in reason and " ”" not in reason, reason
    assert not re.search(r"分(”|）| vs |$)", reason), reason            # no 国药控股北京分 (cut 分公司)


@pytest.mark.parametrize("a, b, expected", [
    ("国药控股股份有限公司北京分公司", "国药控股北京分公司", "同名（去掉“股份有限公司”后相同）"),
    ("桐乡市第一人民医院", "浙江省桐乡市第一人民医院", "同名（一方多写“浙江省”）"),
    ("深圳市妇幼保健院", "深圳市妇幼保建院", "同音字：保健 vs 保建"),
    ("哈尔宾医科大学附属第一医院", "哈尔滨医科大学附属第一医院", "同音字：哈尔宾 vs 哈尔滨"),
    ("复旦大学附属中山医院", "复旦大学附属华山医院", "名称不同：复旦大学附属中山医院 vs 复旦大学附属华山医院"),
    ("Siemens Healthineers Ltd.", "Siemens Ltd.", "一方多出“HEALTHINEERS”"),
    ("北京协和医院（北京市东城区帅府园1号）", "北京协和医院", "同名（全角半角统一、忽略括号内地址后相同）"),
    ("吉林大学白求恩第一医院", "吉大一院", "一方多出“白求恩”；展开缩写：“吉大”即吉林大学"),
    ("北京大学第三医院", "北医三院", "同名（展开缩写后相同：“北医三院”即北京大学第三医院）"),
    ("德清县妇幼保健院", "德清县妇幼保健计划生育服务中心", "机构名称新旧写法：妇幼保健院 vs 妇幼保健计划生育服务中心"),
    ("石家装市第一医院", "石家庄市第一医院", "地名疑似写错：石家装 vs 石家庄"),
    ("中山大学附属第一医院", "中山一院", "“中山”可能是“中山大学”的简称；一方多写“附属”"),
])
def test_reason_text(a, b, expected):
    assert compare(a, b).reason == expected
    assert compare(b, a).verdict == compare(a, b).verdict


def test_an_alias_match_names_the_alias():
    table = {"吉大一院": "吉林大学白求恩第一医院"}
    assert compare("吉大一院", "吉林大学白求恩第一医院", table).reason == \
        "同名（按别名表后相同：“吉大一院”即吉林大学白求恩第一医院）"
    # the alias is named when it only makes the pair possible, too
    got = compare("吉大一院", "吉林大学第一医院", table)
    assert got.verdict == "possible" and "吉大一院" in got.reason

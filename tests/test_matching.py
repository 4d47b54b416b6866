"""Customer-name matching: verdicts, reasons, canonical keys, CLI.

Tables are (name_a, name_b, expected verdict(s), words the reason must
contain).  A reason must name the deciding difference, so each row lists
the fragments a person would look for (序号 + 第一 + 第六, 城市 + 武汉 …).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.matching import MatchResult, NameParts, analyse, best_match, compare
from bot.matching.cli import run_match

D, P, X = "duplicate", "possible", "distinct"
DP = (D, P)

DEV_FILE = Path(__file__).resolve().parents[2] / "shared" / "data" / "dedup_dev.tsv"

# The pairs of shared/data/dedup_dev.tsv, copied so the test stands alone.
DEV_PAIRS = [
    ("青岛海尔股份有限公司", "青岛海尔股份公司", "same"),
    ("中兴通讯股份有限公司", "中兴通讯", "same"),
    ("广州市番禺区中心医院", "番禺区中心医院", "same"),
    ("福建医科大学附属协和医院", "福建医科大学附属协和医院（福建省协和医院）", "same"),
    ("南京鼓樓醫院", "南京鼓楼医院", "same"),
    ("苏州大学附属第一医院", "苏州大学附属第1医院", "same"),
    ("海南省人民医院", "海南省人民醫院", "same"),
    ("厦门大学附属中山医院", "厦门大学附属中山医院 ", "same"),
    ("（深圳）华大基因股份有限公司", "(深圳)华大基因股份有限公司", "same"),
    ("Lenovo (Beijing) Co., Ltd.", "LENOVO BEIJING CO LTD", "same"),
    ("北京朝阳医院", "北京市朝阳医院", "same"),
    ("西安交通大学第一附属医院", "西安交通大学第一附属医院", "same"),
    ("吉林大学白求恩第一医院", "吉大一院", "same"),
    ("青岛大学附属医院", "青岛大学附属医院（青大附院）", "same"),
    ("中兴通讯股份有限公司", "中兴新通讯有限公司", "diff"),
    ("西安交通大学第一附属医院", "西安交通大学第二附属医院", "diff"),
    ("广州市番禺区中心医院", "广州市花都区人民医院", "diff"),
    ("海南省人民医院", "河南省人民医院", "diff"),
    ("厦门大学附属中山医院", "厦门大学附属第一医院", "diff"),
    ("北京朝阳医院", "北京朝阳中西医结合急诊抢救中心", "diff"),
    ("吉林大学白求恩第一医院", "吉林大学白求恩第二医院", "diff"),
    ("青岛大学附属医院", "青岛市市立医院", "diff"),
    ("苏州市立医院", "苏州市中医医院", "diff"),
    ("福建省立医院", "福建省肿瘤医院", "diff"),
    ("上海市胸科医院", "上海市肺科医院", "diff"),
    ("大连医科大学附属第一医院", "大连医科大学附属第二医院", "diff"),
]

# Same organisation, certain: verdict duplicate.
DUPLICATES = [
    # legal forms
    ("青岛海尔股份有限公司", "青岛海尔股份公司", ("股份有限公司",)),
    ("青岛海尔股份有限公司", "青岛海尔", ("股份有限公司",)),
    ("青岛海尔股份公司", "青岛海尔", ("股份公司",)),
    ("中兴通讯股份有限公司", "中兴通讯", ("股份有限公司",)),
    ("华为技术有限公司", "华为技术有限责任公司", ("有限责任公司",)),
    ("招商银行股份有限公司", "招商银行", ("股份有限公司",)),
    ("上海联影医疗科技股份有限公司", "上海联影医疗科技有限公司", ("股份有限公司",)),
    ("国药控股股份有限公司", "国药控股", ("股份有限公司",)),
    # redundant city / province prefixes
    ("北京朝阳医院", "北京市朝阳医院", ("同名",)),
    ("南京鼓楼医院", "江苏省南京鼓楼医院", ("同名",)),
    ("上海市第六人民医院", "上海第六人民医院", ("同名",)),
    ("广东省广州市番禺区中心医院", "广州市番禺区中心医院", ("同名",)),
    ("浙江省杭州市第一人民医院", "杭州市第一人民医院", ("同名",)),
    ("深圳市南山区人民医院", "深圳南山区人民医院", ("同名",)),
    ("山东省青岛市市立医院", "青岛市市立医院", ("同名",)),
    ("苏州市立医院", "苏州市市立医院", ("同名",)),
    ("郑州人民医院", "郑州市人民医院", ("同名",)),
    # brackets holding another name of the same place
    ("北京大学第三医院（北医三院）", "北京大学第三医院", ("括号",)),
    ("四川大学华西医院（华西医院）", "华西医院", ("同名",)),
    ("华中科技大学同济医学院附属协和医院（武汉协和医院）", "武汉协和医院", ("武汉协和医院",)),
    # script, width, spacing
    ("中國醫學科學院腫瘤醫院", "中国医学科学院肿瘤医院", ("繁简",)),
    ("廣州醫科大學附屬第一醫院", "广州医科大学附属第一医院", ("繁简",)),
    ("北京 协和医院", "北京协和医院", ("空格",)),
    ("\u3000北京协和医院\u3000", "北京协和医院", ("同名",)),
    ("ＧＥ医疗", "GE医疗", ("全角",)),
    ("北京协和医院😀", "北京协和医院", ("同名",)),
    # digit ordinals and word order
    ("上海市第一人民医院", "上海市第1人民医院", ("序号",)),
    ("郑州大学第一附属医院", "郑州大学第1附属医院", ("序号",)),
    ("中国人民解放军第三〇一医院", "中国人民解放军第301医院", ("序号",)),
    ("中山大学附属第一医院", "中山大学第一附属医院", ("语序",)),
    ("郑州大学第一附属医院", "郑州大学附属第一医院", ("语序",)),
    # latin legal forms
    ("Siemens Healthineers Ltd.", "SIEMENS HEALTHINEERS LIMITED", ("LIMITED",)),
    ("GE Healthcare Company Limited", "GE HEALTHCARE CO LTD", ("同名",)),
    ("Johnson & Johnson Inc.", "JOHNSON & JOHNSON INCORPORATED", ("INC",)),
    ("Medtronic Corp", "MEDTRONIC CO., LTD.", ("CORP",)),
    ("Mindray Medical International Limited", "MINDRAY MEDICAL INTERNATIONAL LTD", ("同名",)),
    ("Philips (China) Investment Co., Ltd.", "PHILIPS CHINA INVESTMENT CO LTD", ("同名",)),
    ("Roche Diagnostics GmbH", "ROCHE DIAGNOSTICS", ("GMBH",)),
    # built-in abbreviations
    ("北京大学第三医院", "北医三院", ("缩写",)),
    ("四川大学华西医院", "华西医院", ("缩写",)),
    ("北京大学", "北大", ("缩写",)),
    ("清华大学", "清华", ("缩写",)),
    ("北京大学人民医院", "北大人民医院", ("缩写",)),
    ("广东省人民医院", "广东省医", ("缩写",)),
    ("江苏省人民医院", "江苏省人医", ("缩写",)),
    ("中国科学院", "中科院", ("缩写",)),
    ("中科院上海药物研究所", "中国科学院上海药物研究所", ("缩写",)),
    ("医科院肿瘤医院", "中国医学科学院肿瘤医院", ("缩写",)),
    ("国家卫生健康委员会", "国家卫健委", ("缩写",)),
    ("北京市卫生健康委员会", "北京市卫健委", ("缩写",)),
    ("番禺区卫健委", "广州市番禺区卫生健康委员会", ("缩写",)),
    ("郑大一附院", "郑州大学第一附属医院", ("缩写",)),
    ("中大附一院", "中山大学附属第一医院", ("缩写",)),
    ("杭州市一院", "杭州市第一人民医院", ("缩写",)),
    ("南京市第一医院", "南京市一医院", ("缩写",)),
    ("上海十院", "上海市第十人民医院", ("缩写",)),
    ("重庆医科大学附属第一医院", "重医附一院", ("缩写",)),
    ("中山大学孙逸仙纪念医院", "中大孙逸仙纪念医院", ("缩写",)),
    ("广州中医药大学第一附属医院", "广州中医药大学附属第一医院", ("语序",)),
]

# Probably the same, a person should look: verdict possible.
POSSIBLES = [
    # homophone typos
    ("北京协和医院", "北京协合医院", ("同音", "协和", "协合")),
    ("南京鼓楼医院", "南京古楼医院", ("同音", "鼓楼", "古楼")),
    ("深圳迈瑞生物医疗电子股份有限公司", "深圳迈锐生物医疗电子股份有限公司", ("同音", "迈瑞")),
    # one name has no city
    ("协和医院", "北京协和医院", ("未写城市", "北京")),
    ("武汉协和医院", "协和医院", ("未写城市", "武汉")),
    ("第六人民医院", "上海市第六人民医院", ("未写城市", "上海")),
    ("海尔", "青岛海尔", ("未写城市", "青岛")),
    ("华大基因", "深圳华大基因股份有限公司", ("未写城市", "深圳")),
    # parent institution written or not
    ("首都医科大学附属北京朝阳医院", "北京朝阳医院", ("上级单位", "首都医科大学")),
    ("北京天坛医院", "首都医科大学附属北京天坛医院", ("上级单位",)),
    ("中国医学科学院北京协和医院", "北京协和医院", ("上级单位", "中国医学科学院")),
    ("中国医学科学院阜外医院", "阜外医院", ("上级单位",)),
    ("上海交通大学医学院附属瑞金医院", "瑞金医院", ("上级单位",)),
    ("南方医院", "南方医科大学南方医院", ("上级单位", "南方医科大学")),
    ("中南大学湘雅医院", "湘雅医院", ("上级单位", "中南大学")),
    ("解放军总医院", "中国人民解放军总医院", ("中国人民",)),
    ("上海新华医院", "上海交通大学医学院附属新华医院", ("上级单位",)),
    ("苏州大学附属第一医院", "苏州大学第一医院", ("附属",)),
    ("复旦大学附属中山医院", "复旦中山医院", ("附属",)),
    # abbreviations that lose a word of the official name
    ("吉林大学白求恩第一医院", "吉大一院", ("白求恩",)),
    ("吉林大学第一医院", "吉林大学白求恩第一医院", ("白求恩",)),
    ("浙江大学医学院附属第一医院", "浙大一院", ("医学院附属",)),
    ("中国医科大学附属第一医院", "中国医大一院", ("附属",)),
    ("哈尔滨医科大学附属第一医院", "哈医大一院", ("附属",)),
    ("温州医科大学附属第一医院", "温医大一院", ("附属",)),
    # companies: same trade name, industry words differ (decision: possible)
    ("深圳迈瑞生物医疗电子股份有限公司", "迈瑞医疗", ("字号", "迈瑞")),
    ("九州通医药集团股份有限公司", "九州通", ("医药",)),
    ("华润三九医药股份有限公司", "华润三九", ("医药",)),
    ("鱼跃医疗", "江苏鱼跃医疗设备股份有限公司", ("设备",)),
    ("乐普医疗", "乐普（北京）医疗器械股份有限公司", ("器械",)),
    # banks: branch vs head office, 中国 written or not
    ("招商银行北京分行", "招商银行", ("分支", "北京分行")),
    ("中国工商银行", "工商银行", ("中国",)),
    ("中国建设银行北京市分行", "建设银行北京分行", ("中国",)),
    ("工商银行北京分行", "中国工商银行股份有限公司北京市分行", ("中国",)),
    # groups, campuses, omitted words
    ("海尔集团公司", "海尔", ("集团",)),
    ("上海医药集团股份有限公司", "上海医药", ("集团",)),
    ("北京积水潭医院", "北京积水潭医院回龙观院区", ("分支", "回龙观院区")),
    ("成都市第三人民医院", "成都市第三人民医院（西区）", ("分支", "西区")),
    ("杭州市第一医院", "杭州市第一人民医院", ("人民",)),
    ("上海市第一人民医院", "上海市人民医院", ("序号",)),
    ("Medtronic Inc", "Medtronlc Inc", ("相近",)),
]

# Different organisations: verdict distinct.
DISTINCTS = [
    # ordinals
    ("上海市第一人民医院", "上海市第六人民医院", ("序号", "第一", "第六")),
    ("西安交通大学第一附属医院", "西安交通大学第二附属医院", ("序号", "第一", "第二")),
    ("吉林大学白求恩第一医院", "吉林大学白求恩第二医院", ("序号", "第二")),
    ("北京大学第一医院", "北京大学第三医院", ("序号", "第三")),
    ("中山大学附属第一医院", "中山大学附属第三医院", ("序号", "第三")),
    ("郑大一附院", "郑州大学第二附属医院", ("序号", "第一", "第二")),
    ("重庆医科大学附属第一医院", "重庆医科大学附属第2医院", ("序号", "第二")),
    ("天津市第一中心医院", "天津市第三中心医院", ("序号",)),
    ("深圳市人民医院", "深圳市第二人民医院", ("序号", "第二")),
    ("广东省人民医院", "广东省第二人民医院", ("序号", "第二")),
    ("上海市第十人民医院", "上海市第十一人民医院", ("序号", "第十", "第十一")),
    # type words
    ("北京协和医院", "北京协和医学院", ("类型", "医院", "医学院")),
    ("苏州市立医院", "苏州市中医医院", ("类型", "中医医院")),
    ("广州市妇幼保健院", "广州市第一人民医院", ("类型", "妇幼保健院")),
    ("番禺区中心医院", "番禺区妇幼保健院", ("类型", "妇幼保健院")),
    ("福建省立医院", "福建省肿瘤医院", ("类型", "肿瘤医院")),
    ("上海市胸科医院", "上海市肺科医院", ("类型", "胸科医院", "肺科医院")),
    ("天津医科大学", "天津医科大学总医院", ("类型",)),
    ("北京大学", "北京大学第一医院", ("类型", "大学")),
    ("南京市儿童医院", "南京市妇幼保健院", ("类型",)),
    ("上海市中医医院", "上海市中西医结合医院", ("类型", "中西医结合医院")),
    ("广东省人民医院", "广东省中医院", ("类型", "中医医院")),
    ("北京儿童医院", "北京妇产医院", ("类型",)),
    ("上海市儿童医院", "上海儿童医学中心", ("类型",)),
    ("四川大学华西医院", "四川大学华西口腔医院", ("类型", "口腔医院")),
    ("中国医学科学院肿瘤医院", "中国医学科学院阜外医院", ("类型",)),
    ("北京朝阳医院", "北京朝阳中西医结合急诊抢救中心", ("类型",)),
    # places
    ("武汉协和医院", "北京协和医院", ("城市", "武汉", "北京")),
    ("海南省人民医院", "河南省人民医院", ("省份", "海南", "河南")),
    ("山西省人民医院", "陕西省人民医院", ("省份", "山西", "陕西")),
    ("苏州市第一人民医院", "宿州市第一人民医院", ("城市", "苏州", "宿州")),
    ("泰州市人民医院", "台州市人民医院", ("城市", "泰州", "台州")),
    ("广州市第一人民医院", "深圳市第一人民医院", ("城市", "广州", "深圳")),
    ("北京市卫生健康委员会", "上海市卫生健康委员会", ("城市", "北京", "上海")),
    ("浙江省卫生健康委员会", "江苏省卫生健康委员会", ("省份", "浙江", "江苏")),
    ("长春市朝阳区人民医院", "北京市朝阳区人民医院", ("城市", "长春")),
    ("昆山市第一人民医院", "苏州市第一人民医院", ("城市", "昆山")),
    ("广州市番禺区中心医院", "广州市花都区人民医院", ("番禺区", "花都区")),
    ("中国科学院上海药物研究所", "中国科学院昆明植物研究所", ("城市", "上海", "昆明")),
    ("华中科技大学同济医学院附属协和医院（武汉协和医院）", "北京协和医院", ("城市", "武汉")),
    # generic names: only the level of the place tells them apart
    ("吉林省人民医院", "吉林市人民医院", ("地区", "吉林省", "吉林市")),
    ("河北省人民医院", "石家庄市人民医院", ("地区", "河北省", "石家庄市")),
    ("北京朝阳医院", "北京医院", ("地区", "朝阳区")),
    ("广东省卫健委", "广州市卫健委", ("地区", "广东省", "广州市")),
    ("北京市朝阳区卫生健康委员会", "北京市卫生健康委员会", ("地区", "朝阳区")),
    # bracketed regions and branches
    ("联想（北京）有限公司", "联想（上海）有限公司", ("北京", "上海")),
    ("Lenovo (Beijing) Co., Ltd.", "Lenovo (Shanghai) Co., Ltd.", ("北京", "上海")),
    ("西门子（中国）有限公司", "西门子（深圳）有限公司", ("中国", "深圳")),
    ("北京协和医院（东院）", "北京协和医院（西院）", ("东院", "西院")),
    ("招商银行北京分行", "招商银行上海分行", ("分支", "北京分行", "上海分行")),
    ("中国银行股份有限公司北京市分行", "中国银行股份有限公司上海市分行", ("分支", "上海")),
    ("平安银行深圳分行", "平安银行广州分行", ("分支", "深圳分行")),
    # different entities sharing words
    ("中兴通讯股份有限公司", "中兴新通讯有限公司", ("名称不同", "中兴新通讯")),
    ("厦门大学附属中山医院", "厦门大学附属第一医院", ("名称不同", "中山")),
    ("青岛大学附属医院", "青岛市市立医院", ("名称不同", "市立")),
    ("中国银行", "中国农业银行", ("名称不同", "中国农业银行")),
    ("中国建设银行", "中国银行", ("名称不同", "中国建设银行")),
    ("中国人民银行", "中国银行", ("名称不同", "中国人民银行")),
    ("兴业银行股份有限公司", "兴业证券股份有限公司", ("名称不同", "兴业证券")),
    ("复旦大学附属中山医院", "复旦大学附属华山医院", ("名称不同", "中山", "华山")),
    ("北京协和医院", "北京同仁医院", ("名称不同", "同仁")),
    ("北京同仁堂股份有限公司", "北京同仁医院", ("名称不同", "同仁堂")),
    ("迈瑞医疗", "迈克生物", ("名称不同",)),
    ("华润医药", "华润三九医药", ("名称不同",)),
    ("北京天坛医院", "北京地坛医院", ("名称不同", "天坛", "地坛")),
    ("北京安贞医院", "北京安定医院", ("名称不同", "安贞", "安定")),
    ("上海长征医院", "上海长海医院", ("名称不同", "长征", "长海")),
    ("南方医科大学南方医院", "南方医科大学珠江医院", ("名称不同", "珠江")),
    ("南京鼓楼医院", "南京市第一医院", ("名称不同", "鼓楼")),
    ("北京大学", "清华大学", ("名称不同", "清华")),
    ("复旦大学附属儿科医院", "复旦大学附属妇产科医院", ("名称不同",)),
    ("中大医院", "中山大学医院", ("名称不同",)),          # 中大医院 is 东南大学's, in Nanjing
    ("北大荒集团总医院", "北京大学总医院", ("名称不同",)),   # 北大荒 is no 北京大学
    ("中山大学", "中山市人民医院", ("类型",)),
    ("中南大学湘雅二医院", "中南大学湘雅三医院", ("名称不同",)),
    ("华为技术有限公司", "华为终端有限公司", ("名称不同", "华为终端")),
    ("平安银行", "中国平安", ("名称不同",)),
    ("北京市朝阳区妇幼保健院", "北京市妇幼保健院", ("地区", "朝阳区")),
]

# Pairs whose canonical keys must be equal: the spelling-only families.
SAME_KEY = [
    ("青岛海尔股份有限公司", "青岛海尔股份公司"),
    ("青岛海尔股份有限公司", "青岛海尔"),
    ("中兴通讯股份有限公司", "中兴通讯"),
    ("招商银行股份有限公司", "招商银行"),
    ("南京鼓樓醫院", "南京鼓楼医院"),
    ("海南省人民医院", "海南省人民醫院"),
    ("中國醫學科學院腫瘤醫院", "中国医学科学院肿瘤医院"),
    ("（深圳）华大基因股份有限公司", "(深圳)华大基因股份有限公司"),
    ("ＧＥ医疗", "GE医疗"),
    ("厦门大学附属中山医院", "厦门大学附属中山医院 "),
    ("北京 协和医院", "北京协和医院"),
    ("苏州大学附属第一医院", "苏州大学附属第1医院"),
    ("上海市第一人民医院", "上海市第1人民医院"),
    ("中山大学附属第一医院", "中山大学第一附属医院"),
    ("郑州大学第一附属医院", "郑州大学附属第一医院"),
    ("北京朝阳医院", "北京市朝阳医院"),
    ("南京鼓楼医院", "江苏省南京鼓楼医院"),
    ("广州市番禺区中心医院", "广东省广州市番禺区中心医院"),
    ("广州市番禺区中心医院", "番禺区中心医院"),
    ("苏州市立医院", "苏州市市立医院"),
    ("Lenovo (Beijing) Co., Ltd.", "LENOVO BEIJING CO LTD"),
    ("GE Healthcare Company Limited", "GE HEALTHCARE CO LTD"),
    ("青岛大学附属医院", "青岛大学附属医院（青大附院）"),
    ("福建医科大学附属协和医院", "福建医科大学附属协和医院（福建省协和医院）"),
]


def _ids(rows):
    return [f"{r[0]}|{r[1]}" for r in rows]


def _reason_has(result: MatchResult, words: tuple[str, ...]) -> None:
    for word in words:
        assert word in result.reason, f"{word!r} not in reason {result.reason!r}"


# --- the development sample ----------------------------------------------

@pytest.mark.parametrize("a, b, label", DEV_PAIRS, ids=_ids(DEV_PAIRS))
def test_dev_pairs(a: str, b: str, label: str) -> None:
    got = compare(a, b)
    if label == "same":
        assert got.verdict in DP, got
    else:
        assert got.verdict == X, got


def test_dev_file() -> None:
    if not DEV_FILE.exists():
        pytest.skip(f"{DEV_FILE} not present (tests run outside the shared workspace)")
    rows = []
    for line in DEV_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        a, b, label, *_ = line.split("\t")
        rows.append((a, b, label))
    assert rows
    wrong = []
    for a, b, label in rows:
        got = compare(a, b)
        ok = got.verdict in DP if label == "same" else got.verdict == X
        if not ok:
            wrong.append((a, b, label, got.verdict, got.reason))
    assert not wrong, wrong


# --- verdict families -------------------------------------------------------

@pytest.mark.parametrize("a, b, words", DUPLICATES, ids=_ids(DUPLICATES))
def test_duplicates(a: str, b: str, words: tuple[str, ...]) -> None:
    got = compare(a, b)
    assert got.verdict == D, got
    assert got.score >= 0.9
    _reason_has(got, words)


@pytest.mark.parametrize("a, b, words", POSSIBLES, ids=_ids(POSSIBLES))
def test_possibles(a: str, b: str, words: tuple[str, ...]) -> None:
    got = compare(a, b)
    assert got.verdict == P, got
    assert 0.5 <= got.score < 0.9
    _reason_has(got, words)


@pytest.mark.parametrize("a, b, words", DISTINCTS, ids=_ids(DISTINCTS))
def test_distincts(a: str, b: str, words: tuple[str, ...]) -> None:
    got = compare(a, b)
    assert got.verdict == X, got
    assert got.score < 0.5
    _reason_has(got, words)


def test_enough_own_pairs() -> None:
    assert len(DUPLICATES) + len(POSSIBLES) + len(DISTINCTS) >= 60 + len(DEV_PAIRS)


@pytest.mark.parametrize("a, b, words", DUPLICATES + POSSIBLES + DISTINCTS,
                         ids=_ids(DUPLICATES + POSSIBLES + DISTINCTS))
def test_symmetric(a: str, b: str, words: tuple[str, ...]) -> None:
    assert compare(a, b).verdict == compare(b, a).verdict


def test_name_without_city_is_only_possible() -> None:
    got = compare("协和医院", "北京协和医院")
    assert got.verdict == P
    assert "城市" in got.reason


# --- canonical key ------------------------------------------------------------

@pytest.mark.parametrize("a, b", SAME_KEY, ids=_ids(SAME_KEY))
def test_same_key(a: str, b: str) -> None:
    assert analyse(a).key == analyse(b).key
    assert analyse(a).key


DIFFERENT_KEY = [(a, b) for a, b, _ in DISTINCTS] + [
    (a, b) for a, b, label in DEV_PAIRS if label == "diff"] + [
    (a, b) for a, b, _ in POSSIBLES]


@pytest.mark.parametrize("a, b", DIFFERENT_KEY, ids=_ids(DIFFERENT_KEY))
def test_different_key(a: str, b: str) -> None:
    assert analyse(a).key != analyse(b).key


def test_key_stable_across_processes() -> None:
    """The key is a database unique key: no hash-seed or cache dependence."""
    names = [a for a, _ in SAME_KEY] + [b for _, b, _ in DISTINCTS[:20]]
    here = [analyse(n).key for n in names]
    code = ("import json,sys; from bot.matching import analyse; "
            "print(json.dumps([analyse(n).key for n in json.load(sys.stdin)]))")
    root = Path(__file__).resolve().parents[1]
    import json
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(root)}
        out = subprocess.run([sys.executable, "-c", code], input=json.dumps(names),
                             capture_output=True, text=True, env=env, cwd=root, check=True)
        assert json.loads(out.stdout) == here


# --- analyse -------------------------------------------------------------------

def test_analyse_fields_hospital() -> None:
    parts = analyse("广州市番禺区中心医院")
    assert isinstance(parts, NameParts)
    assert parts.region == "广东省"
    assert parts.city == "番禺区"
    assert parts.core == "中心医院"
    assert parts.type_word == "中心医院"
    assert parts.ordinal is None
    assert parts.branch is None


def test_analyse_fields_ordinal_and_steps() -> None:
    parts = analyse("上海市第六人民医院")
    assert parts.region == "上海市"
    assert parts.core == "第6人民医院"
    assert parts.type_word == "人民医院"
    assert parts.ordinal == "6"
    assert analyse("吉大一院").ordinal == "1"
    assert analyse("苏州大学附属第1医院").ordinal == "1"
    trad = analyse("南京鼓樓醫院")
    assert trad.simplified == "南京鼓楼医院"
    assert "繁→简" in trad.steps


def test_analyse_fields_company() -> None:
    parts = analyse("联想（北京）有限公司")
    assert parts.simplified == "联想(北京)有限公司"
    assert parts.core == "联想"
    assert parts.type_word == "有限公司"
    assert parts.branch == "(北京)"
    assert parts.region == "北京市"
    assert any("有限公司" in s for s in parts.steps)
    bank = analyse("招商银行北京分行")
    assert (bank.core, bank.type_word, bank.branch) == ("招商银行", "银行", "北京分行")
    latin = analyse("Lenovo (Beijing) Co., Ltd.")
    assert latin.simplified == "LENOVO (BEIJING) CO., LTD."
    assert latin.core == "LENOVO"


def test_analyse_university_keeps_its_place_word() -> None:
    # 青岛大学 is an institution: the place is recorded but stays in the core.
    parts = analyse("青岛大学附属医院")
    assert parts.core == "青岛大学附属医院"
    assert parts.region == "山东省"
    assert analyse("中山大学附属第一医院").region is None


def test_analyse_is_cached_and_deterministic() -> None:
    assert analyse("北京协和医院") is analyse("北京协和医院")
    assert analyse("北京协和医院") == analyse("北京协和医院", {})


# --- admin aliases -------------------------------------------------------------

ALIASES = {"吉大一院": "吉林大学白求恩第一医院", "青大附院": "青岛大学附属医院",
           "省人医": "江苏省人民医院"}


@pytest.mark.parametrize("a, b", [
    ("吉林大学白求恩第一医院", "吉大一院"),
    ("青岛大学附属医院", "青大附院"),
    ("青大附院", "青岛大学附属医院（青大附院）"),
    ("江苏省人民医院", "省人医"),
])
def test_admin_aliases_make_duplicates(a: str, b: str) -> None:
    got = compare(a, b, ALIASES)
    assert got.verdict == D, got
    assert analyse(a, ALIASES).key == analyse(b, ALIASES).key


def test_alias_step_is_recorded() -> None:
    parts = analyse("吉大一院", ALIASES)
    assert parts.core == "吉林大学白求恩第1医院"
    assert any(s.startswith("别名") for s in parts.steps)


def test_aliases_do_not_rewrite_inside_names() -> None:
    # An alias is a whole name; 武汉协和医院 must not be touched by 协和.
    got = compare("武汉协和医院", "北京协和医院", {"协和": "北京协和医院"})
    assert got.verdict == X


def test_without_aliases_alias_pair_still_flagged() -> None:
    assert compare("吉林大学白求恩第一医院", "吉大一院").verdict in DP
    assert compare("青岛大学附属医院", "青大附院").verdict == X  # unknown short form


# --- robustness ------------------------------------------------------------------

ODD_INPUTS = ["", " ", "\t", "()", "（）", "（", "第", "市", "有限公司", "😀", "😀😀😀",
              "\x00", "\ud800", "北京" * 5000, "协和医院" * 2500, "第" * 10000, "A" * 10000,
              "‮北京协和医院", "🏥北京协和医院🏥", "医院", "CO LTD", "(北京)", "中国"]


@pytest.mark.parametrize("odd", ODD_INPUTS, ids=[f"odd{i}" for i in range(len(ODD_INPUTS))])
def test_never_raises(odd: str) -> None:
    parts = analyse(odd)
    assert isinstance(parts, NameParts)
    for other in ("北京协和医院", odd, ""):
        got = compare(odd, other)
        assert isinstance(got, MatchResult)
        assert got.verdict in (D, P, X)
        assert 0.0 <= got.score <= 1.0
        assert len(got.reason) < 120


@pytest.mark.parametrize("empty", ["", "   ", "😀", "()"])
def test_empty_is_distinct_with_zero_score(empty: str) -> None:
    for other in ("北京协和医院", empty):
        got = compare(empty, other)
        assert got.verdict == X
        assert got.score == 0.0


def test_non_string_input() -> None:
    assert compare(None, "北京协和医院").verdict == X  # type: ignore[arg-type]
    assert analyse(123).original == "123"  # type: ignore[arg-type]


# --- best_match --------------------------------------------------------------------

CANDIDATES = [
    (1, "北京协和医学院"),
    (2, "北京协合医院"),
    (3, "北京市协和医院"),
    (4, "武汉协和医院"),
    (5, "中国医学科学院北京协和医院"),
]


def test_best_match_prefers_duplicate() -> None:
    found = best_match("北京协和医院", CANDIDATES)
    assert found is not None
    ident, result = found
    assert ident == 3
    assert result.verdict == D


def test_best_match_possible_when_no_duplicate() -> None:
    found = best_match("北京协和医院", [c for c in CANDIDATES if c[0] != 3])
    assert found is not None
    assert found[1].verdict == P
    assert found[0] in (2, 5)


def test_best_match_none_when_all_distinct() -> None:
    assert best_match("上海市第六人民医院", [(1, "上海市第一人民医院"), (2, "上海市胸科医院")]) is None
    assert best_match("北京协和医院", []) is None


def test_best_match_uses_aliases_and_any_hashable_id() -> None:
    found = best_match("吉大一院", [(("hosp", 7), "吉林大学白求恩第一医院")], ALIASES)
    assert found is not None and found[0] == ("hosp", 7) and found[1].verdict == D


# --- CLI ------------------------------------------------------------------------------

def test_run_match() -> None:
    lines = [
        "# header",
        "",
        "青岛海尔股份有限公司\t青岛海尔股份公司\tsame\tsuffix",
        "上海市第一人民医院\t上海市第六人民医院",
        "only-one-field",
        "北京协和医院\t北京协合医院\n",
    ]
    out = list(run_match(lines))
    assert len(out) == 4
    assert out[0]["verdict"] == D and out[0]["score"] == 1.0
    assert out[1]["verdict"] == X and "序号" in out[1]["reason"]
    assert "error" in out[2]
    assert out[3]["verdict"] == P
    for row in (out[0], out[1], out[3]):
        assert set(row) == {"verdict", "score", "reason", "details"}
        assert row["score"] == round(row["score"], 3)


def test_run_match_on_dev_file() -> None:
    if not DEV_FILE.exists():
        pytest.skip(f"{DEV_FILE} not present")
    with DEV_FILE.open(encoding="utf-8") as fh:
        out = list(run_match(fh))
    assert out and all("verdict" in row for row in out)


def test_prepare_aliases_normalises_keys() -> None:
    from bot.matching import prepare_aliases

    table = prepare_aliases({"吉大 一院": "吉林大学白求恩第一医院", "青大附院": "青岛大学附属医院"})
    assert compare("吉大一院", "吉林大学白求恩第一医院", table).verdict == D
    assert compare("青大附院", "青岛大学附属医院", table).verdict == D

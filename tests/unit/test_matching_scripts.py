"""One customer, every script: English, pinyin, mixed, spaced and full-width
names read as the Chinese name sounds (domain.matching.roman)."""
from __future__ import annotations

import pytest

from domain.matching import compare, reading_of
from tests.support.matching_cases import D, P, X

CASES = [
    # pinyin of the Chinese name, with type words and ordinals in English or pinyin
    ("Beijing Xiehe Hospital", "北京协和医院", D),
    ("BEIJING XIE HE YIYUAN", "北京协和医院", D),
    ("Shanghai Sixth People's Hospital", "上海市第六人民医院", D),
    ("Shanghai No.6 People's Hospital", "上海市第六人民医院", D),
    ("Shanghai Diliu Renmin Yiyuan", "上海市第六人民医院", D),
    ("Peking University First Hospital", "北京大学第一医院", D),
    ("Affiliated Hospital of Qingdao University", "青岛大学附属医院", D),
    ("Hebei Provincial People's Hospital", "河北省人民医院", D),
    ("Changzhi People's Hospital", "长治市人民医院", D),       # 长 read chang, not only zhang
    ("Beijing Chaoyang Hospital", "北京朝阳医院", D),
    ("Guangzhou Panyu Central Hospital", "广州市番禺区中心医院", D),
    ("Zhaoshang Yinhang Beijing Branch", "招商银行北京分行", D),
    # mixed scripts: the same characters, some in pinyin or English
    ("北京Xiehe医院", "北京协和医院", D),
    ("Beijing协和医院", "北京协和医院", D),
    ("北京协和Hospital", "北京协和医院", D),
    ("北京 Xie He 医院", "北京协和医院", D),
    # shorter or vaguer: a person decides
    ("Xiehe Hospital", "北京协和医院", P),
    ("Beijing Xiehe", "北京协和医院", P),
    ("Xiehe", "北京协和医院", P),
    ("TCL科技", "TCL客机", P),                            # both hold Chinese: sound alone is no proof
    # distinct: another place, ordinal, type or branch
    ("Wuhan Xiehe Hospital", "北京协和医院", X),
    ("Shanghai First People's Hospital", "上海市第六人民医院", X),
    ("Peking University Third Hospital", "北京大学第一医院", X),
    ("Beijing Xiehe Medical College", "北京协和医院", X),
    ("Zhaoshang Yinhang Shanghai Branch", "招商银行北京分行", X),
    ("Henan Provincial People's Hospital", "河北省人民医院", X),
    ("Beijing Tiantan Hospital", "北京协和医院", X),
]


@pytest.mark.parametrize("a, b, verdict", CASES)
def test_names_across_scripts(a, b, verdict):
    got = compare(a, b)
    assert got.verdict == verdict, got.reason
    assert compare(b, a).verdict == verdict                 # either way round
    if verdict != X:
        assert got.reason and ("↔" in got.reason or "音" in got.reason or "同名" in got.reason)


def test_readings_agree_on_where_and_what():
    latin, chinese = reading_of("Beijing Xiehe Hospital"), reading_of("北京协和医院")
    assert (latin.place, latin.letters, latin.inst) == (chinese.place, chinese.letters, chinese.inst) == \
        ("beijing", "xieheyiyuan", "医院")
    assert reading_of("Tianjin Medical University General Hospital").inst == "总医院"
    # its official English name, known to the lexicon
    assert reading_of("Shanghai General Hospital").letters == reading_of("上海市第一人民医院").letters
    assert reading_of("Lenovo (Beijing) Co., Ltd.").branch == "(beijing)"


@pytest.mark.parametrize("name", ["", "   ", "!!!", "医院", "Co., Ltd.", "(北京)", "The", "Hospital of"])
def test_odd_names_never_raise(name):
    for other in ("北京协和医院", "Beijing Xiehe Hospital", name):
        assert compare(name, other).verdict in (D, P, X)

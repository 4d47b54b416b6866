"""Gazetteer and region_of(): which province-level region a customer name
or an address implies."""

from __future__ import annotations

import pytest

from domain.matching import analyse, region_of
from domain.matching.data.regions_cn import CITIES, DISTRICTS, PROVINCES
from domain.matching.regions import scan_places
from domain.matching.text import simplify

REGION_CASES = [
    # names from the brief
    ("北京协和医院", "北京市"),
    ("天津医科大学总医院", "天津市"),
    ("青岛大学附属医院", "山东省"),
    ("番禺区中心医院", "广东省"),
    ("上海市第六人民医院", "上海市"),
    ("河北省人民医院", "河北省"),
    # 中山 bare is Sun Yat-sen, not the city: the name carries no place.
    ("中山大学附属第一医院", None),
    ("中山医院", None),
    ("中山市人民医院", "广东省"),
    # addresses
    ("北京市东城区帅府园1号", "北京市"),
    ("广东省广州市天河区体育西路191号", "广东省"),
    ("上海浦东新区张江路100号", "上海市"),
    ("深圳市南山区科技园", "广东省"),
    ("中国北京市海淀区中关村大街", "北京市"),
    ("浙江省杭州市西湖区", "浙江省"),
    ("重庆市渝中区解放碑", "重庆市"),
    ("天津市河北区", "天津市"),
    # ambiguous words
    ("朝阳医院", None),                # could be Beijing's or Liaoning's: say nothing
    ("北京朝阳医院", "北京市"),
    ("朝阳区人民医院", "北京市"),
    ("朝阳市第二医院", "辽宁省"),
    ("吉林大学", "吉林省"),             # bare 吉林 is the province
    ("吉林市中心医院", "吉林省"),
    ("海南省人民医院", "海南省"),
    ("河南省人民医院", "河南省"),
    ("山西省人民医院", "山西省"),
    ("陕西省人民医院", "陕西省"),
    ("长春市朝阳区人民医院", "吉林省"),   # 朝阳区 of 长春, not of 北京
    # the five autonomous regions and two SARs, short and full
    ("内蒙古医科大学附属医院", "内蒙古自治区"),
    ("广西壮族自治区人民医院", "广西壮族自治区"),
    ("广西医科大学第一附属医院", "广西壮族自治区"),
    ("西藏自治区人民医院", "西藏自治区"),
    ("宁夏医科大学总医院", "宁夏回族自治区"),
    ("新疆维吾尔自治区人民医院", "新疆维吾尔自治区"),
    ("香港大学深圳医院", "香港特别行政区"),
    ("澳门科技大学", "澳门特别行政区"),
    # prefecture-level cities, with and without 市, incl. 自治州 / 地区 / 盟
    ("大连医科大学附属第一医院", "辽宁省"),
    ("苏州大学附属第一医院", "江苏省"),
    ("武汉协和医院", "湖北省"),
    ("厦门大学附属中山医院", "福建省"),
    ("延边大学附属医院", "吉林省"),
    ("恩施州中心医院", "湖北省"),
    ("大兴安岭地区人民医院", "黑龙江省"),
    ("锡林郭勒盟医院", "内蒙古自治区"),
    ("西双版纳傣族自治州人民医院", "云南省"),
    ("喀什地区第一人民医院", "新疆维吾尔自治区"),
    ("宿州市立医院", "安徽省"),
    ("泰州市人民医院", "江苏省"),
    ("台州市中心医院", "浙江省"),
    # districts of the six big cities
    ("浦东新区人民医院", "上海市"),
    ("海淀医院", None),                 # district short form needs its city
    ("北京海淀医院", "北京市"),
    ("深圳光明区人民医院", "广东省"),
    ("渝北区人民医院", "重庆市"),
    ("广州番禺中心医院", "广东省"),
    # place after the parent institution, in brackets, in latin
    ("首都医科大学附属北京朝阳医院", "北京市"),
    ("华中科技大学同济医学院附属协和医院（武汉协和医院）", "湖北省"),
    ("（深圳）华大基因股份有限公司", "广东省"),
    ("联想(上海)有限公司", "上海市"),
    ("Lenovo (Beijing) Co., Ltd.", "北京市"),
    ("SHANGHAI PHARMA", "上海市"),
    # not places
    ("协和医院", None),
    ("招商银行", None),
    ("永辉超市股份有限公司", None),
    ("人民医院", None),
    ("", None),
    ("😀", None),
]


@pytest.mark.parametrize("text, expected", REGION_CASES)
def test_region_of(text: str, expected: str | None) -> None:
    assert region_of(text) == expected


def test_enough_region_cases() -> None:
    assert len(REGION_CASES) >= 40


def test_all_34_province_level_divisions() -> None:
    assert len(PROVINCES) == 34
    for full, shorts in PROVINCES.items():
        assert region_of(full + "人民医院") == full
        assert region_of(shorts[0] + "人民医院") == full


def test_all_333_prefecture_level_divisions() -> None:
    assert sum(len(cities) for cities in CITIES.values()) == 333
    for province, cities in CITIES.items():
        for entry in cities:
            full = entry.split("|")[0]
            assert region_of(full + "第一人民医院") == province, full


@pytest.mark.parametrize("city", ["北京市", "上海市", "天津市", "重庆市", "广州市", "深圳市"])
def test_districts_of_six_cities(city: str) -> None:
    expected = "广东省" if city in ("广州市", "深圳市") else city
    for entry in DISTRICTS[city]:
        full = entry.split("|")[0]
        assert region_of(full + "人民医院") == expected, full
        assert analyse(full + "人民医院").city == full


def test_prefecture_names_are_unique_per_province() -> None:
    names = [e.split("|")[0] for cities in CITIES.values() for e in cities]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("name, city", [
    ("广州市番禺区中心医院", "番禺区"),
    ("番禺区中心医院", "番禺区"),
    ("北京协和医院", "北京市"),
    ("青岛大学附属医院", "青岛市"),
    ("河北省人民医院", None),
    ("昆山市第一人民医院", "昆山市"),      # county-level city: kept, province unknown
])
def test_most_specific_place(name: str, city: str | None) -> None:
    assert analyse(name).city == city


@pytest.mark.parametrize("text, place_count", [
    ("苏州市立医院", 1),        # 苏州 + 市立医院, not 苏州市 + 立医院
    ("北京市场监督管理局", 1),    # 北京 + 市场…
    ("广州市社区卫生服务中心", 1),  # 社区 is no district
    ("广东省广州市番禺区", 3),
])
def test_place_word_boundaries(text: str, place_count: int) -> None:
    assert len(scan_places(simplify(text).text).places) == place_count


def test_region_of_never_raises() -> None:
    for text in ["", " ", "()", "（（", "\x00", "\ud800", "北" * 10000, "市" * 50, "省立"]:
        region_of(text)

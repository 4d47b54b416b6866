"""Customer-name matching: canonical keys, analyse, admin aliases, robustness,
best_match and the CLI.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from domain.matching import MatchResult, NameParts, analyse, best_match, compare
from domain.matching.cli import run_match
from tests.support.matching_cases import DEV_FILE, DEV_PAIRS, DISTINCTS, DP, POSSIBLES, D, P, X, _ids

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
    code = ("import json,sys; from domain.matching import analyse; "
            "print(json.dumps([analyse(n).key for n in json.load(sys.stdin)]))")
    root = Path(__file__).resolve().parents[2]
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
    # An unlisted short form is read against the full name, never as certain.
    got = compare("青岛大学附属医院", "青大附院")
    assert got.verdict == P and "青大" in got.reason and "青岛大学" in got.reason


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
    from domain.matching import prepare_aliases

    table = prepare_aliases({"吉大 一院": "吉林大学白求恩第一医院", "青大附院": "青岛大学附属医院"})
    assert compare("吉大一院", "吉林大学白求恩第一医院", table).verdict == D
    assert compare("青大附院", "青岛大学附属医院", table).verdict == D

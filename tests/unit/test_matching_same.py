"""Customer-name matching, same organisation: the development sample and the
duplicate and possible verdict families.  Tables are in matching_cases.py.
"""

from __future__ import annotations

import pytest

from domain.matching import compare
from tests.support.matching_cases import DEV_FILE, DEV_PAIRS, DP, DUPLICATES, POSSIBLES, D, P, X, _ids, _reason_has

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


def test_name_without_city_is_only_possible() -> None:
    got = compare("协和医院", "北京协和医院")
    assert got.verdict == P
    assert "城市" in got.reason

"""Customer-name matching, different organisations: the distinct verdict family,
and checks over all the families (size, symmetry).  Tables are in matching_cases.py.
"""

from __future__ import annotations

import pytest

from domain.matching import compare
from tests.support.matching_cases import DEV_PAIRS, DISTINCTS, DUPLICATES, POSSIBLES, X, _ids, _reason_has

# --- verdict families -------------------------------------------------------

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

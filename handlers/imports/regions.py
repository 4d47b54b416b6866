"""Province-level region names, checked against the matcher's gazetteer.

Territories and coverage are stored as full province-level names (北京市,
河北省, 广西壮族自治区), the same names `region_of` gives a customer, so the
territory check compares like with like. People write 北京 or 河北; those
short forms are the gazetteer's own (bot/matching/data/regions_cn.py).
"""
from __future__ import annotations

import unicodedata

from domain.matching import region_of
from domain.matching.data.regions_cn import PROVINCES
from handlers.imports.problems import RowProblem, said

_FULL_NAME = {surface: full for full, shorts in PROVINCES.items() for surface in (full, *shorts)}


def province(name: str) -> str:
    """`北京` / `北京市` → `北京市`. A city or anything else is refused, naming
    the province it lies in when the gazetteer knows (石家庄 → 河北省)."""
    s = unicodedata.normalize("NFKC", name).strip().replace(" ", "")
    full = _FULL_NAME.get(s)
    if full:
        return full
    inside = region_of(s)
    if inside:
        raise RowProblem(f"{said(name)} 不是省级地区，应填 {inside} (not a province-level region; use {inside})")
    raise RowProblem(f"未知地区: {said(name)} (unknown province-level region)")


def provinces(names: list[str]) -> list[str]:
    return list(dict.fromkeys(province(n) for n in names))

"""Product vocabulary: the built-in default and a compiled matcher for any catalog.

The default only knows generic medical-device words (no SKUs), so it answers
sku=None; deployments pass their own catalog built from the product table.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from .schema import Catalog

# Generic device words. Longer forms are listed so that the longest match wins
# ("超声诊断仪" is one product, not "超声" + "诊断仪"; "超声刀" is not an ultrasound).
DEFAULT_PRODUCT_WORDS: tuple[str, ...] = (
    "彩超", "超声", "B超", "超声诊断仪", "彩色超声", "彩色多普勒超声", "超声仪", "便携彩超", "掌上超声",
    "超声刀", "监护仪", "监护", "心电监护仪", "多参数监护仪", "中央监护系统", "呼吸机", "无创呼吸机",
    "有创呼吸机", "CT", "PET-CT", "核磁", "核磁共振", "磁共振", "MRI", "DR", "移动DR", "X光机", "C臂",
    "DSA", "钼靶", "乳腺机", "胃肠机", "内镜", "内窥镜", "胃镜", "肠镜", "支气管镜", "腹腔镜", "麻醉机",
    "输液泵", "注射泵", "除颤仪", "除颤器", "除颤监护仪", "AED", "心电图机", "血气分析仪", "生化分析仪",
    "血球仪", "血细胞分析仪", "高频电刀", "手术床", "无影灯", "血透机", "透析机", "ECMO", "制氧机",
    "ultrasound", "monitor", "patient monitor", "ventilator", "anesthesia machine", "infusion pump",
    "syringe pump", "defibrillator", "endoscope", "x-ray",
)

_LATIN = re.compile(r"[A-Za-z0-9]")


class DefaultCatalog:
    """Generic words -> SKU None; optional extra words with real SKUs."""

    def __init__(self, extra: Mapping[str, str | None] | None = None) -> None:
        self._map: dict[str, str | None] = {w.lower(): None for w in DEFAULT_PRODUCT_WORDS}
        self._words: list[str] = list(DEFAULT_PRODUCT_WORDS)
        for word, sku in (extra or {}).items():
            if word.lower() not in self._map:
                self._words.append(word)
            self._map[word.lower()] = sku.upper() if sku else None

    def sku_for_word(self, word: str) -> str | None:
        return self._map.get(word.strip().lower())

    def product_words(self) -> Iterable[str]:
        return tuple(self._words)


_DEFAULT = DefaultCatalog()


def default_catalog() -> DefaultCatalog:
    return _DEFAULT


def catalog_words(catalog: Catalog) -> tuple[str, ...]:
    """Catalog words, deduplicated and sorted so longer words match first."""
    try:
        words = {str(w).strip() for w in catalog.product_words() if w and str(w).strip()}
    except Exception:  # a caller's catalog must not be able to break parsing
        return ()
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


def safe_sku(catalog: Catalog, word: str) -> str | None:
    try:
        sku = catalog.sku_for_word(word)
    except Exception:
        return None
    return str(sku) if sku else None


@lru_cache(maxsize=32)
def word_pattern(words: tuple[str, ...]) -> str | None:
    """Regex alternation for catalog words; Latin words need word boundaries.

    Chinese words may be glued to anything ("彩超2台"), but "CT" must not be
    found inside "ICT" nor "A100" inside "A1000".
    """
    if not words:
        return None
    parts = []
    for w in words:
        esc = re.escape(w)
        if _LATIN.search(w):
            esc = rf"(?<![A-Za-z0-9])(?i:{esc})(?![A-Za-z0-9])"
        parts.append(esc)
    return "|".join(parts)

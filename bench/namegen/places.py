"""The gazetteer as the generator needs it: every prefecture-level city with a
short spelling usable alone in a name, its districts, and a division code.

Built from the matcher's own tables (domain.matching.data.regions_cn) so every
place the generator writes is one the matcher knows.
"""
from __future__ import annotations

from domain.matching.data.regions_cn import (
    CITIES,
    DISTRICTS,
    MUNICIPALITIES,
    PROVINCES,
    SHORT_NEEDS_SUFFIX,
)

from .tables import PROVINCE_CODE


class City:
    """A prefecture-level city as names spell it: full (广州市) and short (广州)."""
    __slots__ = ("code", "districts", "full", "province", "short")

    def __init__(self, full: str, short: str, province: str, code: str):
        self.full, self.short, self.province, self.code = full, short, province, code
        self.districts: list[tuple[str, str]] = []    # (full, code)


def _short_city(entry: str) -> tuple[str, str]:
    """"延边朝鲜族自治州|延边|延边州" -> (full, short usable alone in a name)."""
    full, *listed = entry.split("|")
    shorts = [s for s in listed if s != full] or ([full[:-1]] if full.endswith("市") else [])
    shorts = [s for s in shorts if s not in SHORT_NEEDS_SUFFIX and len(s) >= 2]
    return full, (shorts[0] if shorts else full)


def _load_cities() -> list[City]:
    """Every prefecture-level city plus the four municipalities, in gazetteer order."""
    cities = [City(m, m[:-1], m, PROVINCE_CODE[m] + "01") for m in MUNICIPALITIES]
    for prov, entries in CITIES.items():
        for i, entry in enumerate(entries, 1):
            full, short = _short_city(entry)
            cities.append(City(full, short, prov, f"{PROVINCE_CODE[prov]}{i:02d}"))
    by_full = {c.full: c for c in cities}
    for parent, entries in DISTRICTS.items():
        for i, entry in enumerate(entries, 1):
            by_full[parent].districts.append((entry.split("|")[0], f"{i:02d}"))
    return cities


CITY_LIST = _load_cities()
PROVINCE_LIST = [p for p in PROVINCES if p not in MUNICIPALITIES and p in PROVINCE_CODE]
DISTRICT_CITIES = [c for c in CITY_LIST if c.districts]


def place_words() -> list[str]:
    """Every spelling of a place the matcher could read inside a trade word."""
    words = set()
    for prov, shorts in PROVINCES.items():
        words.update((prov, *shorts))
    for entries in list(CITIES.values()) + list(DISTRICTS.values()):
        for entry in entries:
            full, *listed = entry.split("|")
            words.update((full, *listed))
            for suffix in ("新区", "市", "区", "县"):
                if full.endswith(suffix) and len(full) - len(suffix) >= 2:
                    words.add(full[: -len(suffix)])
    return sorted(w for w in words if len(w) >= 2)


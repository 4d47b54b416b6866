"""The columns a kind declares, and how a file's header row is matched to them.

People rename headers: `信用额度（元）`, `Name `, `SKU*` (the template marks
required columns with `*`), `list price`. All of these are folded to one form
before comparing, so a column matches its English key, its Chinese header or
any alias however it is decorated. A bracket that names a unit is read
before it is folded away (see units.py): `信用额度（万元）` scales the column.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from handlers.imports.cells import Scaled
from handlers.imports.problems import FileProblem
from handlers.imports.units import scale_of

# A parenthesised hint anywhere in a header: 信用额度(元), 区域（省）. NFKC has
# already turned full-width brackets into ASCII ones when this runs.
_HINT = re.compile(r"\(([^()]*)\)")
_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class Column:
    key: str                   # English key, also the attribute the kind reads
    header: str                # Chinese header, what templates write
    required: bool = False
    aliases: tuple[str, ...] = ()
    help_zh: str = ""          # for the template's 说明 sheet
    help_en: str = ""
    unit: str = ""             # shown in the template header as a hint: 信用额度（元）

    def template_header(self) -> str:
        hint = f"（{self.unit}）" if self.unit else ""
        return f"{self.header}{hint}{'*' if self.required else ''}"

    def names(self) -> set[str]:
        return {normalise_header(n) for n in (self.key, self.header, *self.aliases)}


def normalise_header(text: object) -> str:
    """`  信用额度（元）* ` → `信用额度`; `List Price` → `list_price`."""
    s = unicodedata.normalize("NFKC", str(text if text is not None else ""))
    s = _HINT.sub("", s).strip().strip("*").strip().casefold()
    return _SEPARATORS.sub("_", s)


def header_hints(text: object) -> list[str]:
    """The bracketed parts of a header: `信用额度（万元）` → ['万元']."""
    return _HINT.findall(unicodedata.normalize("NFKC", str(text if text is not None else "")))


@dataclass(frozen=True)
class Binding:
    """Which position in a row holds which column (only the columns the file has)."""
    positions: dict[str, int]
    ignored: tuple[str, ...]          # headers no column claimed, reported as a note
    # Columns whose header names another unit than the stored one: key → (factor, unit as written).
    scales: dict[str, tuple[Decimal, str]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()       # about the header, for the report

    def present(self, key: str) -> bool:
        return key in self.positions

    def record(self, values: tuple | list) -> dict[str, object]:
        width = len(values)
        out = {key: (values[i] if i < width else None) for key, i in self.positions.items()}
        for key, (factor, unit) in self.scales.items():
            out[key] = Scaled(out[key], factor, unit)
        return out


def bind(header: tuple | list, columns: tuple[Column, ...]) -> Binding:
    """Match a header row to the declared columns. Every problem with the header
    is reported at once, before any row is read: a missing required column would
    otherwise turn every row into the same error."""
    by_name: dict[str, str] = {}
    for col in columns:
        for name in col.names():
            by_name[name] = col.key
    units = {col.key: col.unit for col in columns}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    doubled: list[str] = []
    scales: dict[str, tuple[Decimal, str]] = {}
    unknown_units: list[str] = []
    for i, cell in enumerate(header):
        if cell is None or not str(cell).strip():
            continue
        key = by_name.get(normalise_header(cell))
        if key is None:
            ignored.append(str(cell).strip())
        elif key in positions:
            doubled.append(str(cell).strip())
        else:
            positions[key] = i
            try:
                scale = scale_of(units[key], header_hints(cell))
            except ValueError as exc:
                unknown_units.append(f"{str(cell).strip()}（{exc}）")
                continue
            if scale is not None and scale[0] != 1:
                scales[key] = scale
    missing = [c for c in columns if c.required and c.key not in positions]
    problems = []
    if missing:
        listed = "、".join(c.template_header().rstrip("*") for c in missing)
        keys = ", ".join(c.key for c in missing)
        problems.append(f"缺少必填列: {listed} (missing required columns: {keys})")
    if doubled:
        problems.append(f"列重复: {'、'.join(doubled)} (the same column appears twice)")
    if unknown_units:
        problems.append(f"无法换算的单位: {'、'.join(unknown_units)}，请改用 元/万元（距离用 米/公里）"
                        f" (a unit that can't be converted; use 元 or 万元, for distances 米 or 公里)")
    if problems:
        raise HeaderProblem("; ".join(problems), matched=len(positions))
    notes = tuple(f"{str(header[positions[key]]).strip()}: 按{unit}换算，乘以 {factor:,} "
                  f"({key} is in {unit}: multiplied by {factor:,})" for key, (factor, unit) in scales.items())
    return Binding(positions, tuple(ignored), scales, notes)


class HeaderProblem(FileProblem):
    """A header row that can't be used; ``matched``: how many columns it did name
    (the row that names the most is the header someone meant)."""

    def __init__(self, message: str, matched: int = 0):
        super().__init__(message)
        self.matched = matched

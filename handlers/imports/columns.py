"""The columns a kind declares, and how a file's header row is matched to them.

People rename headers: `信用额度（元）`, `Name `, `SKU*` (the template marks
required columns with `*`), `list price`. All of these are folded to one form
before comparing, so a column matches its English key, its Chinese header or
any alias however it is decorated.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from handlers.imports.problems import FileProblem

# A parenthesised hint anywhere in a header: 信用额度(元), 区域（省）. NFKC has
# already turned full-width brackets into ASCII ones when this runs.
_HINT = re.compile(r"\([^()]*\)")
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


@dataclass(frozen=True)
class Binding:
    """Which position in a row holds which column (only the columns the file has)."""
    positions: dict[str, int]
    ignored: tuple[str, ...]          # headers no column claimed, reported as a note

    def present(self, key: str) -> bool:
        return key in self.positions

    def record(self, values: tuple | list) -> dict[str, object]:
        width = len(values)
        return {key: (values[i] if i < width else None) for key, i in self.positions.items()}


def bind(header: tuple | list, columns: tuple[Column, ...]) -> Binding:
    """Match a header row to the declared columns. Every problem with the header
    is reported at once, before any row is read: a missing required column would
    otherwise turn every row into the same error."""
    by_name: dict[str, str] = {}
    for col in columns:
        for name in col.names():
            by_name[name] = col.key
    positions: dict[str, int] = {}
    ignored: list[str] = []
    doubled: list[str] = []
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
    missing = [c for c in columns if c.required and c.key not in positions]
    problems = []
    if missing:
        listed = "、".join(c.template_header().rstrip("*") for c in missing)
        keys = ", ".join(c.key for c in missing)
        problems.append(f"缺少必填列: {listed} (missing required columns: {keys})")
    if doubled:
        problems.append(f"列重复: {'、'.join(doubled)} (the same column appears twice)")
    if problems:
        raise FileProblem("; ".join(problems))
    return Binding(positions, tuple(ignored))

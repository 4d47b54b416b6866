"""Blank files to fill in: the header row (required columns marked `*`), one
example row from the demo organisation, and, in a workbook, a 说明 sheet
explaining each column in Chinese and English.

The CSV templates under config/templates/ are written by this code too
(`python -m bot import-template all`); a test keeps them in step with it.
"""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import yaml

from handlers.imports.kind import Kind
from handlers.imports.registry import KINDS

# The project's config/ folder: the templates ops fill in, and the demo organisation
# whose rows serve as each template's example.
CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
TEMPLATE_DIR = CONFIG_DIR / "templates"
DEMO_FILE = CONFIG_DIR / "demo" / "org.yaml"
HELP_SHEET = "说明"
GENERAL_NOTES = (
    "第 1 行是表头，带 * 的列必填；列名写中文或英文均可，大小写、空格和括号里的说明不影响识别。",
    "Row 1 is the header; * marks required columns. Chinese or English names both work; case, spaces and "
    "bracketed hints don't matter.",
    "多个值用 | 、 , ， ; ； 分隔；金额可写 50万、¥1,200；日期可写 2026-12-05 或 2026/12/5。",
    "Several values: separate with | 、 , ;  Amounts: 50万 and ¥1,200 are read. Dates: 2026-12-05 or 2026/12/5.",
    "重复导入同一文件不会产生重复数据；文件中同一记录出现多次时，以后面的行为准。",
    "Importing the same file again changes nothing; a record repeated in one file: the later row wins.",
)


def demo_organisation() -> dict:
    return yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))


def header_and_example(kind: Kind) -> tuple[list[str], list[object]]:
    example = kind.example(demo_organisation())
    return [c.template_header() for c in kind.columns], [example.get(c.key, "") for c in kind.columns]


def write_template(kind: Kind, path: Path) -> Path:
    """An .xlsx (with the 说明 sheet), or a .csv when the name says so."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        _write_csv(kind, path)
    else:
        _write_xlsx(kind, path)
    return path


def write_csv_templates(directory: Path = TEMPLATE_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    return [write_template(kind, directory / f"{name}.csv") for name, kind in KINDS.items()]


def _as_text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else ("" if value is None else str(value))


def _write_csv(kind: Kind, path: Path) -> None:
    header, example = header_and_example(kind)
    # With a BOM, so Excel opens the Chinese headers correctly on a double-click.
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerow([_as_text(v) for v in example])


def _write_xlsx(kind: Kind, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    header, example = header_and_example(kind)
    wb = Workbook()
    ws = wb.active
    ws.title = kind.title_zh
    ws.append(header)
    ws.append([date.fromisoformat(v) if kind.name == "plans" and c.key == "date" else v
               for c, v in zip(kind.columns, example)])
    bold, required_fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for col, cell in zip(kind.columns, ws[1]):
        cell.font = bold
        if col.required:
            cell.fill = required_fill
        ws.column_dimensions[cell.column_letter].width = max(12, len(cell.value) * 2 + 2)
    ws.freeze_panes = "A2"

    notes = wb.create_sheet(HELP_SHEET)
    notes.append(["列名 (column)", "英文列名 (key)", "必填 (required)", "说明", "Description",
                  "也可写作 (also accepted)", "示例 (example)"])
    for col, value in zip(kind.columns, example):
        notes.append([col.template_header(), col.key, "是 (yes)" if col.required else "否 (no)", col.help_zh,
                      col.help_en, "、".join(col.aliases), _as_text(value)])
    notes.append([])
    for line in GENERAL_NOTES:
        notes.append([line])
    for cell in notes[1]:
        cell.font = bold
    for letter, width in zip("ABCDEFG", (18, 16, 12, 50, 50, 24, 24)):
        notes.column_dimensions[letter].width = width
    wb.save(path)

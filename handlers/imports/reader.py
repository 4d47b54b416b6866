"""Rows out of the files ops people have: Excel workbooks and CSV.

Everything streams: openpyxl's read-only mode parses a sheet row by row, and
a CSV is read line by line, so a 100k-row file never sits in memory. Row
numbers are the ones the spreadsheet shows, so a reported "row 17" is the
row the person scrolls to.

Sheets people keep are laid out for reading, not loading: a title row above
the header ("2026年度经销商名单"), a region cell merged down over the dealers
it covers, a 合计 row at the bottom. The header is looked for in the first
rows, merged cells are filled down with their value, and totals rows are
skipped; the report says so for each.
"""
from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from handlers.imports.cells import is_empty
from handlers.imports.columns import Binding, Column, HeaderProblem, bind
from handlers.imports.problems import FileProblem

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
# UTF-8 first (what we write, and Excel's "CSV UTF-8"); then GB18030, a superset
# of the GBK that Chinese Excel uses for plain "CSV".
CSV_ENCODINGS = ("utf-8", "gb18030")
_SNIFF_CHUNK = 1 << 20
# How many non-empty rows may stand above the header (titles, dates, notes).
HEADER_SEARCH_ROWS = 10
# A row that sums up the ones above it, not a record: 合计 / 小计 / 总计 / Total …
_TOTALS = re.compile(r"^(?:总?合计|小计|总计|共计|累计|sub-?total|grand ?total|total)(?:[:：].*)?$", re.I)
MAX_MERGE_NOTES = 20


class Skipped(str):
    """Instead of a row's cells: the row is no record, and why (a warning in the report)."""


def is_totals_row(values: tuple | list) -> bool:
    # The substring test first: this runs on every row of a million-row file.
    return any(isinstance(v, str) and ("计" in v or "otal" in v or "OTAL" in v)
               and _TOTALS.match(unicodedata.normalize("NFKC", v).strip().replace(" ", "")) for v in values)


@dataclass(frozen=True)
class Table:
    """A readable file: which sheet or encoding it is read with. Reading twice is
    allowed (each `records()` reopens the file)."""
    path: Path
    encoding: str | None = None        # CSV only: utf-8, utf-8-sig (with BOM) or gb18030
    sheet: str | None = None           # Excel only: the sheet read
    sheets: tuple[str, ...] = ()       # Excel only: all the workbook's sheets

    @property
    def is_excel(self) -> bool:
        return self.path.suffix.lower() in EXCEL_SUFFIXES

    def describe(self) -> str:
        return f"sheet {self.sheet}" if self.is_excel else f"encoding {self.encoding}"

    def records(self, columns: tuple[Column, ...]) -> tuple[Binding, Iterator[tuple[int, dict | Skipped]]]:
        """The binding of the header (FileProblem when no row of the first few
        names the required columns, before any data row is read) and the
        non-empty rows after it: a dict of cells, or Skipped for a totals row."""
        merges: list[Merge] = []
        rows = _excel_rows(self.path, self.sheet, merges) if self.is_excel else _csv_rows(self.path, self.encoding)
        try:
            number, binding = self._header(rows, columns)
            notes = _merge_notes(merges, number, binding)
            if number > 1:
                notes.insert(0, f"表头在第 {number} 行，上方的标题行未导入 (header found on row {number}; "
                                f"the rows above it are not data)")
            return replace(binding, notes=(*binding.notes, *notes)), _data(rows, binding)
        except BaseException:
            rows.close()                       # release the workbook at once, not at garbage collection
            raise

    def _header(self, rows: Iterator[tuple[int, tuple]], columns: tuple[Column, ...]) -> tuple[int, Binding]:
        """The first of the first non-empty rows that names the required
        columns. If none does, the complaint about the one naming the most."""
        best: HeaderProblem | None = None
        tried = 0
        for number, values in rows:
            if all(is_empty(v) for v in values):
                continue
            try:
                return number, bind(values, columns)
            except HeaderProblem as exc:
                if best is None or exc.matched > best.matched:
                    best = exc
            tried += 1
            if tried >= HEADER_SEARCH_ROWS:
                break
        if best is not None:
            raise FileProblem(f"{best}{self._other_sheets()}")
        if self.is_excel:
            raise FileProblem(f"工作表 {self.sheet} 是空的{self._other_sheets()} (sheet {self.sheet} is empty)")
        raise FileProblem("文件是空的 (the file has no header row)")

    def _other_sheets(self) -> str:
        """The usual cause of a wrong header in a workbook: the data is on another sheet."""
        others = [s for s in self.sheets if s != self.sheet]
        return f"；可用 --sheet 选择其他工作表: {'、'.join(others)}" if others else ""


def _data(rows: Iterator[tuple[int, tuple]], binding: Binding) -> Iterator[tuple[int, dict | Skipped]]:
    for number, values in rows:
        if all(is_empty(v) for v in values):      # fully empty rows are layout, not data
            continue
        if is_totals_row(values):
            yield number, Skipped("合计行，未导入 (a totals row: not imported)")
        else:
            yield number, binding.record(values)


def open_table(path: Path | str, sheet: str | None = None) -> Table:
    path = Path(path)
    if not path.is_file():
        raise FileProblem(f"找不到文件: {path} (no such file)")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        names = _sheet_names(path)
        if sheet is not None and sheet not in names:
            raise FileProblem(f"没有工作表 {sheet}，可选: {'、'.join(names)} (no such sheet)")
        return Table(path, sheet=sheet or names[0], sheets=names)
    if suffix == ".xls":
        raise FileProblem("不支持旧版 .xls，请在 Excel 中另存为 .xlsx 或 CSV "
                          "(old .xls is not supported: save as .xlsx)")
    if sheet:
        raise FileProblem(f"CSV 文件没有工作表: --sheet {sheet} (a CSV has no sheets)")
    if suffix not in CSV_SUFFIXES:
        raise FileProblem(f"不支持的文件类型: {path.suffix or '无扩展名'} (use .xlsx, .xlsm or .csv)")
    return Table(path, encoding=detect_encoding(path))


def _sheet_names(path: Path) -> tuple[str, ...]:
    from openpyxl import load_workbook
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:         # zipfile/XML errors of all kinds: the file is not a workbook
        raise FileProblem(f"无法打开 Excel 文件: {exc} (not a readable workbook)") from exc
    try:
        return tuple(wb.sheetnames)
    finally:
        wb.close()


# (first column, first row, last column, last row), 1-based, as openpyxl's range_boundaries.
Merge = tuple[int, int, int, int]
_MERGE_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref="([A-Za-z]{1,3}\d+:[A-Za-z]{1,3}\d+)"')


def _merged_ranges(ws) -> list[Merge]:
    """The sheet's merged ranges that span rows (the ones to fill down).

    openpyxl's read-only worksheet does not expose merged cells (3.1), and the
    <mergeCells> element comes after all the rows, so the sheet's XML is
    scanned for it first: a byte search, far cheaper than parsing the rows."""
    from openpyxl.utils.cell import range_boundaries
    found: list[Merge] = []
    tail = b""
    with ws._get_source() as src:         # the worksheet's XML part (read-only mode's own accessor)
        while True:
            chunk = src.read(_SNIFF_CHUNK)
            buf = tail + chunk
            if b"mergeCell" in buf:
                # A ref cut at the chunk's end is found whole in the next round.
                limit = len(buf) if not chunk else max(0, len(buf) - 256)
                found += [range_boundaries(m.group(1).decode()) for m in _MERGE_CELL.finditer(buf)
                          if m.start() < limit]
            if not chunk:
                break
            tail = buf[-256:]
    return sorted({m for m in found if m[3] > m[1]}, key=lambda m: (m[1], m[0]))


def _excel_rows(path: Path, sheet: str | None, merges: list[Merge]) -> Iterator[tuple[int, tuple]]:
    """Rows with merged cells filled down; ``merges`` is filled with the
    sheet's merged ranges when the sheet is opened (for the report)."""
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True, data_only=True)   # data_only: formulas' cached values
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        merges.extend(_merged_ranges(ws))
        # The stored dimension is often wrong in files other tools wrote, and
        # read-only mode would stop at it; read to the real end instead.
        ws.reset_dimensions()
        pending = list(merges)              # by first row
        active: list[tuple[Merge, object]] = []
        for number, values in _sheet_rows(ws):
            while pending and pending[0][1] == number:
                merge = pending.pop(0)
                col = merge[0] - 1
                active.append((merge, values[col] if col < len(values) else None))
            if active:
                values = _filled(number, values, active)
                active = [(m, v) for m, v in active if m[3] > number]
            yield number, values
    finally:
        wb.close()                     # read-only mode keeps the zip open until closed


def _sheet_rows(ws) -> Iterator[tuple[int, tuple]]:
    number = 0
    try:
        for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
            yield number, values
    except Exception as exc:         # a cut or broken sheet part (XML, zip): openpyxl raises all kinds
        raise FileProblem(f"工作表从第 {number + 1} 行起无法读取，文件可能不完整，请在 Excel 中另存后重新导入 "
                          f"(the sheet can't be read from row {number + 1}: {exc.__class__.__name__}; the file may be "
                          f"cut short: save it again in Excel and import it again)") from None


def _filled(number: int, values: tuple, active: list[tuple[Merge, object]]) -> tuple:
    """A merged cell's value in every row it spans (its first column): the
    region written once for the three dealers below it belongs to each."""
    out = list(values)
    for (col, first, _, _last), value in active:
        if number > first:
            out.extend([None] * (col - len(out)))
            out[col - 1] = value
    return tuple(out)


def _merge_notes(merges: list[Merge], header_row: int, binding: Binding) -> list[str]:
    from openpyxl.utils import get_column_letter
    names = {i + 1: key for key, i in binding.positions.items()}
    notes = [f"合并单元格已向下填充: {names.get(col, get_column_letter(col))} 第 {first}–{last} 行 "
             f"(merged cells filled down: {names.get(col, get_column_letter(col))}, rows {first}–{last})"
             for col, first, _, last in merges if first > header_row]
    if len(notes) > MAX_MERGE_NOTES:
        notes = notes[:MAX_MERGE_NOTES] + [f"… 另有 {len(notes) - MAX_MERGE_NOTES} 处合并单元格 "
                                           f"(and {len(notes) - MAX_MERGE_NOTES} more merged ranges)"]
    return notes


def detect_encoding(path: Path) -> str:
    """The first encoding the whole file decodes in. Decoding incrementally costs
    a pass over the bytes but no memory, and a GBK byte on line 90,000 is
    found before any row is imported rather than halfway through."""
    with open(path, "rb") as fh:
        bom = fh.read(3) == codecs.BOM_UTF8
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(_SNIFF_CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return "utf-8-sig" if encoding == "utf-8" and bom else encoding
    raise FileProblem("无法识别文件编码，请另存为 UTF-8 CSV (neither UTF-8 nor GB18030)")


def _csv_rows(path: Path, encoding: str | None) -> Iterator[tuple[int, tuple]]:
    with open(path, encoding=encoding or "utf-8-sig", newline="") as fh:
        # A record is one spreadsheet row even when a quoted cell spans lines.
        records = csv.reader(fh)
        try:
            for number, values in enumerate(records, start=1):
                yield number, tuple(values)
        except csv.Error as exc:      # a cell past csv's 131,072 characters, a NUL, a stray quote
            line = records.line_num
            raise FileProblem(f"CSV 第 {line} 行无法读取，请检查后重新导出 "
                              f"(line {line} can't be read: {exc}; check it and export the file again)") from None

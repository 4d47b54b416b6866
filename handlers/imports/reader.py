"""Rows out of the files ops people have: Excel workbooks and CSV.

Everything streams: openpyxl's read-only mode parses a sheet row by row, and
a CSV is read line by line, so a 100k-row file never sits in memory. Row
numbers are the ones the spreadsheet shows (the header is row 1), so a
reported "row 17" is the row the person scrolls to.
"""
from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from handlers.imports.cells import is_empty
from handlers.imports.columns import Binding, Column, bind
from handlers.imports.problems import FileProblem

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
# UTF-8 first (what we write, and Excel's "CSV UTF-8"); then GB18030, a superset
# of the GBK that Chinese Excel uses for plain "CSV".
CSV_ENCODINGS = ("utf-8", "gb18030")
_SNIFF_CHUNK = 1 << 20


@dataclass(frozen=True)
class Table:
    """A readable file: which sheet or encoding it is read with. Reading twice is
    allowed (each `rows()` reopens the file)."""
    path: Path
    encoding: str | None = None        # CSV only: utf-8, utf-8-sig (with BOM) or gb18030
    sheet: str | None = None           # Excel only: the sheet read
    sheets: tuple[str, ...] = ()       # Excel only: all the workbook's sheets

    @property
    def is_excel(self) -> bool:
        return self.path.suffix.lower() in EXCEL_SUFFIXES

    def describe(self) -> str:
        return f"sheet {self.sheet}" if self.is_excel else f"encoding {self.encoding}"

    def rows(self) -> Iterator[tuple[int, tuple]]:
        """Every row with its spreadsheet number, the header included."""
        yield from (_excel_rows(self.path, self.sheet) if self.is_excel else _csv_rows(self.path, self.encoding))

    def records(self, columns: tuple[Column, ...]) -> tuple[Binding, Iterator[tuple[int, dict]]]:
        """The binding of the header (FileProblem when a required column is
        missing, before any row is read) and the non-empty data rows after it."""
        rows = self.rows()
        try:
            for _number, header in rows:
                if not all(is_empty(v) for v in header):
                    try:
                        binding = bind(header, columns)
                    except FileProblem as exc:
                        raise FileProblem(f"{exc}{self._other_sheets()}") from None
                    return binding, _data(rows, binding)
            if self.is_excel:
                raise FileProblem(f"工作表 {self.sheet} 是空的{self._other_sheets()} (sheet {self.sheet} is empty)")
            raise FileProblem("文件是空的 (the file has no header row)")
        except BaseException:
            rows.close()                       # release the workbook at once, not at garbage collection
            raise

    def _other_sheets(self) -> str:
        """The usual cause of a wrong header in a workbook: the data is on another sheet."""
        others = [s for s in self.sheets if s != self.sheet]
        return f"；可用 --sheet 选择其他工作表: {'、'.join(others)}" if others else ""


def _data(rows: Iterator[tuple[int, tuple]], binding: Binding) -> Iterator[tuple[int, dict]]:
    for number, values in rows:
        if not all(is_empty(v) for v in values):      # fully empty rows are layout, not data
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
        raise FileProblem("不支持旧版 .xls，请在 Excel 中另存为 .xlsx 或 CSV (old .xls is not supported: save as .xlsx)")
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


def _excel_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, tuple]]:
    from openpyxl import load_workbook
    wb = load_workbook(path, read_only=True, data_only=True)   # data_only: formulas' cached values
    try:
        ws = wb[sheet] if sheet else wb.worksheets[0]
        # The stored dimension is often wrong in files other tools wrote, and
        # read-only mode would stop at it; read to the real end instead.
        ws.reset_dimensions()
        for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
            yield number, values
    finally:
        wb.close()                     # read-only mode keeps the zip open until closed


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
        for number, values in enumerate(csv.reader(fh), start=1):
            yield number, tuple(values)

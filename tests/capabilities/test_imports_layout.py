"""Sheets as people lay them out (units in headers, merged cells, totals and
title rows) and the file formats: XLSX/CSV, encodings, sheets, unreadable files,
dry runs, the audit trail, 5,000 rows."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.imports import FileProblem, open_table
from models import AuditEvent, Customer, Partner
from tests.support.imports import (
    PARTNER_HEADER,
    PARTNERS,
    reason,
    rows_of,
    run,
    write_csv,
    write_xlsx,
)

# ---- sheets laid out for reading: units, merged cells, totals, titles ---------------------

def test_a_unit_in_the_header_bracket_scales_the_column(empty_db, tmp_path):
    header = ["经销商编码", "经销商名称*", "信用额度（万元）"]
    report = run(empty_db, "partners", write_csv(tmp_path / "p.csv", [header, ["P001", "华北医疗有限公司", 300],
                                                                       ["P002", "津门医疗有限公司", "1.5"],
                                                                       ["P003", "沪上医疗有限公司", "50万"]]))
    assert rows_of(report) == [4] and "自带单位" in reason(report, 4) and "万元" in reason(report, 4)
    assert any("信用额度（万元）" in n and "10,000" in n for n in report.notes)
    limits = {p.code: p.credit_limit_yuan for p in empty_db.all(select(Partner))}
    assert limits == {"P001": 3_000_000, "P002": 15_000}


@pytest.mark.parametrize("header", ["信用额度（美元）", "信用额度(USD)", "信用额度（单位：港币）"])
def test_a_unit_that_cannot_be_converted_refuses_the_file(empty_db, tmp_path, header):
    path = write_csv(tmp_path / "p.csv", [["经销商名称", header], ["华北医疗有限公司", 300]])
    with pytest.raises(FileProblem, match="无法换算的单位"):
        run(empty_db, "partners", path)
    assert empty_db.count(Partner) == 0


def test_a_bracket_that_is_no_unit_is_left_alone(empty_db, tmp_path):
    radius = write_csv(tmp_path / "c.csv", [["客户名称", "纬度", "经度", "签到半径（公里）"],
                                            ["北京新建医院", 39.95, 116.3, 0.3]])
    assert run(empty_db, "customers", radius).imported == 1
    assert empty_db.one(select(Customer.radius_m)) == 300
    report = run(empty_db, "partners", write_csv(tmp_path / "p.csv", [["经销商名称", "信用额度（含税）"],
                                                                       ["华北医疗有限公司", 300]]))
    assert report.errors == [] and report.notes == []
    assert empty_db.one(select(Partner.credit_limit_yuan)) == 300


def test_a_region_merged_down_over_three_dealers_reaches_each(empty_db, tmp_path):
    rows = [PARTNER_HEADER,
            ["P001", "华北医疗有限公司", "gold", "河北", "", "", ""],
            ["P002", "冀东医疗有限公司", "gold", None, "", "", ""],
            ["P003", "冀南医疗有限公司", "gold", None, "", "", ""],
            ["P004", "津门医疗有限公司", "silver", "天津", "", "", ""]]
    report = run(empty_db, "partners", write_xlsx(tmp_path / "merged.xlsx", rows, merged=("D2:D4",)))
    assert report.errors == [] and report.imported == 4
    assert {p.code: p.regions for p in empty_db.all(select(Partner))} == {
        "P001": ["河北省"], "P002": ["河北省"], "P003": ["河北省"], "P004": ["天津市"]}
    assert any("合并单元格" in n and "第 2–4 行" in n and "regions" in n for n in report.notes)


@pytest.mark.parametrize("label", ["合计", "小计", "总计", "合 计", "Total", "合计："])
def test_a_totals_row_is_skipped_and_the_report_says_so(empty_db, tmp_path, label):
    rows = [PARTNER_HEADER, PARTNERS[1], PARTNERS[2], ["", label, "", "", "", "", "50万"]]
    report = run(empty_db, "partners", write_xlsx(tmp_path / "p.xlsx", rows))
    assert report.errors == [] and report.imported == 2 and report.rows == 2
    assert [(n, "合计行" in why) for n, why in report.warnings] == [(4, True)]
    assert sorted(empty_db.all(select(Partner.name))) == ["华北医疗有限公司", "津门医疗有限公司"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_title_row_above_the_header_is_found_past(empty_db, tmp_path, fmt):
    rows = [["2026年度经销商名单"], ["制表：渠道部", None, None, "2026-01-05"], [], PARTNER_HEADER, PARTNERS[1],
            PARTNERS[4]]
    path = (write_xlsx(tmp_path / "titled.xlsx", rows, merged=("A1:G1",)) if fmt == "xlsx"
            else write_csv(tmp_path / "titled.csv", rows))
    report = run(empty_db, "partners", path)
    assert rows_of(report) == [6] and report.imported == 1          # row numbers as the sheet shows them
    assert any("表头在第 4 行" in n for n in report.notes)
    assert empty_db.one(select(Partner.code)) == "P001"


def test_a_header_lacking_a_column_is_still_named_when_titles_stand_above_it(empty_db, tmp_path):
    rows = [["2026年度经销商名单"], ["经销商编码", "地址"], ["P001", "北京"]]
    with pytest.raises(FileProblem, match="缺少必填列: 经销商名称"):
        run(empty_db, "partners", write_csv(tmp_path / "p.csv", rows))


# ---- file formats ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "utf-8-sig", "utf-8", "gb18030"])
def test_the_same_rows_from_xlsx_and_csv_in_any_encoding(empty_db, tmp_path, fmt):
    rows = [PARTNER_HEADER, PARTNERS[1], [], PARTNERS[4]]          # an empty row 3, a bad row 4
    path = (write_xlsx(tmp_path / "p.xlsx", rows) if fmt == "xlsx"
            else write_csv(tmp_path / "p.csv", rows, encoding=fmt))
    report = run(empty_db, "partners", path)
    assert rows_of(report) == [4] and report.imported == 1 and report.rows == 2
    assert (report.sheet, report.encoding) == (("数据", None) if fmt == "xlsx" else (None, fmt))
    assert empty_db.one(select(Partner.name).where(Partner.code == "P001")) == "华北医疗有限公司"


def test_sheets_are_chosen_by_name(empty_db, tmp_path):
    path = write_xlsx(tmp_path / "p.xlsx", [PARTNER_HEADER, PARTNERS[1]], sheet="经销商", before=("封面",))
    with pytest.raises(FileProblem, match=r"工作表 封面 是空的.*--sheet.*经销商"):
        run(empty_db, "partners", path)                           # the first sheet is the cover
    assert run(empty_db, "partners", path, sheet="经销商").imported == 1
    with pytest.raises(FileProblem, match=r"没有工作表 价格.*封面、经销商"):
        open_table(path, "价格")


@pytest.mark.parametrize("name, content, why", [
    ("p.xls", b"\xd0\xcf\x11\xe0", "old .xls"), ("p.json", b"{}", "use .xlsx"),
    ("p.xlsx", b"not a zip", "not a readable workbook"), ("p.csv", b"", "no header row"),
    ("p.csv", "名称\n".encode("utf-16"), "neither UTF-8 nor GB18030"),
])
def test_files_that_cannot_be_read(empty_db, tmp_path, name, content, why):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileProblem, match=why):
        run(empty_db, "partners", path)


def test_a_csv_cell_past_csv_s_limit_names_its_line(empty_db, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(",".join(PARTNER_HEADER) + "\nP1,甲公司\nP2,\"" + "京" * 140_000 + "\"\n", encoding="utf-8")
    with pytest.raises(FileProblem, match="CSV 第 3 行无法读取"):
        run(empty_db, "partners", path)
    assert empty_db.count(Partner) == 0


def test_a_workbook_cut_short_says_from_which_row(empty_db, tmp_path):
    import zipfile
    whole = write_xlsx(tmp_path / "whole.xlsx", PARTNERS + PARTNERS[1:] * 60)
    cut = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(whole) as src, zipfile.ZipFile(cut, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[:len(data) * 2 // 3] if item.filename.startswith("xl/worksheets/") else data)
    with pytest.raises(FileProblem, match="无法读取"):
        run(empty_db, "partners", cut)
    assert empty_db.count(Partner) == 0


def test_a_dry_run_reports_everything_and_writes_nothing(empty_db, tmp_path):
    path = write_csv(tmp_path / "p.csv", PARTNERS[:4])
    report = run(empty_db, "partners", path, dry_run=True, batch=1)
    assert (report.imported, rows_of(report), report.dry_run) == (2, [4], True)
    assert empty_db.count(Partner) == 0 and empty_db.count(AuditEvent) == 0
    assert run(empty_db, "partners", path).imported == 2


def test_one_audit_event_per_run(empty_db, tmp_path):
    run(empty_db, "partners", write_csv(tmp_path / "p.csv", PARTNERS[:4]), batch=1)
    [event] = empty_db.all(select(AuditEvent))
    assert (event.action, event.entity_type, event.actor, event.entity_id) == \
           ("import.partners", "import", "import", "p.csv")
    assert (event.after["imported"], event.after["bad_rows"], event.after["rows"]) == (2, 1, 3)


def test_five_thousand_partners_from_xlsx(empty_db, tmp_path):
    provinces = ["北京", "天津", "河北", "山西", "上海", "江苏", "浙江", "广东"]
    rows = [PARTNER_HEADER] + [[f"P{i:05d}", f"测试{i:05d}医疗器械有限公司", ("gold", "silver", "standard")[i % 3],
                                "|".join(provinces[i % 8:i % 8 + 2]), "超声", f"某市某路{i}号", (i % 50) * 10000]
                               for i in range(5000)]
    path = write_xlsx(tmp_path / "5000.xlsx", rows)
    seen = []
    report = run(empty_db, "partners", path, progress=lambda phase, n: seen.append((phase, n)))
    assert (report.rows, report.imported, report.errors) == (5000, 5000, [])
    assert ("read", 5000) in seen and ("write", 5000) in seen and len(seen) >= 10
    assert empty_db.count(Partner) == 5000
    assert empty_db.one(select(Partner.regions).where(Partner.code == "P00004")) == ["上海市", "江苏省"]
    again = run(empty_db, "partners", path)
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 5000)

"""What the import tests share: a database with or without the demo organisation,
spreadsheets written on the fly, and reading a run's report."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.app import prepare_database
from bot.seed import seed_demo
from handlers.imports import kind_named, open_table, run_import
from models.db import make_engine, make_session_factory

ROOT = Path(__file__).resolve().parents[2]


# ---- a database, with or without the demo organisation --------------------------

@dataclass
class Db:
    engine: object
    factory: object
    clock: object

    def count(self, model, *where) -> int:
        with self.factory() as s:
            return s.execute(select(func.count()).select_from(model).where(*where)).scalar()

    def one(self, stmt):
        with self.factory() as s:
            return s.execute(stmt).scalar_one()

    def all(self, stmt):
        with self.factory() as s:
            return s.execute(stmt).scalars().all()


def make_db(url, clock, settings, demo: bool) -> Db:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    prepare_database(engine, factory, clock, settings)
    if demo:
        with factory() as s, s.begin():
            seed_demo(s, clock)
    return Db(engine, factory, clock)


@pytest.fixture
def empty_db(empty_db_url, clock, base_settings):
    db = make_db(empty_db_url, clock, base_settings, demo=False)
    yield db
    db.engine.dispose()


@pytest.fixture
def demo_db(db_url, clock, base_settings):
    db = make_db(db_url, clock, base_settings, demo=False)     # the copied template has the demo organisation
    yield db
    db.engine.dispose()


# ---- files ----------------------------------------------------------------------

def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], sheet: str = "数据", before: tuple[str, ...] = (),
               merged: tuple[str, ...] = ()) -> Path:
    wb = Workbook()
    wb.active.title = before[0] if before else sheet
    for name in before[1:]:
        wb.create_sheet(name)
    ws = wb.create_sheet(sheet) if before else wb.active
    for row in rows:
        ws.append(row)
    for cells_range in merged:
        ws.merge_cells(cells_range)
    wb.save(path)
    return path


def run(db: Db, kind: str, path: Path, sheet: str | None = None, **kw):
    return run_import(db.factory, kind_named(kind), open_table(path, sheet), clock=db.clock, **kw)


def rows_of(report) -> list[int]:
    return [n for n, _ in report.errors]


def reason(report, row: int) -> str:
    return next(r for n, r in report.errors if n == row)


# ---- a partner sheet several tests start from ----------------------------------

PARTNER_HEADER = ["经销商编码", "经销商名称*", "价格等级", "授权区域", "授权产品线", "地址", "信用额度（元）"]
PARTNERS = [
    PARTNER_HEADER,
    ["P001", "华北医疗有限公司", "金牌", "北京|河北省", "超声|监护", "北京市海淀区", "50万"],
    ["P002", "津门医疗有限公司", "silver", "天津", "超声", "", ""],
    ["P003", "", "gold", "北京", "", "", ""],
    ["P004", "沪上医疗有限公司", "platinum", "上海", "", "", ""],
    ["P005", "冀中医疗有限公司", "standard", "石家庄", "", "", ""],
    ["P006", "火星医疗有限公司", "standard", "火星", "", "", ""],
    ["P007", "负额医疗有限公司", "standard", "北京", "", "", "-1"],
    ["P008", "新线医疗有限公司", "standard", "北京", "核磁", "", ""],
    ["P009", "数字医疗有限公司", "标准", "北京、广西", "", "", "abc"],
    ["P010", "北京华信医疗科技有限公司", "standard", "北京", "", "", ""],     # the demo's P-BJ-HX
]

"""Customers [credit code, else canonical name key]: hospitals and other end
customers, filed in the candidate index so registrations find them.

This kind is benchmarked at a million rows (bench/matchbench), so it stays
lean: parsing a row is a few strips and one regex; the matcher's analysis
(the expensive part, ~150 µs a row) runs once per row, in the write pass;
each batch is one keyed SELECT, one multi-row INSERT of the new customers,
one SELECT of their ids and one INSERT of their tokens.

Unlike the other kinds an empty cell never clears a stored value: customers
are also created and enriched from chat, and a bare name list must not wipe
addresses or coordinates that someone added since.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from domain.geo import BD09, GCJ02, WGS84
from domain.matching import analyse, region_of
from domain.matching.text import has_cjk
from handlers.customers.search import CREDIT_CODE, MAX_NAME_CHARS, alias_key, index_customer, tokens_for
from handlers.imports import cells
from handlers.imports.columns import Column
from handlers.imports.kind import Kind, Run, later_wins
from handlers.imports.problems import RowProblem, said
from models import Customer, CustomerAlias, CustomerToken

MAX_ADDRESS_CHARS = 300
STATS_AFTER_ROWS = 10_000
RADIUS_M = range(10, 5001)
SYSTEMS = {"gcj02": GCJ02, "gcj-02": GCJ02, "高德": GCJ02, "腾讯": GCJ02, "火星坐标": GCJ02,
           "wgs84": WGS84, "wgs-84": WGS84, "gps": WGS84, "bd09": BD09, "bd-09": BD09, "百度": BD09}
# What an update may change on a stored customer (the name and key never change).
UPDATABLE = ("english_name", "address", "credit_code", "region", "lat", "lng", "coord_system", "radius_m")


@dataclass(slots=True)
class CustomerRow:
    number: int
    name: str
    address: str | None
    credit_code: str | None
    aliases: list[str]
    english_name: str | None = None
    lat: float | None = None
    lng: float | None = None
    coord_system: str | None = None
    radius_m: int | None = None
    # Filled in the write pass by the matcher:
    key: str = ""
    city: str | None = None
    region: str | None = None
    tokens: list[str] | tuple = ()

    def __reduce__(self):
        # Parked in the spool as a plain tuple of what was read: a quarter of
        # the cost of pickling the instance, which matters at a million rows.
        return (CustomerRow, (self.number, self.name, self.address, self.credit_code, self.aliases,
                              self.english_name, self.lat, self.lng, self.coord_system, self.radius_m))


class Customers(Kind):
    name = "customers"
    title_zh, title_en = "客户", "customers"
    columns = (
        Column("name", "客户名称", True, ("名称", "医院名称"), "客户全称，不超过 100 字",
               "the customer's full name (≤ 100 characters)"),
        Column("english_name", "英文名", False, ("英文名称", "english"),
               "官方英文名（可选），英文或拼音报备时据此判重，如 Peking Union Medical College Hospital",
               "the official English name (optional): English and pinyin registrations are checked against it"),
        Column("address", "地址", False, (), "地址；也用来判断客户所在省份",
               "address; also tells the customer's province"),
        Column("credit_code", "统一社会信用代码", False, ("信用代码",),
               "18 位统一社会信用代码（可选），最可靠的对应依据",
               "18-character unified social credit code (optional): the surest key"),
        Column("aliases", "别名", False, ("简称",), "常用简称，用 | 或 、 分隔，如 协和|北京协和",
               "short names people use, separated by | or 、"),
        Column("lat", "纬度", False, ("latitude",), "签到围栏中心的纬度（可选）",
               "latitude of the check-in point (optional)"),
        Column("lng", "经度", False, ("longitude", "lon"), "签到围栏中心的经度（可选，与纬度一起填）",
               "longitude of the check-in point (with lat)"),
        Column("coord_system", "坐标系", False, ("坐标类型",), "gcj02（高德/腾讯，默认）、wgs84（GPS）或 bd09（百度）",
               "gcj02 (AMap/Tencent, default), wgs84 (GPS) or bd09 (Baidu)"),
        Column("radius_m", "签到半径", False, ("半径", "geofence"), "签到围栏半径，10–5000 米；留空用规则默认值",
               "check-in geofence radius, 10–5000 m; empty: the rules' default", unit="米"),
    )

    def parse(self, number: int, c: dict) -> CustomerRow:
        name = cells.text(c.get("name"))
        if not name:
            raise RowProblem("客户名称为空 (name is empty)")
        if len(name) > MAX_NAME_CHARS:
            raise RowProblem(f"客户名称超过 {MAX_NAME_CHARS} 字 (name too long)")
        code = (cells.text(c.get("credit_code")) or "").upper() or None
        if code and not CREDIT_CODE.fullmatch(code):
            raise RowProblem(f"统一社会信用代码格式不对: {said(code)} (bad credit code)")
        aliases = cells.items(c.get("aliases")) if "aliases" in c else []
        if any(len(a) > MAX_NAME_CHARS for a in aliases):
            raise RowProblem("别名过长 (alias too long)")
        address = cells.text(c.get("address"))
        english = cells.text(c.get("english_name"))
        if english and len(english) > MAX_NAME_CHARS:
            raise RowProblem(f"英文名超过 {MAX_NAME_CHARS} 个字符 (english_name too long)")
        if english and has_cjk(english):
            raise RowProblem(f"英文名里有中文: {said(english)} (english_name must be in Latin letters)")
        row = CustomerRow(number, name, address[:MAX_ADDRESS_CHARS] if address else None, code, aliases,
                          english or None)
        if "lat" in c or "lng" in c or "radius_m" in c:
            self._geofence(row, c)
        return row

    def _geofence(self, row: CustomerRow, c: dict) -> None:
        lat, lng = self.cell(c, "lat", cells.decimal_degrees), self.cell(c, "lng", cells.decimal_degrees)
        if (lat is None) != (lng is None):
            raise RowProblem("纬度和经度要一起填写 (lat and lng go together)")
        if lat is not None:
            if not (-90 <= lat <= 90 and -180 <= lng <= 180):
                raise RowProblem(f"经纬度超出范围: {lat}, {lng} (lat within ±90, lng within ±180)")
            row.lat, row.lng = lat, lng
            row.coord_system = self.cell(c, "coord_system",
                                         lambda v: cells.choice(v, SYSTEMS, "坐标系", "coord_system")) or GCJ02
        radius = self.cell(c, "radius_m", cells.integer)
        if radius is not None and radius not in RADIUS_M:
            raise RowProblem(f"签到半径应在 10–5000 米: {radius} (radius_m must be 10–5000)")
        row.radius_m = radius

    def merge(self, earlier: CustomerRow, later: CustomerRow) -> CustomerRow:
        """An empty cell means "not known" here, so the earlier row's values
        fill the later row's gaps (its aliases are kept too)."""
        for attr in ("english_name", "address", "credit_code", "lat", "lng", "coord_system", "radius_m", "region",
                     "city"):
            if getattr(later, attr) is None:
                setattr(later, attr, getattr(earlier, attr))
        later.aliases = list(dict.fromkeys([*earlier.aliases, *later.aliases]))
        return later

    def superseded(self, later: int) -> str:
        return (f"与第 {later} 行是同一客户，已合并，不同之处以第 {later} 行为准 "
                f"(same customer as row {later}: merged, the later row wins where they differ)")

    def keys(self, row: CustomerRow) -> tuple:
        # Cheap keys only (pass 1 must not run the matcher): the same code, or the
        # same name as written. Spellings that differ but mean the same customer
        # are caught per batch once the matcher has run (see write).
        return (("name", row.name),) + ((("code", row.credit_code),) if row.credit_code else ())

    def write(self, s: Session, rows: list[CustomerRow], run: Run) -> None:
        report = run.report
        for row in rows:
            _analyse(row)
        keys = {r.key for r in rows}
        codes = {r.credit_code for r in rows if r.credit_code}
        existing = {c.name_key: c for c in s.execute(select(Customer).where(Customer.name_key.in_(keys))).scalars()}
        by_code = {c.credit_code: c for c in s.execute(
            select(Customer).where(Customer.credit_code.in_(codes))).scalars()} if codes else {}
        target = {r.number: (by_code.get(r.credit_code) if r.credit_code else None) or existing.get(r.key)
                  for r in rows}
        # Rows of this batch that are one customer (北京协和医院 / 北京市协和医院):
        # merged, the later winning where they differ, as for repeated keys.
        rows = later_wins(rows, lambda r: ("id", target[r.number].id) if target[r.number] else ("key", r.key),
                          report, self.superseded, self.merge)
        fresh = later_wins([r for r in rows if target[r.number] is None],
                           lambda r: ("code", r.credit_code) if r.credit_code else ("row", r.number),
                           report, self.superseded, self.merge)
        for row in rows:
            stored = target[row.number]
            if stored is not None:
                english_before = stored.english_name
                changed = _update(stored, row)
                if stored.english_name != english_before:
                    index_customer(s, stored)        # filed under its new English name
                report.count("updated" if changed else "unchanged")
        if fresh:
            _insert(s, {r.key: r for r in fresh}, run.now, report)
        report.extra["aliases"] = report.extra.get("aliases", 0) + _aliases(s, rows, run.now)

    def finish(self, factory: sessionmaker[Session], run: Run) -> None:
        if run.report.imported >= STATS_AFTER_ROWS:
            _refresh_statistics(factory)

    def example(self, demo: dict) -> dict[str, object]:
        c = demo["customers"][0]
        return {"name": c["name"], "english_name": c.get("english_name", ""), "address": c["address"],
                "credit_code": "", "aliases": "协和医院北京|北京协和",
                "lat": c["lat"], "lng": c["lng"], "coord_system": GCJ02, "radius_m": 300}


def _analyse(row: CustomerRow) -> None:
    parts = analyse(row.name)
    row.key, row.city, row.tokens = parts.key, parts.city, tokens_for(parts, row.english_name)
    row.region = (region_of(row.address) if row.address else None) or parts.region


def _insert(s: Session, fresh: dict[str, CustomerRow], now: datetime, report) -> None:
    # Core executemany, then one keyed SELECT for the ids: the ORM's bulk
    # INSERT … RETURNING spends quadratic time splicing rows back together.
    s.execute(insert(Customer.__table__), [
        {"name": r.name, "english_name": r.english_name, "name_key": r.key, "region": r.region, "city": r.city,
         "address": r.address,
         "credit_code": r.credit_code, "lat": r.lat, "lng": r.lng, "coord_system": r.coord_system,
         "radius_m": r.radius_m, "source": "import", "created_at": now} for r in fresh.values()
    ])
    ids = s.execute(select(Customer.id, Customer.name_key).where(Customer.name_key.in_(fresh))).all()
    token_rows = [{"token": tok, "customer_id": cid} for cid, key in ids for tok in fresh[key].tokens]
    if token_rows:
        s.execute(insert(CustomerToken.__table__), token_rows)
    report.imported += len(ids)


def _update(customer: Customer, row: CustomerRow) -> bool:
    """Fill in what the row knows and the customer lacks or has differently;
    an empty cell changes nothing."""
    changed = False
    for attr in UPDATABLE:
        value = getattr(row, attr)
        if value is not None and getattr(customer, attr) != value:
            setattr(customer, attr, value)
            changed = True
    return changed


def _aliases(s: Session, rows: list[CustomerRow], now: datetime) -> int:
    wanted = {alias: row.name for row in rows for alias in row.aliases}
    if not wanted:
        return 0
    have = set(s.execute(select(CustomerAlias.alias).where(CustomerAlias.alias.in_(wanted))).scalars())
    new = [{"alias": a, "alias_key": alias_key(a), "full_name": full, "created_by": "import", "created_at": now}
           for a, full in wanted.items() if a not in have]
    if new:
        s.execute(insert(CustomerAlias.__table__), new)
    return len(new)


def _refresh_statistics(factory: sessionmaker[Session]) -> None:
    """Right after a bulk load PostgreSQL has no statistics to plan with, and no
    visibility map, so every index-only read of the token index still visits the
    table; autovacuum would fix both later, competing with the first lookups for
    the CPU. Do it now, while the import is the only thing going on. (VACUUM
    can't run inside a transaction: an autocommit connection of its own.)"""
    with factory() as s:
        engine = s.get_bind()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE) customers, customer_tokens, customer_aliases"))
    else:
        with factory() as s, s.begin():
            s.execute(text("PRAGMA optimize"))

"""Products [sku]: the catalogue orders are priced and checked against."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.imports import cells
from handlers.imports.columns import Column
from handlers.imports.kind import Kind, Row, Run, upsert
from handlers.imports.problems import RowProblem
from handlers.imports.refs import sku_cell
from models import Product

MAX_NAME = 100
MAX_LINE = 40


class Products(Kind):
    name = "products"
    title_zh, title_en = "产品", "products"
    columns = (
        Column("sku", "产品编码", True, ("物料号", "型号编码", "编码"),
               "产品编码：字母加 2–5 位数字，如 A100、CT-2000；自动转成大写",
               "SKU: letters then 2–5 digits (A100, CT-2000), upper-cased"),
        Column("name", "产品名称", True, ("名称", "品名"), "产品名称", "product name"),
        Column("line", "产品线", True, ("product_line",), "产品线，如 超声、监护；经销商的资质按产品线授予",
               "product line (超声, 监护): partners are qualified per line"),
        Column("list_price", "目录价", True, ("价格", "单价", "price"), "目录价，大于 0；可写 9.8万、¥98,000",
               "list price in yuan, > 0; 9.8万 and ¥98,000 are read", unit="元"),
        Column("moq", "最小起订量", False, ("起订量", "min_qty"), "每个订单行的最小数量，至少 1，默认 1",
               "minimum quantity per order line, ≥ 1, default 1"),
        Column("pack_size", "包装数量", False, ("包装", "pack"), "订货数量须为其倍数，至少 1，默认 1",
               "orders come in multiples of this, ≥ 1, default 1"),
        Column("cost", "标准成本", False, ("成本",), "标准成本（可选），用于特价审批显示毛利",
               "standard cost (optional), shows the margin on special-price cards", unit="元"),
        Column("aliases", "别名", False, ("俗称",), "经销商常用的叫法，用 | 或 、 分隔，如 彩超|B超",
               "words dealers use for it, separated by | or 、"),
        Column("active", "在售", False, ("启用", "是否在售"), "是/否，默认 是；停售的产品不能下单",
               "yes/no, default yes; discontinued products can't be ordered"),
    )

    def parse(self, number: int, c: dict) -> Row:
        values = {"sku": self.required(c, "sku", sku_cell), "name": self.required(c, "name", cells.text),
                  "line": self.required(c, "line", cells.text)}
        price = self.required(c, "list_price", cells.money)
        if price <= 0:
            raise RowProblem(f"目录价必须大于 0: {price} (list_price must be > 0)")
        values["list_price"] = price
        if len(values["name"]) > MAX_NAME or len(values["line"]) > MAX_LINE:
            raise RowProblem(f"名称或产品线过长 (name ≤ {MAX_NAME}, line ≤ {MAX_LINE} characters)")
        for key, what in (("moq", "最小起订量"), ("pack_size", "包装数量")):
            if key in c:
                n = self.cell(c, key, cells.integer)
                if n is not None and n < 1:
                    raise RowProblem(f"{what}至少为 1: {n} ({key} must be ≥ 1)")
                values[key] = n or 1
        if "cost" in c:
            cost = self.cell(c, "cost", cells.money)
            if cost is not None and cost < 0:
                raise RowProblem(f"标准成本不能为负: {cost} (cost must be ≥ 0)")
            values["cost_yuan"] = cost
        if "aliases" in c:
            values["aliases"] = self.cell(c, "aliases", cells.items)
        if "active" in c:
            active = self.cell(c, "active", cells.flag)
            values["active"] = True if active is None else active
        return Row(number, values)

    def keys(self, row: Row) -> tuple:
        return (row.values["sku"],)

    def write(self, session: Session, rows: list[Row], run: Run) -> None:
        skus = {r.values["sku"] for r in rows}
        have = {p.sku: p for p in session.execute(select(Product).where(Product.sku.in_(skus))).scalars()}
        for row in rows:
            upsert(session, have.get(row.values["sku"]), Product, row.values, run.report)

    def example(self, demo: dict) -> dict[str, object]:
        p = demo["products"][0]
        return {"sku": p["sku"], "name": p["name"], "line": p["line"], "list_price": p["list_price"],
                "moq": p.get("moq", 1), "pack_size": p.get("pack_size", 1), "cost": p.get("cost", ""),
                "aliases": "|".join(p.get("aliases", [])), "active": "是"}

"""Stock [sku]: what can ship now, as the warehouse reports it."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.imports import cells
from handlers.imports.columns import Column
from handlers.imports.kind import Kind, Row, Run
from handlers.imports.problems import RowProblem, said
from handlers.imports.refs import known_skus, sku_cell
from models import StockLevel


class Stock(Kind):
    name = "stock"
    title_zh, title_en = "库存", "stock"
    columns = (
        Column("sku", "产品编码", True, ("物料号", "编码"), "产品编码，须已导入", "SKU; the product must exist"),
        Column("qty", "可发货数量", True, ("数量", "库存", "qty_available"), "现在可发货的数量，不小于 0 的整数",
               "quantity that can ship now, a whole number ≥ 0"),
    )

    def parse(self, number: int, c: dict) -> Row:
        sku = self.required(c, "sku", sku_cell)
        qty = self.required(c, "qty", cells.integer)
        if qty < 0:
            raise RowProblem(f"数量不能为负: {qty} (qty must be ≥ 0)")
        return Row(number, {"sku": sku, "qty_available": qty})

    def keys(self, row: Row) -> tuple:
        return (row.values["sku"],)

    def write(self, session: Session, rows: list[Row], run: Run) -> None:
        report = run.report
        wanted = {r.values["sku"] for r in rows}
        skus = known_skus(session, wanted)
        have = {s.sku: s for s in session.execute(select(StockLevel).where(StockLevel.sku.in_(wanted))).scalars()}
        for row in rows:
            sku, qty = row.values["sku"], row.values["qty_available"]
            level = have.get(sku)
            if sku not in skus:
                report.error(row.number, f"产品不存在: {said(sku)} (no such SKU)")
            elif level is None:
                session.add(StockLevel(sku=sku, qty_available=qty, updated_at=run.now))
                report.count("imported")
            elif level.qty_available != qty:
                level.qty_available, level.updated_at = qty, run.now
                report.count("updated")
            else:
                report.count("unchanged")

    def example(self, demo: dict) -> dict[str, object]:
        return {"sku": demo["products"][0]["sku"], "qty": 20}

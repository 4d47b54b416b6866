"""Price lists [scope, sku]: a price per SKU for a whole tier or one partner.

Stored as PriceListEntry with scope "tier:<tier>" or "partner:<partner id>",
the scopes order pricing looks up.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.imports import cells
from handlers.imports.columns import Binding, Column
from handlers.imports.kind import Kind, Row, Run, duplicate_reason, later_wins
from handlers.imports.partners import TIERS
from handlers.imports.problems import FileProblem, RowProblem, said
from handlers.imports.refs import known_skus, partners_by_ref, sku_cell
from models import PriceListEntry


class Prices(Kind):
    name = "prices"
    title_zh, title_en = "价格表", "price lists"
    columns = (
        Column("sku", "产品编码", True, ("物料号", "编码"), "产品编码，须已导入", "SKU; the product must exist"),
        Column("price", "价格", True, ("单价", "协议价"), "价格，大于 0；可写 9.5万",
               "price in yuan, > 0", unit="元"),
        Column("tier", "价格等级", False, ("等级",), "gold/silver/standard（金牌/银牌/标准）；与 所属经销商 二选一",
               "the tier this price is for; fill either tier or partner"),
        Column("partner", "经销商", False, ("经销商编码", "经销商名称"),
               "经销商编码或名称（该经销商的专属价）；与 价格等级 二选一",
               "a partner's code or name (its own price); fill either tier or partner"),
    )

    def check_binding(self, binding: Binding) -> None:
        if not (binding.present("tier") or binding.present("partner")):
            raise FileProblem("缺少 价格等级 或 经销商 列 (need a tier or a partner column)")

    def parse(self, number: int, c: dict) -> Row:
        sku = self.required(c, "sku", sku_cell)
        price = self.required(c, "price", cells.money)
        if price <= 0:
            raise RowProblem(f"价格必须大于 0: {price} (price must be > 0)")
        tier = self.cell(c, "tier", lambda v: cells.choice(v, TIERS, "价格等级", "tier"))
        partner = self.cell(c, "partner", cells.text)
        if tier and partner:
            raise RowProblem("价格等级 和 经销商 只能填一个 (fill either tier or partner, not both)")
        if not (tier or partner):
            raise RowProblem("价格等级 和 经销商 须填一个 (fill tier or partner)")
        return Row(number, {"sku": sku, "price_yuan": price}, {"tier": tier, "partner": partner})

    def keys(self, row: Row) -> tuple:
        return ((row.refs["tier"] or "", row.refs["partner"] or "", row.values["sku"]),)

    def write(self, session: Session, rows: list[Row], run: Run) -> None:
        report = run.report
        skus = known_skus(session, {r.values["sku"] for r in rows})
        partners = partners_by_ref(session, {r.refs["partner"] for r in rows if r.refs["partner"]})
        scoped: list[Row] = []
        for row in rows:
            if row.values["sku"] not in skus:
                report.error(row.number, f"产品不存在: {said(row.values['sku'])} (no such SKU)")
            elif row.refs["partner"] and row.refs["partner"] not in partners:
                report.error(row.number, f"经销商不存在: {said(row.refs['partner'])} "
                                         f"(no partner with this code or name)")
            else:
                ref = row.refs["partner"]
                row.values["scope"] = f"partner:{partners[ref].id}" if ref else f"tier:{row.refs['tier']}"
                scoped.append(row)
        # One partner named by code in one row and by name in another: one price.
        scoped = later_wins(scoped, lambda r: (r.values["scope"], r.values["sku"]), report,
                            lambda later: duplicate_reason(later, "是同一经销商同一产品",
                                                           "the same partner and SKU as"))
        scopes = {r.values["scope"] for r in scoped}
        have = {(e.scope, e.sku): e for e in session.execute(
            select(PriceListEntry).where(PriceListEntry.scope.in_(scopes),
                                         PriceListEntry.sku.in_({r.values["sku"] for r in scoped}))).scalars()}
        for row in scoped:
            entry = have.get((row.values["scope"], row.values["sku"]))
            if entry is None:
                session.add(PriceListEntry(**row.values, updated_at=run.now))
                report.count("imported")
            elif entry.price_yuan != row.values["price_yuan"]:
                entry.price_yuan, entry.updated_at = row.values["price_yuan"], run.now
                report.count("updated")
            else:
                report.count("unchanged")

    def example(self, demo: dict) -> dict[str, object]:
        p = demo["products"][0]
        return {"sku": p["sku"], "price": round(p["list_price"] * 0.9), "tier": "gold", "partner": ""}

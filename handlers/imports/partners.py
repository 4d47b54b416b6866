"""Partners [code, else name]: dealers and agents, their territory, qualified
product lines, price tier and credit line."""
from __future__ import annotations

from sqlalchemy import distinct, or_, select
from sqlalchemy.orm import Session

from handlers.imports import cells
from handlers.imports.columns import Column
from handlers.imports.kind import Kind, Row, Run, apply
from handlers.imports.problems import RowProblem, said
from handlers.imports.regions import provinces
from models import Partner, Product

MAX_NAME = 200
MAX_CODE = 40
TIERS = {"gold": "gold", "金牌": "gold", "silver": "silver", "银牌": "silver", "standard": "standard",
         "标准": "standard"}


class Partners(Kind):
    name = "partners"
    title_zh, title_en = "经销商", "partners"
    columns = (
        Column("code", "经销商编码", False, ("编码", "erp编码", "客户编码"),
               "ERP 中的经销商编码（建议填写）；有编码按编码对应，否则按名称",
               "the partner's ERP code; matched by code, else by name"),
        Column("name", "经销商名称", True, ("名称", "公司名称"), "经销商全称", "the partner's full name"),
        Column("tier", "价格等级", False, ("等级", "级别"), "gold/silver/standard 或 金牌/银牌/标准，默认 standard",
               "price tier: gold/silver/standard (金牌/银牌/标准), default standard"),
        Column("regions", "授权区域", False, ("区域", "省份", "territory"),
               "授权的省级区域，用 | 或 、 分隔，如 北京|河北（写 北京 或 北京市 均可）",
               "province-level territory, separated by | or 、 (北京 or 北京市)"),
        Column("product_lines", "授权产品线", False, ("产品线", "资质"),
               "有资质的产品线，用 | 或 、 分隔，须是产品表中已有的产品线",
               "qualified product lines, separated by |; must exist among the products"),
        Column("address", "地址", False, ("收货地址",), "默认收货地址", "default ship-to address"),
        Column("credit_limit", "信用额度", False, ("授信额度", "credit"),
               "信用额度，不小于 0；留空表示未设额度；可写 50万",
               "credit line in yuan, ≥ 0; empty: none set up; 50万 is read", unit="元"),
    )

    def parse(self, number: int, c: dict) -> Row:
        name = self.required(c, "name", cells.text)
        code = self.cell(c, "code", cells.text)
        if len(name) > MAX_NAME or (code and len(code) > MAX_CODE):
            raise RowProblem(f"名称或编码过长 (name ≤ {MAX_NAME}, code ≤ {MAX_CODE} characters)")
        values: dict = {"name": name}
        if code:                       # an empty code never clears the one a partner has
            values["code"] = code
        if "tier" in c:
            values["tier"] = self.cell(c, "tier", lambda v: cells.choice(v, TIERS, "价格等级", "tier")) or "standard"
        if "regions" in c:
            values["regions"] = self.cell(c, "regions", lambda v: provinces(cells.items(v)))
        if "product_lines" in c:
            values["product_lines"] = self.cell(c, "product_lines", cells.items)
        if "address" in c:
            address = self.cell(c, "address", cells.text)
            values["address"] = address[:300] if address else None
        if "credit_limit" in c:
            limit = self.cell(c, "credit_limit", cells.money)
            if limit is not None and limit < 0:
                raise RowProblem(f"信用额度不能为负: {limit} (credit_limit must be ≥ 0)")
            values["credit_limit_yuan"] = limit
        return Row(number, values)

    def keys(self, row: Row) -> tuple:
        code = row.values.get("code")
        return (("name", row.values["name"]),) + ((("code", code),) if code else ())

    def start(self, session: Session, run: Run) -> None:
        lines = set(session.execute(select(distinct(Product.line))).scalars())
        run.state["lines"] = lines
        if not lines and run.binding.present("product_lines"):
            run.report.note("尚未导入产品，未检查授权产品线 (no products loaded yet: product lines not checked)")

    def write(self, session: Session, rows: list[Row], run: Run) -> None:
        report, lines = run.report, run.state["lines"]
        codes = {r.values["code"] for r in rows if "code" in r.values}
        names = {r.values["name"] for r in rows}
        found = session.execute(
            select(Partner).where(or_(Partner.code.in_(codes), Partner.name.in_(names)))).scalars().all()
        by_code = {p.code: p for p in found if p.code}
        by_name = {p.name: p for p in found}
        for row in rows:
            v = row.values
            unknown = [line for line in v.get("product_lines", ()) if lines and line not in lines]
            if unknown:
                report.error(row.number, f"产品线不存在: {said('、'.join(unknown))} (unknown product line; "
                                         f"known: {'、'.join(sorted(lines))})")
                continue
            target = by_code.get(v.get("code"))
            holder = by_name.get(v["name"])
            if target is None:
                # No partner with this code (or no code): the name decides, unless
                # that name belongs to a partner with another code.
                if holder is not None and "code" in v and holder.code and holder.code != v["code"]:
                    report.error(row.number, f"名称已被编码为 {holder.code} 的经销商使用 "
                                             f"(name belongs to partner {holder.code})")
                    continue
                target = holder
            elif holder is not None and holder is not target:
                report.error(row.number, f"名称已被编码为 {holder.code or '（无）'} 的另一经销商使用 "
                                         f"(another partner, code {holder.code or 'none'}, has this name)")
                continue
            if target is None:
                partner = Partner(**{"regions": [], "product_lines": [], **v})
                session.add(partner)
                report.count("imported")
                by_name[partner.name] = partner
                if partner.code:
                    by_code[partner.code] = partner
            else:
                report.count("updated" if apply(target, v) else "unchanged")

    def example(self, demo: dict) -> dict[str, object]:
        p = demo["partners"][0]
        return {"code": p.get("code", "P-001"), "name": p["name"], "tier": p.get("tier", "standard"),
                "regions": "|".join(p["regions"]), "product_lines": "|".join(p["product_lines"]),
                "address": p.get("address", ""), "credit_limit": p.get("credit_limit", "")}

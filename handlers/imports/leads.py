"""Leads [线索编号 or the whole row]: what the manufacturer hands its channel
(customer, product line, estimated amount, contact, source). Imported leads
are new: the leads capability's sweep hands each to the best qualifying
partner within seconds. A row with a 线索编号 already imported is unchanged."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.clock import Clock
from domain.matching import region_of
from handlers.customers.search import lookup
from handlers.imports import cells
from handlers.imports.columns import Column
from handlers.imports.kind import Kind, Row, Run
from handlers.imports.problems import RowProblem, said
from models import Lead, LeadStatus
from models.catalog import DbCatalog

MIN_AMOUNT = 1000          # below this an amount is surely a missing unit (60 meant 60万)
MAX_REF = 64              # leads.external_ref


class Leads(Kind):
    name = "leads"
    title_zh, title_en = "线索", "leads"
    columns = (
        Column("ref", "线索编号", False, ("编号", "lead_id"), "您系统里的线索编号；再次导入同一编号不会重复",
               "your own id of the lead; importing it again changes nothing"),
        Column("customer", "客户名称", True, ("客户",), "客户（医院）名称", "the customer's (hospital's) name"),
        Column("product_line", "产品线", True, ("产品", "意向产品"), "产品线或产品，如 超声、彩超、A100",
               "a product line or product: 超声, 彩超, A100"),
        Column("amount_yuan", "预计金额", True, ("金额", "预算"), "预计金额（元；表头写“（万元）”则按万元）",
               "estimated amount in yuan (a header in 万元 is scaled)", unit="元"),
        Column("contact", "联系人", False, ("联系方式", "客户联系人"), "客户联系人及电话", "the customer's contact"),
        Column("source", "来源", False, ("线索来源", "渠道"), "线索来源：展会、官网、400热线…", "where it came from"),
        Column("note", "备注", False, ("说明",), "备注", "a note"),
    )

    def parse(self, number: int, c: dict) -> Row:
        customer = self.required(c, "customer", cells.text)
        line = self.required(c, "product_line", cells.text)
        amount = self.required(c, "amount_yuan", cells.money)
        if amount < MIN_AMOUNT:
            raise RowProblem(f"预计金额过小: {amount}（是否漏写了单位“万元”？） "
                             f"(amount below ¥{MIN_AMOUNT:,}: is the unit 万元 missing?)")
        if len(customer) > 100:
            raise RowProblem("客户名称太长（最多 100 字） (customer: at most 100 characters)")
        ref = self.cell(c, "ref", cells.text)
        if ref and len(ref) > MAX_REF:
            raise RowProblem(f"线索编号太长（最多 {MAX_REF} 个字符） (lead id: at most {MAX_REF} characters)")
        values = {"customer_text": customer, "amount_yuan": amount,
                  "contact": (self.cell(c, "contact", cells.text) or "")[:100] or None,
                  "source": (self.cell(c, "source", cells.text) or "导入")[:60],
                  "note": (self.cell(c, "note", cells.text) or "")[:300] or None}
        return Row(number, values, {"ref": ref, "line": line})

    def keys(self, row: Row) -> tuple:
        if row.refs["ref"]:
            return (("ref", row.refs["ref"]),)
        return (("row", row.values["customer_text"], row.refs["line"], row.values["amount_yuan"]),)

    def write(self, session: Session, rows: list[Row], run: Run) -> None:
        report = run.report
        catalog = DbCatalog(session)
        refs = {r.refs["ref"] for r in rows if r.refs["ref"]}
        have = set(session.execute(select(Lead.external_ref).where(Lead.external_ref.in_(refs))).scalars()) \
            if refs else set()
        local = Clock().local(run.now)
        for row in rows:
            line = catalog.line_for(row.refs["line"], None)
            if line is None:
                report.error(row.number, f"产品线不存在: {said(row.refs['line'])} (no such product or product line)")
                continue
            if row.refs["ref"] and row.refs["ref"] in have:
                report.count("unchanged")
                continue
            match = lookup(session, row.values["customer_text"])
            known = match.matched if match.verdict == "duplicate" else None
            lead = Lead(**row.values, product_line=line, external_ref=(row.refs["ref"] or None),
                        customer_id=known.id if known else None,
                        region=(known.region if known else None) or region_of(row.values["customer_text"]),
                        channel="import", status=LeadStatus.NEW, offers=0, created_by="import",
                        created_at=run.now, updated_at=run.now)
            if known is not None:
                lead.customer_text = known.name
            session.add(lead)
            session.flush()
            lead.number = f"LD{local:%Y%m%d}-{lead.id:04d}"
            report.count("imported")

    def example(self, demo: dict) -> dict[str, object]:
        return {"ref": "L-2026-001", "customer": demo["customers"][0]["name"], "product_line": "超声",
                "amount_yuan": 500000, "contact": "张主任 13800000000", "source": "展会"}

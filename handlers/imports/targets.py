"""Rebate targets [program, partner]: each partner's target in a rebate
program of the rule store (rebates.programs)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.imports import cells
from handlers.imports.columns import Column
from handlers.imports.kind import Kind, Row, Run, upsert
from handlers.imports.problems import RowProblem, said
from handlers.imports.refs import partners_by_ref
from models import RebateTarget


class Targets(Kind):
    name = "targets"
    title_zh, title_en = "返利目标", "rebate targets"
    columns = (
        Column("program", "返利计划", True, ("计划", "program_id"), "规则中的返利计划编号，如 2026Q4",
               "the rebate program's id in the rules, e.g. 2026Q4"),
        Column("partner", "经销商", True, ("经销商编码", "经销商名称"), "经销商编码或名称，须已导入",
               "a partner's code or name; the partner must exist"),
        Column("target_yuan", "目标金额", True, ("目标", "任务额"), "期间目标（元；表头写“（万元）”则按万元）",
               "the period's target in yuan (a header in 万元 is scaled)", unit="元"),
    )

    def parse(self, number: int, c: dict) -> Row:
        program = self.required(c, "program", cells.text)
        partner = self.required(c, "partner", cells.text)
        target = self.required(c, "target_yuan", cells.money)
        if target <= 0:
            raise RowProblem(f"目标金额须大于 0: {target} (target must be above 0)")
        return Row(number, {"program": program[:40], "target_yuan": target}, {"partner": partner})

    def keys(self, row: Row) -> tuple:
        return ((row.values["program"], row.refs["partner"]),)

    def write(self, session: Session, rows: list[Row], run: Run) -> None:
        report = run.report
        partners = partners_by_ref(session, {r.refs["partner"] for r in rows})
        for row in rows:
            partner = partners.get(row.refs["partner"])
            if partner is None:
                report.error(row.number, f"经销商不存在: {said(row.refs['partner'])} "
                                         f"(no partner with this code or name)")
                continue
            existing = session.execute(select(RebateTarget).where(
                RebateTarget.program == row.values["program"], RebateTarget.partner_id == partner.id)
            ).scalar_one_or_none()
            values = {**row.values, "partner_id": partner.id, "updated_at": run.now}
            if existing is None:
                values["created_at"] = run.now
            else:
                values["updated_at"] = existing.updated_at if existing.target_yuan == row.values["target_yuan"] \
                    else run.now
            upsert(session, existing, RebateTarget, values, report)

    def example(self, demo: dict) -> dict[str, object]:
        return {"program": "2026Q4", "partner": demo["partners"][0].get("code") or demo["partners"][0]["name"],
                "target_yuan": 2000000}

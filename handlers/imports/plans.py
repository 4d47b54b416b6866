"""Visit plans [user, date, customer]: which rep visits which customer on which day.

The customer is named as people write it and found the way a registration
finds it (`customer_search.lookup`); only a sure match ("duplicate") is
accepted, since a plan against the wrong hospital sends a rep to the wrong
gate. Plans have nothing to update: a plan that exists is unchanged.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.customers.search import lookup
from handlers.imports import cells
from handlers.imports.columns import Column
from handlers.imports.kind import Kind, Row, Run, duplicate_reason, later_wins
from handlers.imports.problems import said
from handlers.imports.refs import users_by_userid
from models import Role, VisitPlan


class Plans(Kind):
    name = "plans"
    title_zh, title_en = "拜访计划", "visit plans"
    columns = (
        Column("user", "账号", True, ("userid", "外勤", "企业微信账号", "钉钉账号"), "拜访人的账号（userid），须已导入",
               "the visitor's userid; the user must exist"),
        Column("date", "计划日期", True, ("日期", "plan_date"), "计划拜访的日期，如 2026-12-05 或 2026/12/5",
               "the planned day (2026-12-05, 2026/12/5)"),
        Column("customer", "客户名称", True, ("客户",), "客户名称，须能唯一对应到已有客户",
               "the customer's name; must match exactly one existing customer"),
    )

    def parse(self, number: int, c: dict) -> Row:
        userid = self.required(c, "user", cells.text)
        day = self.required(c, "date", cells.day)
        customer = self.required(c, "customer", cells.text)
        return Row(number, {"plan_date": day}, {"user": userid, "customer": customer})

    def keys(self, row: Row) -> tuple:
        return ((row.refs["user"], row.values["plan_date"], row.refs["customer"]),)

    def write(self, session: Session, rows: list[Row], run: Run) -> None:
        report = run.report
        users = users_by_userid(session, {r.refs["user"] for r in rows})
        resolved: list[Row] = []
        for row in rows:
            user = users.get(row.refs["user"])
            if user is None:
                report.error(row.number, f"用户不存在: {said(row.refs['user'])} (no user with this userid)")
                continue
            match = lookup(session, row.refs["customer"])
            if match.verdict != "duplicate":
                closest = match.matched.name if match.matched else None
                said_name = said(row.refs["customer"])
                report.error(row.number, f"客户未找到/不唯一: {said_name}（最接近: {closest or '无'}） "
                                         f"(customer not found or not unique; closest: {closest or 'none'})")
                continue
            row.values.update(user_id=user.id, customer_id=match.matched.id)
            resolved.append(row)
        # Two spellings of one customer on the same day: one plan.
        resolved = later_wins(resolved, _plan_key, report,
                              lambda later: duplicate_reason(later, "是同一拜访计划", "the same plan as"))
        have = set(session.execute(
            select(VisitPlan.user_id, VisitPlan.plan_date, VisitPlan.customer_id)
            .where(VisitPlan.user_id.in_({r.values["user_id"] for r in resolved}),
                   VisitPlan.plan_date.in_({r.values["plan_date"] for r in resolved}))).tuples())
        for row in resolved:
            if _plan_key(row) in have:
                report.count("unchanged")
            else:
                session.add(VisitPlan(**row.values, created_by="import", source="import", created_at=run.now))
                report.count("imported")

    def example(self, demo: dict) -> dict[str, object]:
        rep = next(u for u in demo["users"] if u["role"] == Role.REP)
        return {"user": rep["userid"], "date": "2026-12-01", "customer": demo["customers"][0]["name"]}


def _plan_key(row: Row) -> tuple:
    return row.values["user_id"], row.values["plan_date"], row.values["customer_id"]

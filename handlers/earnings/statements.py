"""The monthly statement per partner (对账单, XLSX) for finance: every split line
of the month with its deal, customer, role, base, pool, share, rule and rule
set version and the orders it came from; the rebates approved for programs
ending that month with the orders counted; a summary whose every figure names
the detail rows it adds up (and is an Excel SUM over them)."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.clock import Clock
from domain.rules import RuleSetData
from domain.spreadsheet import no_formulas
from handlers.earnings.texts import role_word
from models import Partner, RebateRun, RebateRunStatus, Registration, SplitEntry

SPLIT_HEADER = ("行号", "报备号", "客户", "角色", "成交基数(元)", "分润池(元)", "份额", "分润(元)", "规则",
                "规则版本", "订单", "成交时间", "调整")
REBATE_HEADER = ("行号", "返利计划", "期间", "目标(元)", "已确认(元)", "达成率", "返利率", "返利(元)", "规则版本",
                 "审批", "订单")


@dataclass
class Statement:
    partner: Partner
    month: str
    splits: list[tuple[SplitEntry, Registration]]
    rebates: list[tuple[RebateRun, dict]]

    @property
    def split_total(self) -> Decimal:
        return sum((e.amount_yuan for e, _ in self.splits), Decimal(0))

    @property
    def rebate_total(self) -> Decimal:
        return sum((Decimal(x["rebate"]) for _, x in self.rebates), Decimal(0))


def month_bounds(month: str) -> tuple[date, date]:
    year, mon = (int(x) for x in month.split("-"))
    first = date(year, mon, 1)
    nxt = date(year + (mon == 12), mon % 12 + 1, 1)
    return first, nxt


def statements(s: Session, clock: Clock, rules: RuleSetData, month: str) -> list[Statement]:
    """One statement per partner with anything in the month."""
    first, nxt = month_bounds(month)
    splits: dict[int, list] = {}
    for entry, reg in s.execute(select(SplitEntry, Registration)
                                .join(Registration, Registration.id == SplitEntry.registration_id)
                                .where(SplitEntry.month == month, SplitEntry.partner_id.is_not(None))
                                .order_by(SplitEntry.won_at, SplitEntry.id)).tuples():
        splits.setdefault(entry.partner_id, []).append((entry, reg))
    rebates: dict[int, list] = {}
    for run in s.execute(select(RebateRun).where(RebateRun.status == RebateRunStatus.APPROVED)
                         .order_by(RebateRun.id)).scalars():
        program = rules.rebates.program(run.program)
        if program is None or not first <= program.end < nxt:
            continue
        for line in run.lines:
            rebates.setdefault(line["partner_id"], []).append((run, line))
    out = []
    for pid in sorted(set(splits) | set(rebates)):
        out.append(Statement(s.get(Partner, pid), month, splits.get(pid, []), rebates.get(pid, [])))
    return out


def workbook(st: Statement, clock: Clock, rules: RuleSetData) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = "对账单"
    detail = wb.create_sheet("分润明细")
    detail.append(SPLIT_HEADER)
    for i, (e, reg) in enumerate(st.splits, 1):
        detail.append((i, reg.number, reg.customer_text, role_word(e.role, "zh"), Decimal(e.base_yuan),
                       Decimal(e.pool_yuan), Decimal(e.share), Decimal(e.amount_yuan), e.rule_id, e.rules_version,
                       "、".join(e.orders) if e.orders else "无（按成交金额）", clock.fmt(e.won_at, "%Y-%m-%d %H:%M"),
                       f"原 {e.computed_yuan} · {e.adjusted_by}" if e.adjusted_by else ""))
    reb = wb.create_sheet("返利明细")
    reb.append(REBATE_HEADER)
    for i, (run, x) in enumerate(st.rebates, 1):
        program = rules.rebates.program(run.program)
        reb.append((i, run.program, f"{program.start}~{program.end}" if program else "", Decimal(x["target"]),
                    Decimal(x["achieved"]), Decimal(x["ratio"]), Decimal(x["rate"]), Decimal(x["rebate"]),
                    run.rules_version, clock.fmt(run.decided_at, "%Y-%m-%d"), "、".join(x["orders"])))
    for sheet in (detail, reb):
        no_formulas(sheet)              # names people typed (a customer, a program) stay text
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    n_split, n_reb = len(st.splits), len(st.rebates)
    summary.append(("伙伴", st.partner.name))
    summary.append(("伙伴编码", st.partner.code or ""))
    summary.append(("月份", st.month))
    summary.append(())
    no_formulas(summary)                # the partner's name and code; the sums below are ours
    summary.append(("项目", "金额(元)", "公式", "明细"))
    summary.append(("分润合计", st.split_total, f"=SUM('分润明细'!H2:H{n_split + 1})" if n_split else "=0",
                    f"分润明细 第 1–{n_split} 行" if n_split else "无"))
    summary.append(("返利合计", st.rebate_total, f"=SUM('返利明细'!H2:H{n_reb + 1})" if n_reb else "=0",
                    f"返利明细 第 1–{n_reb} 行" if n_reb else "无"))
    summary.append(("应付合计", st.split_total + st.rebate_total, "=C6+C7", "分润合计 + 返利合计"))
    for cell in summary[5]:
        cell.font = Font(bold=True)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def filename(st: Statement) -> str:
    code = (st.partner.code or f"P{st.partner.id}").replace("/", "-")
    return f"statement-{st.month}-{code}.xlsx"

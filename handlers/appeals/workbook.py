"""The evidence bundle as a workbook for headquarters (openpyxl): one sheet
per kind of evidence, every row with its time to the second in the
company's time zone, and the audit events with their hashes: each sealed
event's hash, its place (seq) and its batch with the batch's Merkle root and
hash, which `python -m bot audit-verify` checks (events recorded since the last
sealing say 未封存 and have no hash yet)."""
from __future__ import annotations

import io
import json

from openpyxl import Workbook
from openpyxl.styles import Font

from chat.context import Context
from chat.media import store_blob
from domain.money import money
from domain.rules import visit_checks as flags
from domain.spreadsheet import no_formulas
from handlers.appeals.evidence import Bundle, received
from handlers.registration.progress import stage_of
from handlers.registration.texts import status_word
from models import MediaBlob, User

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = {
    "报备": ("报备号", "伙伴", "提交人", "服务器收到时间", "状态", "阶段", "产品线", "金额", "保护至", "审批人",
           "审批时间", "联合伙伴", "伙伴分成"),
    "跟进": ("报备号", "时间", "人员", "类型", "原阶段", "新阶段", "说明"),
    "拜访": ("报备号", "签到时间", "人员", "已核实", "距离(米)", "时长(分钟)", "标记", "存疑", "小结", "照片"),
    "审批": ("报备号", "步骤", "审批人", "状态", "决定人", "决定时间", "理由"),
    "申诉": ("申诉号", "报备号", "持有方报备", "申诉方", "理由", "提交时间", "状态", "裁决人", "裁决时间",
           "裁决理由", "照片"),
    "审计": ("序号", "时间", "操作人", "动作", "对象", "对象号", "内容", "哈希", "事件号", "批次", "批次默克尔根",
           "批次哈希"),
}


def build(ctx: Context, bundle: Bundle) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    sheets = {name: wb.create_sheet(name) for name in SHEETS}
    for name, header in SHEETS.items():
        sheets[name].append(list(header))
        for cell in sheets[name][1]:
            cell.font = Font(bold=True)
    for side in bundle.sides:
        reg = side.registration
        decider = ctx.s.get(User, reg.decided_by_id) if reg.decided_by_id else None
        sheets["报备"].append([reg.number, side.partner.name, side.submitter.name, received(ctx, reg.received_at),
                             status_word(reg.status), stage_of(ctx.rules.pipeline, reg), "、".join(reg.product_lines),
                             money(reg.amount_yuan or 0), ctx.fmt(reg.lock_until, "%Y-%m-%d %H:%M") if reg.lock_until
                             else "", decider.name if decider else "", received(ctx, reg.decided_at)
                             if reg.decided_at else "", reg.joint_partner.name if reg.joint_partner else "",
                             reg.partner_share if reg.partner_share is not None else ""])
        for f in side.follow_ups:
            sheets["跟进"].append([reg.number, received(ctx, f.at), f.user.name if f.user else "系统", f.kind,
                                 f.stage_from or "", f.stage_to or "", f.note or ""])
        for v in side.visits:
            codes = [x["code"] for x in v.flags or []]
            sheets["拜访"].append([reg.number, received(ctx, v.checkin_at), v.user.name, "是" if v.verified else "否",
                                 v.distance_m if v.distance_m is not None else "",
                                 round(v.duration_s / 60) if v.duration_s else "",
                                 "、".join(flags.flag_label(c) for c in codes),
                                 "是" if flags.suspicious(ctx.rules.visits, v.flags) else "", v.notes or "",
                                 len(v.photos)])
        for _flow, appr in side.approvals:
            sheets["审批"].append([reg.number, appr.step + 1, appr.approver.name, appr.status,
                                 appr.decided_by.name if appr.decided_by else "",
                                 received(ctx, appr.decided_at) if appr.decided_at else "", appr.decision_reason or ""])
    for a in bundle.appeals:
        sheets["申诉"].append([a.number, a.registration.number, a.holder.number if a.holder else "", a.partner.name,
                             a.reason, received(ctx, a.created_at), a.status,
                             ctx.s.get(User, a.decided_by_id).name if a.decided_by_id else "",
                             received(ctx, a.decided_at) if a.decided_at else "", a.decision_reason or "",
                             len(a.photos)])
    for e in bundle.events:
        batch = bundle.batches.get(e.batch) if e.batch is not None else None
        sheets["审计"].append([e.seq if e.seq is not None else "未封存", received(ctx, e.at), e.actor, e.action,
                             e.entity_type, e.entity_id,
                             json.dumps(e.after, ensure_ascii=False, default=str)[:2000] if e.after else "",
                             e.hash or "", e.id, e.batch or "", batch.root if batch else "",
                             batch.hash if batch else ""])
    for ws in sheets.values():
        for column in ws.columns:
            ws.column_dimensions[column[0].column_letter].width = max(10, min(40, max(
                len(str(c.value or "")) for c in column) + 2))
    for sheet in sheets.values():
        no_formulas(sheet)          # only what people and the bot wrote: never a formula
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def stored(ctx: Context, bundle: Bundle) -> MediaBlob:
    """The workbook kept as a blob, ready to go out as a File message."""
    name = f"evidence-{bundle.customer.id}-{ctx.fmt(bundle.made_at, '%Y%m%d-%H%M')}.xlsx"
    return store_blob(ctx.s, ctx.clock, "file", build(ctx, bundle), XLSX, name)

"""How the console names states and kinds (Chinese · English), in one place."""
from __future__ import annotations

STATUS = {
    "pending": "待审批 · pending", "approved": "已通过 · approved", "rejected": "未通过 · refused",
    "withdrawn": "已撤销 · withdrawn", "expired": "已失效 · expired", "void": "已作废 · void",
    "transferred": "已转交 · transferred", "escalated": "已升级 · escalated", "used": "已使用 · used",
    "draft": "待确认 · draft", "pending_approval": "待审批 · awaiting approval", "confirmed": "已确认 · confirmed",
    "shipped": "已发货 · shipped", "delivered": "已签收 · delivered", "cancelled": "已取消 · cancelled",
    "open": "进行中 · open", "closed": "已签退 · closed", "offsite": "范围外 · off-site",
    "auto_closed": "未签退 · not checked out", "queued": "排队 · queued", "running": "进行中 · running",
    "done": "完成 · done", "failed": "失败 · failed", "activated": "已生效 · activated",
    "discarded": "已放弃 · discarded",
}
KIND = {"registration": "报备 · registration", "order": "订单 · order", "special_price": "特价 · special price",
        "extension": "延期 · extension"}
OUTCOME = {"pass": "通过", "reject": "拒绝", "needs_approval": "需审批", "warn": "提醒"}
ROLE = {"admin": "管理员 · admin", "director": "销售总监 · director", "manager": "区域经理 · manager",
        "dealer": "经销商 · dealer", "rep": "外勤 · rep"}


def status(value: str | None) -> str:
    return STATUS.get(value or "", value or "-")

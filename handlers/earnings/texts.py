"""Every user-facing sentence of splits, rebates and statements, Chinese first, English too."""
from __future__ import annotations

from chat.texts import GENERAL
from domain.wording import Wording

ROLE_WORDS = {"registering": ("报备方", "registering"), "delivering": ("交付方", "delivering"),
              "introducing": ("引荐方", "introducing"), "direct": ("直销团队", "direct team")}

TEXTS: dict[str, tuple[str, str]] = {
    "partners_only": ("分润和返利只对经销商开放。", "Splits and rebates are for partners."),
    "split_won": ("💰 {number}（{customer}）成交 {base}，按规则 {rule}（第 {version} 版）您的分润：{lines}。发送“我的分润”查看本月明细。",
                  "💰 {number} ({customer}) won at {base}; under rule {rule} (version {version}) your split: {lines}. Send \"我的分润\" for this month."),
    "split_role_line": ("{role} {amount}", "{role} {amount}"),
    "mine_header": ("**{month} 我的分润**：{n} 笔成交，合计 {total}", "**My splits, {month}**: {n} deals, {total} in all"),
    "mine_line": ("{number} {customer} · 成交 {base} · {roles} · 规则 {rule} v{version}{orders}",
                  "{number} {customer} · won {base} · {roles} · rule {rule} v{version}{orders}"),
    "mine_orders": (" · 订单 {orders}", " · orders {orders}"),
    "mine_adjusted": ("（已调整，原 {before}，{by}）", " (adjusted from {before}, {by})"),
    "mine_none": ("{month} 还没有分润。成交的报备（含订单赢单）按分润规则自动计算。",
                  "No splits in {month} yet. Won deals (an order can win one) are split by the rules automatically."),
    "preview_row": ("{lines}（规则 {rule}）", "{lines} (rule {rule})"),
    "rebate_none": ("目前没有适用于您的返利计划（或尚未导入您的目标）。", "No rebate program applies to you now (or your target is not imported yet)."),
    "rebate_header": ("**{name}**（{start} 至 {end}）", "**{name}** ({start} to {end})"),
    "rebate_progress": ("目标 {target} · 已确认 {achieved}（{ratio}）", "Target {target} · confirmed {achieved} ({ratio})"),
    "rebate_tier_now": ("当前档位：≥{at} 返 {rate}，返利 {rebate}", "Tier reached: ≥{at} pays {rate}, rebate {rebate}"),
    "rebate_tier_none": ("尚未达到最低档（≥{at}）", "Below the lowest tier (≥{at})"),
    "rebate_next": ("距下一档（≥{at} 返 {rate}）还差 {missing}，达到后返利 {next_rebate}",
                    "{missing} to the next tier (≥{at} pays {rate}); reaching it pays {next_rebate}"),
    "rebate_top": ("已达最高档。", "Top tier reached."),
    "rebate_projected": ("按目前进度预计期末 {pace}，返利约 {rebate}", "At this pace: {pace} by the end, about {rebate} rebate"),
    "rebate_orders": ("计入订单 {n} 笔（已确认、未取消{scope}）", "{n} orders counted (confirmed, not cancelled{scope})"),
    "rebate_scope": ("，仅 {lines}", "; {lines} only"),
    "nudge": ("📈 {name}：您已完成目标的 {ratio}，再确认 {missing} 的订单即可达到 ≥{at} 档（返 {rate}），返利将从 {rebate} 增至 {next_rebate}。",
              "📈 {name}: you are at {ratio} of target; {missing} more in confirmed orders reaches the ≥{at} tier ({rate}), lifting the rebate from {rebate} to {next_rebate}."),
    "run_card_title": ("返利核算 {program}", "Rebate run {program}"),
    "run_card_desc": ("{name} · {start} 至 {end} · 规则第 {version} 版", "{name} · {start} to {end} · rules v{version}"),
    "run_card_note": ("同意后返利计入各伙伴对账单；明细见 python -m bot statements。",
                      "Approved, the rebates go into each partner's statement; details: python -m bot statements."),
    "run_stamp_approved": ("已同意 · {who} · {when}", "Approved · {who} · {when}"),
    "run_stamp_rejected": ("已驳回 · {who} · {when}", "Rejected · {who} · {when}"),
    "run_not_yours": ("这张返利核算卡不归您审批。", "This rebate run is not yours to decide."),
    "run_done_already": ("返利核算 {program} 已处理（{status}）。", "Rebate run {program} was already decided ({status})."),
    "run_approved": ("✅ 已同意返利核算 {program}：{n} 个伙伴，合计 {total}。", "✅ Rebate run {program} approved: {n} partners, {total} in all."),
    "run_rejected": ("已驳回返利核算 {program}；修改目标或规则后会重新核算。", "Rebate run {program} rejected; it is computed again after targets or rules change."),
    "run_partner": ("🎉 {name} 返利已核定：达成 {ratio}，返利 {rebate}（{rate}）。", "🎉 {name} rebate approved: {ratio} of target, rebate {rebate} ({rate})."),
    "adjust_managers_only": ("分润调整只能由区域经理、总监或管理员发起。", "Only managers, the director or admins ask for a split adjustment."),
    "adjust_usage": ("用法：分润调整 报备号 角色 金额 理由…（角色：报备方/交付方/引荐方/直销团队）",
                     "Usage: 分润调整 <RG number> <role> <amount> <reason> (role: 报备方/交付方/引荐方/直销团队)"),
    "adjust_no_line": ("{number} 没有“{role}”的分润行。", "{number} has no split line for {role}."),
    "adjust_sent": ("分润调整 {adj} 已提交，{approver} 同意后生效：{number} {role} {before} → {after}。",
                    "Split adjustment {adj} sent; it takes effect once {approver} approves: {number} {role} {before} → {after}."),
    "adjust_card_title": ("分润调整 {adj}", "Split adjustment {adj}"),
    "adjust_approved": ("分润调整 {adj} 已同意：{number} {role} {before} → {after}。", "Split adjustment {adj} approved: {number} {role} {before} → {after}."),
    "adjust_rejected": ("分润调整 {adj} 被驳回：{reason}", "Split adjustment {adj} rejected: {reason}"),
}

t = Wording(TEXTS, GENERAL)


def role_word(role: str, lang: str) -> str:
    zh, en = ROLE_WORDS.get(role, (role, role))
    return en if lang == "en" else zh

"""Every user-facing sentence of visits and visit plans (check-in, check-out,
notes, photos, plans), Chinese first, English too."""
from __future__ import annotations

from chat.texts import GENERAL
from domain.rules.texts import TEXTS as RULES
from domain.wording import Wording

TEXTS: dict[str, tuple[str, str]] = {
    "visit_roles_only": ("签到功能只对外勤、经销商和区域经理开放。", "Check-ins are for field reps, dealers and area managers."),
    "visit_unknown_customer": ("没有找到客户“{customer}”，请写全称，或直接发送位置签到最近的客户。",
                               "No customer \"{customer}\"; use the full name, or just send your location."),
    "visit_the_customer": ("客户", "the customer"),
    "visit_open_page": ("请打开 [签到页]({url}) 定位，完成在 {customer} 的签到（链接仅限您本人使用，{minutes} 分钟内有效）。",
                        "Open the [check-in page]({url}) to send your position and check in at {customer} (the link is "
                        "yours alone and works for {minutes} minutes)."),
    "visit_link_privately": ("签到链接已私信发给您。", "The check-in link went to you privately."),
    "visit_send_location": ("请发送您当前的位置（点“+”→“位置”）完成在 {customer} 的签到。",
                            "Send your current location (+ → Location) to check in at {customer}."),
    "visit_nobody_near": ("您附近 {radius} 内没有登记了坐标的客户，已记录本次位置。如在客户处，请发送“签到 客户名”后再发位置。",
                          "No customer with a known position within {radius}; your location was recorded. "
                          "At a customer? Send \"签到 <customer>\" and then your location."),
    "visit_refused": ("❌ 未签到：{message}\n{next_step}", "❌ Not checked in: {message}\n{next_step}"),
    "visit_no_point": ("⚠️ {when} 已记录您对 {customer} 的拜访，但该客户尚未登记坐标，位置无法核实：不算已核实拜访，也不能作为延期证据。请联系管理员补充客户坐标。\n离开时发送“签退”。",
                       "⚠️ Your visit to {customer} is recorded at {when}, but the customer has no known position, so it "
                       "is not verified and is no evidence for an extension. Ask an admin to add the position.\n"
                       "Send \"签退\" when you leave."),
    "visit_checked_in": ("✅ {when} 已在 {customer} 签到{planned}：距客户 {distance}，在签到范围 {radius} 内。\n离开时发送“签退”；可发送“拜访小结 …”和照片。",
                         "✅ Checked in at {customer}{planned} at {when}: {distance} away, inside the {radius} range.\n"
                         "Send \"签退\" when you leave; send \"拜访小结 …\" and photos."),
    "visit_planned": ("（计划内）", " (planned)"),
    "visit_already_in": ("您已于 {when} 在 {customer} 签到，无需重复签到。", "You checked in at {customer} at {when} already."),
    "visit_prev_closed": ("上一个拜访（{customer}）没有签退，已随本次签到结束，时长记为未知。",
                          "Your previous visit ({customer}) was not checked out; it ended with this check-in, duration unknown."),
    "visit_none_open": ("您当前没有进行中的拜访。", "You have no visit in progress."),
    "visit_checked_out": ("已签退 {customer}，拜访时长 {duration}。", "Checked out of {customer}; the visit lasted {duration}."),
    "visit_minutes": ("{n} 分钟", "{n} min"),
    "visit_hours": ("{h} 小时 {m} 分钟", "{h} h {m} min"),
    "visit_note_empty": ("请在“拜访小结”后写上内容，例如：拜访小结 见了设备科主任，下周演示。",
                         "Write the note after 拜访小结, e.g. 拜访小结 met the head of equipment."),
    "visit_note_too_long": ("小结太长（最多 {limit} 字），请分几条发送。", "The note is too long (at most {limit} characters)."),
    "visit_note_no_visit": ("今天还没有拜访记录，请先签到再写小结。", "No visit today yet; check in first."),
    "visit_note_saved": ("已记录拜访小结（{customer}）。", "Note saved ({customer})."),
    "visit_photo_no_visit": ("⚠️ 这张照片没有保存：您当前没有进行中的拜访。请先发送位置签到，再重新发送照片。",
                             "⚠️ This photo was not kept: you have no visit in progress. Check in first, then send it again."),
    "visit_photo_failed": ("⚠️ 您 {when} 发到 {customer} 拜访的照片没能保存（聊天平台已取不到这张图片），这次拜访记录中没有它。",
                           "⚠️ The photo you sent at {when} for the visit at {customer} could not be kept "
                           "(the chat platform no longer provides it); the visit record does not have it."),
    "visit_bad_photo": ("没能读出这张照片，请重新发送。", "Could not read that photo; please send it again."),
    "visit_photo_saved": ("📷 照片已附到 {customer} 的拜访（共 {n} 张）。", "📷 Photo attached to the visit at {customer} ({n} in all)."),
    "visit_mine_empty": ("您还没有拜访记录。到客户处后发送位置即可签到。", "No visits yet. Send your location at a customer to check in."),
    "visit_mine_header": ("**我的拜访**（最近 {n} 次）", "**My visits** (latest {n})"),
    "visit_status_open": ("进行中", "in progress"),
    "visit_status_closed": ("已签退", "checked out"),
    "visit_status_offsite": ("范围外", "off-site"),
    "visit_status_auto_closed": ("未签退", "not checked out"),
    "visit_unknown_place": ("未知地点", "unknown place"),
    "visit_mine_minutes": ("{n}分钟", "{n} min"),
    "plan_usage": ("格式：计划 明天 拜访 客户A 客户B，例如：计划 明天 拜访 北京协和医院 天津医科大学总医院",
                   "Usage: 计划 <day> 拜访 <customer> <customer>, e.g. 计划 明天 拜访 北京协和医院"),
    "plan_past": ("{day} 已经过去了，未加入计划。只能安排今天及以后的拜访（明年的日期请写上年份，如 {year}年{md}）。",
                  "{day} is past; nothing was planned. Plan today or later (for next year write the year, e.g. {year}年{md})."),
    "plan_bad_date": ("“{said}”不是有效的日期，未加入计划。请检查后重新发送，例如：计划 12月5日 拜访 北京协和医院",
                      "\"{said}\" is not a valid date; nothing was planned. Please check it, e.g. 计划 12月5日 拜访 <customer>."),
    "plan_too_many": ("一天最多安排 {n} 个拜访。", "At most {n} visits a day."),
    "plan_added": ("已安排 {day} 拜访：{names}。{when}", "Planned for {day}: {names}. {when}"),
    "plan_sent_at": ("当天 {time} 会把计划发给您。", "You get the plan at {time} that day."),
    "plan_sent_never": ("今天 {time} 的计划提醒已经发过，发送“我的计划”可随时查看。",
                        "Today's {time} plan message has gone out already; send \"我的计划\" to see the plan."),
    "plan_known": ("已在计划中：{names}。", "Already planned: {names}."),
    "plan_unresolved_one": ("{name}（是不是 {near}？）", "{name} (did you mean {near}?)"),
    "plan_unresolved": ("没有找到这些客户，未加入计划：{names}。请写全称后再发一次。",
                        "Not found, not planned: {names}. Please send the full names again."),
    "plan_none": ("{day} 没有拜访计划。发送“计划 明天 拜访 客户名”来安排。", "No visits planned for {day}. Send \"计划 明天 拜访 <customer>\"."),
    "plan_header": ("**{day} 拜访计划**（{n} 家）", "**Plan for {day}** ({n})"),
    "plan_morning": ("☀️ {name}，早上好！{day} 的拜访计划（{n} 家）：", "☀️ Good morning {name}! Your visits for {day} ({n}):"),
    "plan_morning_tail": ("到达后发送位置即可签到。", "Send your location on arrival to check in."),
    "visit_open_reminder": ("⏰ 您在 {customer} 的拜访（{when} 签到）还没有签退，离开时请发送“签退”。",
                            "⏰ Your visit at {customer} (checked in {when}) is still open; send \"签退\" when you leave."),
    "visit_auto_closed": ("您在 {customer} 的拜访超过 {hours} 小时未签退，已自动结束，时长记为未知。离开客户时请发送“签退”。",
                          "Your visit at {customer} was open over {hours} h; it was closed with its duration unknown. "
                          "Send \"签退\" when you leave a customer."),
}

t = Wording(TEXTS, RULES, GENERAL)

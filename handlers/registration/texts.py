"""Every user-facing sentence of deal registration (asking, verdict replies,
changes, lookups, expiry and extensions), Chinese first, English too."""
from __future__ import annotations

from chat.texts import GENERAL
from domain.wording import Wording
from handlers.approvals.texts import TEXTS as APPROVALS
from handlers.customers.texts import TEXTS as CUSTOMERS

TEXTS: dict[str, tuple[str, str]] = {
    "ext_card_reason": ("理由：{reason}", "Reason: {reason}"),
    "partners_only": ("只有渠道伙伴（经销商/代理商）账号可以报备商机。",
                      "Only partner (dealer/agent) accounts can register deals."),
    "ask_customer": ("请告诉我客户名称（例如：北京协和医院）。发送“取消”放弃本次报备。",
                     "Which customer is it (e.g. Peking Union Medical College Hospital)? Send \"cancel\" to stop."),
    "ask_product": ("请告诉我报备的产品（例如：彩超、监护仪、呼吸机，或型号 A100）。",
                    "Which product is it (e.g. ultrasound, monitor, ventilator, or a SKU like A100)?"),
    "ask_amount": ("请告诉我预计金额（例如：80万、1,200,000）。",
                   "What is the expected amount (e.g. 800k, 1,200,000)?"),
    "department_too_long": ("科室名称太长（最多 {limit} 个字）。", "The department name is too long (at most {limit} characters)."),
    "amount_out_of_range": ("金额 {amount} 看起来不对（应大于 0 且不超过 {limit}），请重新告诉我金额。",
                            "The amount {amount} looks wrong (it must be above 0 and at most {limit}); what is the amount?"),
    "amount_too_small": ("金额 {amount} 偏小，是不是少写了单位？请带上单位重新告诉我金额，例如：{example}。",
                         "{amount} looks too small; is a unit missing? Please send the amount with its unit, e.g. {example}."),
    "amount_range": ("金额请给一个数（您写的是一个范围）。请告诉我预计金额，例如：90万。",
                     "Please give one amount, not a range, e.g. 900k."),
    "amount_per_unit": ("{amount} 看起来是单价。请告诉我这单的预计总金额，例如：{example}。",
                        "{amount} looks like a unit price. What is the expected total of the deal, e.g. {example}?"),
    "amount_negative": ("金额不能是负数，请重新告诉我预计金额，例如：80万。",
                        "The amount can't be negative; what is the expected amount, e.g. 800k?"),
    "answer_not_understood": ("没看懂“{answer}”。{ask}",
                              "I couldn't read \"{answer}\". {ask}"),
    "ask_amount_unit": ("请告诉我预计金额，并带上单位（例如：80万、1,200,000元）。",
                        "What is the expected amount, with its unit (e.g. 800k, 1,200,000)?"),
    "unknown_product": ("没有找到产品“{word}”。可选：{choices}。请重新告诉我产品。",
                        "I don't know the product \"{word}\". Choices: {choices}. Which product is it?"),
    "reg_approved": ("✅ 报备成功 {number}\n客户：{customer}\n产品线：{lines}　金额：{amount}\n保护期至 {until}。",
                     "✅ Registered {number}\nCustomer: {customer}\nLines: {lines}  Amount: {amount}\nProtected until {until}."),
    "reg_pending": ("⏳ 报备已受理 {number}，等待{approver}审批。\n客户：{customer}\n产品线：{lines}　金额：{amount}\n原因：{reasons}\n审批期间客户锁定至 {until}。",
                    "⏳ Registration {number} received, waiting for {approver}.\nCustomer: {customer}\nLines: {lines}  Amount: {amount}\nWhy: {reasons}\nThe customer is locked for you until {until}."),
    "reg_rejected": ("❌ 报备未通过（规则：{rule_name} {rule}）\n{message}\n下一步：{next_step}",
                     "❌ Registration refused (rule: {rule_name} {rule})\n{message}\nNext: {next_step}"),
    "reg_decided_approved": ("✅ 您的报备 {number}（{customer}）已由{who}审批通过，保护期至 {until}。",
                             "✅ Your registration {number} ({customer}) was approved by {who}; protected until {until}."),
    "reg_decided_rejected": ("❌ 您的报备 {number}（{customer}）被{who}驳回。理由：{reason}",
                             "❌ Your registration {number} ({customer}) was rejected by {who}. Reason: {reason}"),
    "card_title": ("商机报备审批 {number}", "Deal registration approval {number}"),
    "card_desc": ("{partner} · {submitter}", "{partner} · {submitter}"),
    "no_such_registration": ("没有找到报备 {ref}。", "No registration {ref} found."),
    "not_your_registration": ("报备 {ref} 不属于贵司，无法操作。", "Registration {ref} is not yours."),
    "not_open": ("报备 {ref} 当前状态为{status}，不能{action}。", "Registration {ref} is {status} and cannot be {action}."),
    "amend_nothing": ("没有识别到要修改的内容，可修改金额和预计签约日期，例如：修改 {ref} 金额 150万。",
                      "Nothing to change found; you can change the amount and close date, e.g. 修改 {ref} 金额 150万."),
    "amend_lines_no": ("产品线或客户不能直接修改，请撤销后重新报备。",
                       "Customer and product lines cannot be changed; withdraw and register again."),
    "amended": ("已修改报备 {number}：{changes}。", "Registration {number} changed: {changes}."),
    "change_amount": ("金额 {old} → {new}", "amount {old} → {new}"),
    "change_close_date": ("预计签约 {old} → {new}", "close date {old} → {new}"),
    "not_given": ("未填", "none"),
    "status_pending": ("当前状态：待审批，锁定至 {until}。", "Status: waiting for approval, locked until {until}."),
    "status_open": ("当前状态：{status}，保护期至 {until}。", "Status: {status}, protected until {until}."),
    "status_change_pending": ("当前状态：修改待审批；审批前报备按原条件（金额 {amount}）继续有效，保护期至 {until}。",
                              "Status: the change waits for approval; until then the registration stands as approved "
                              "({amount}), protected until {until}."),
    "reg_change_rejected": ("❌ 您对报备 {number}（{customer}）的修改被{who}驳回。理由：{reason}\n报备按原条件继续有效："
                            "金额 {amount}，保护期至 {until}。",
                            "❌ Your change to registration {number} ({customer}) was rejected by {who}. Reason: {reason}\n"
                            "It stands as approved before: {amount}, protected until {until}."),
    "withdrawn": ("已撤销报备 {number}，客户 {customer} 已释放。", "Registration {number} withdrawn; {customer} is released."),
    "approver_told_void": ("报备 {number} 已被提交人修改/撤销，之前的审批卡已失效。",
                           "Registration {number} was changed/withdrawn by its submitter; the earlier card is void."),
    "mine_empty": ("贵司还没有报备记录。发送“报备 客户 产品 金额”开始报备。",
                   "Your company has no registrations yet. Send \"报备 customer product amount\" to start."),
    "mine_header": ("**{partner} 的报备**（最近 {n} 条）", "**{partner} registrations** (latest {n})"),
    "query_none": ("客户“{customer}”目前没有有效报备，可以报备。",
                   "\"{customer}\" has no open registration; you may register it."),
    "line_until": ("，至 {until}", ", until {until}"),
    "line_change_waiting": ("（修改待审批，已批准金额 {amount}）", " (change awaiting approval; approved amount {amount})"),
    "query_not_found": ("没有找到客户“{customer}”，也没有名称相近的客户或报备。请核对客户全称；如确是新客户，可以直接报备。",
                        "No customer named \"{customer}\" or anything like it was found. Check the full name; if it is "
                        "a new customer, you may register it."),
    "query_other_pending": ("已被其他伙伴报备（{scope}），审批中，锁定至 {until}。",
                            "Registered by another partner ({scope}), waiting for approval, locked until {until}."),
    "query_need_name": ("请在“查询”后面写上客户名称，例如：查询 北京协和医院。",
                        "Add a customer name after \"query\", e.g. query 北京协和医院."),
    "query_other": ("已被其他伙伴报备（{scope}），保护至 {until}。", "Held by another partner ({scope}) until {until}."),
    "stamp_void_expired": ("已失效 · 报备已到期", "Void · the registration expired"),
    "expiry_warn_pending": ("⏰ 报备 {number}（{customer}）的审批锁定将于 {until} 到期（{days} 天内）。到期未审批，客户将被释放。",
                            "⏰ The lock of registration {number} ({customer}) ends {until} (within {days} days); "
                            "undecided by then, the customer is released."),
    "expiry_warn_approved": ("⏰ 报备 {number}（{customer}）的保护期将于 {until} 到期（{days} 天内）。",
                             "⏰ The protection of registration {number} ({customer}) ends {until} (within {days} days)."),
    "expiry_hint_extend": ("如需延期请发送：延期 {number}（需近 {days} 天内至少 {n} 次已核实拜访）。",
                           " To extend it send: 延期 {number} (needs {n} verified visit(s) in the last {days} days)."),
    "expired_holder": ("报备 {number}（{customer}）已于 {until} 到期，客户已释放。", "Registration {number} ({customer}) ended on {until}; the customer is released."),
    "expired_holder_ext": ("未及审批的延期申请 {ext} 一并失效。", " The extension {ext}, still undecided, is void too."),
    "expired_approver_reg": ("报备 {number}（{customer}）已到期、客户已释放，这张审批卡已失效，无需再审批。",
                             "Registration {number} ({customer}) has expired and the customer is released; the card is void."),
    "expired_approver_ext": ("延期申请 {ext} 随报备 {number}（{customer}）到期一并失效，无需再审批。",
                             "Extension {ext} is void: registration {number} ({customer}) has expired."),
    "expired_free_now": ("客户 {customer} 的报备保护已到期，现在可以报备了。", "{customer} is no longer protected; you may register it now."),
    "ext_usage": ("格式：延期 报备号 [理由]，例如：延期 RG20261123-0001 客户招标推迟", "Usage: 延期 <registration> [reason]"),
    "ext_not_protected": ("报备 {number} 不在保护期内，不能延期。", "Registration {number} is not protected now; it cannot be extended."),
    "ext_used_up": ("报备 {number} 已延期过（最多 {n} 次），不能再延期。", "Registration {number} was extended already (at most {n})."),
    "ext_pending": ("报备 {number} 的延期申请 {ext} 正在审批中。", "The extension {ext} of {number} is being decided."),
    "ext_no_evidence": ("❌ 报备 {number} 暂不能延期：需要近 {days} 天内至少 {n} 次对 {customer} 的已核实拜访，目前 {have} 次。{not_counted}\n下一步：到客户处发送位置签到后，再发送 延期 {number}。",
                        "❌ {number} cannot be extended yet: it needs {n} verified visit(s) to {customer} in the last {days} days; there are {have}.{not_counted}\n"
                        "Next: check in at the customer, then send 延期 {number} again."),
    "ext_not_counted": ("另有 {n} 次拜访带有存疑标记（{flags}），不计入。", " {n} more visit(s) carry doubtful flags ({flags}) and do not count."),
    "ext_verdict": ("延期需要审批：近 {days} 天内已核实拜访 {have} 次。", "An extension needs approval: {have} verified visit(s) in {days} days."),
    "ext_submitted": ("⏳ 已提交报备 {number} 的延期申请 {ext}：延长 {days} 天至 {until}，附 {have} 次已核实拜访。审批结果会通知您。",
                      "⏳ Extension {ext} of {number} submitted: {days} more days, to {until}, with {have} verified visit(s)."),
    "ext_card_title": ("报备延期审批 {number}", "Registration extension {number}"),
    "ext_card_count": ("近{days}天 {n} 次", "{n} in {days} days"),
    "ext_card_until": ("{until}（+{days}天，原 {before}）", "{until} (+{days} d, was {before})"),
    "ext_card_not_counted": ("（另 {n} 次存疑未计入）", " ({n} doubtful, not counted)"),
    "ext_card_note": ("拜访小结：{note}", "Visit note: {note}"),
    "ext_card_more": ("其他拜访：{visits}", "Other visits: {visits}"),
    "ext_card_doubtful": ("存疑未计入：{visits}", "Doubtful, not counted: {visits}"),
    "ext_approved": ("✅ 报备 {number} 的延期已由{who}批准，保护期延至 {until}。", "✅ {who} approved the extension of {number}; protected until {until}."),
    "ext_rejected": ("❌ 报备 {number} 的延期被{who}驳回（理由：{reason}），保护期仍至 {until}。",
                     "❌ {who} rejected the extension of {number} ({reason}); protection still ends {until}."),
}

t = Wording(TEXTS, CUSTOMERS, APPROVALS, GENERAL)

STATUS = {
    "pending": ("待审批", "pending"), "approved": ("已生效", "approved"), "rejected": ("未通过", "rejected"),
    "withdrawn": ("已撤销", "withdrawn"), "expired": ("已过期", "expired"),
}


def status_word(status: str, lang: str = "zh") -> str:
    """A registration's status as users read it."""
    zh, en = STATUS.get(status, (status, status))
    return en if lang == "en" else zh

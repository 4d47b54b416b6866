"""Every user-facing sentence of the registration area, Chinese first, English too.

``t(key, lang, **facts)`` renders one. Keep wording here, not in handlers.
"""
from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # -- general --------------------------------------------------------
    "unknown_user": ("您好，您的账号还没有开通渠道助手，请联系管理员添加。",
                     "Hello, your account is not set up for Qudao yet. Please ask your administrator."),
    "not_understood": ("抱歉，没看懂这条消息。发送“帮助”查看可用的命令。",
                       "Sorry, I didn't understand that. Send \"help\" to see what I can do."),
    "unsupported_message": ("暂不支持这种消息类型，请发送文字。", "This kind of message is not supported yet; please send text."),
    "cancelled": ("好的，已取消。", "OK, cancelled."),
    "busy": ("抱歉，系统处理这条消息时出错，已记录，请稍后重试。",
             "Sorry, something went wrong with that message; it was logged. Please try again later."),
    "partners_only": ("只有渠道伙伴（经销商/代理商）账号可以报备商机。",
                      "Only partner (dealer/agent) accounts can register deals."),
    # -- registration: asking for missing fields ------------------------
    "ask_customer": ("请告诉我客户名称（例如：北京协和医院）。发送“取消”放弃本次报备。",
                     "Which customer is it (e.g. Peking Union Medical College Hospital)? Send \"cancel\" to stop."),
    "ask_product": ("请告诉我报备的产品（例如：彩超、监护仪、呼吸机，或型号 A100）。",
                    "Which product is it (e.g. ultrasound, monitor, ventilator, or a SKU like A100)?"),
    "ask_amount": ("请告诉我预计金额（例如：80万、1,200,000）。",
                   "What is the expected amount (e.g. 800k, 1,200,000)?"),
    "customer_too_long": ("客户名称太长（最多 {limit} 个字），请只写客户全称，例如：北京协和医院。",
                          "The customer name is too long (at most {limit} characters); please send just its full name."),
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
    "reject_reason_dropped": ("已放弃驳回 {number}（没有收到理由），它仍在等待审批。",
                              "The rejection of {number} was dropped (no reason given); it still waits for a decision."),
    "reject_reason_waiting": ("驳回 {number} 还在等您的理由：请直接回复理由，或发送“取消”放弃驳回。",
                              "The rejection of {number} still needs your reason: reply with it, or send \"cancel\"."),
    "reason_too_long": ("理由太长了（最多 {limit} 个字），请精简后再发一次；发送“取消”放弃驳回。",
                        "The reason is too long (at most {limit} characters); please shorten it, or send \"cancel\"."),
    "unknown_product": ("没有找到产品“{word}”。可选：{choices}。请重新告诉我产品。",
                        "I don't know the product \"{word}\". Choices: {choices}. Which product is it?"),
    # -- registration: verdicts ------------------------------------------
    "v_qualification_fail": ("贵司没有 {missing} 产品线的授权（已授权：{held}）。",
                             "Your company is not authorised for {missing} (authorised: {held})."),
    "n_qualification_fail": ("如需开通授权，请联系渠道经理。", "Ask your channel manager about authorisation."),
    "v_territory_fail": ("客户 {customer} 位于 {region}，不在贵司的授权区域（{regions}）内。",
                         "{customer} is in {region}, outside your territory ({regions})."),
    "n_territory_fail": ("如客户区域识别有误，请补充客户所在城市后重新报备，或联系渠道经理。",
                         "If the region is wrong, add the customer's city and register again, or contact your manager."),
    "v_region_unknown": ("无法从名称判断客户 {customer} 所在区域，需要经理确认。",
                         "Cannot tell {customer}'s region from its name; a manager must confirm."),
    "v_quota_fail": ("贵司已有 {open} 个有效报备，达到上限 {quota} 个。",
                     "Your company already has {open} open registrations, the limit is {quota}."),
    "n_quota_fail": ("请先撤销或完成部分报备后再试。", "Withdraw or close some registrations first."),
    "v_conflict": ("客户 {customer} 已被 {holder} 于 {held_since} 报备（{scope}），{lock}至 {until}。",
                   "{customer} is already registered by {holder} since {held_since} ({scope}), {lock_en} until {until}."),
    "n_conflict": ("如有异议，可联系渠道经理申诉，并提供拜访记录等证据。",
                   "If you disagree, appeal to your channel manager with evidence such as visit records."),
    "v_conflict_own": ("贵司已于 {held_since} 报备客户 {customer}（{number}，{scope}），{lock}至 {until}，无需重复报备。",
                       "Your company already registered {customer} on {held_since} ({number}, {scope}), {lock_en} until {until}; "
                       "no need to register it again."),
    "n_conflict_own": ("如需修改金额或预计签约日期，请发送：修改 {number} 金额 150万。",
                       "To change its amount or close date, send: 修改 {number} 金额 150万."),
    "lock_protected": ("保护", "protected"),
    "lock_pending": ("审批中，锁定", "locked pending approval"),
    "v_possible_duplicate_held": ("客户名与已有客户“{matched}”相似（相似度 {score}，{why}）；“{matched}”已被 {holder} 于 {held_since} "
                                  "报备（{number}），{lock}至 {until}。需要经理确认是否同一客户：同一客户应驳回。",
                                  "The name looks like existing customer \"{matched}\" (score {score}, {why}), which {holder} "
                                  "registered on {held_since} ({number}), {lock_en} until {until}. A manager will confirm "
                                  "whether it is the same customer (then it is refused)."),
    "v_possible_duplicate": ("客户名与已有客户“{matched}”相似（相似度 {score}，{why}），需要经理确认是否同一客户。",
                             "The name looks like existing customer \"{matched}\" (score {score}, {why}); a manager will confirm."),
    "v_tiering": ("金额 {amount} 达到 {threshold} 的分级线，需要{approver}审批。",
                  "The amount {amount} reaches the {threshold} tier; {approver} must approve."),
    "v_routine": ("按规则需要{approver}审批。", "By the rules, {approver} must approve."),
    # -- registration: replies -------------------------------------------
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
    # -- registration approvals --------------------------------------------
    "card_title": ("商机报备审批 {number}", "Deal registration approval {number}"),
    "card_desc": ("{partner} · {submitter}", "{partner} · {submitter}"),
    "no_such_registration": ("没有找到报备 {ref}。", "No registration {ref} found."),
    # -- amend / withdraw -------------------------------------------------
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
    # -- customer aliases ---------------------------------------------------
    "alias_admin_only": ("只有管理员可以添加客户别名。", "Only administrators can add customer aliases."),
    "alias_usage": ("格式：别名 简称 = 全称，例如：别名 吉大一院 = 吉林大学白求恩第一医院",
                    "Usage: 别名 <short> = <full name>, e.g. 别名 吉大一院 = 吉林大学白求恩第一医院"),
    "alias_added": ("已添加别名：{short} → {full}，立即生效。", "Alias added: {short} → {full}; in effect now."),
    "alias_changed": ("已更新别名：{short} → {full}，立即生效。", "Alias updated: {short} → {full}; in effect now."),
    # -- queries ----------------------------------------------------------
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
    "help": (
        "**渠道助手 · 可用命令**\n"
        "> 报备 客户 产品 金额 [预计签约]　例：报备 北京协和医院 彩超2台 80万 12月底\n"
        "> 我的报备　查询 客户名　修改 报备号 金额 150万　撤销 报备号　延期 报备号\n"
        "> 订货 A100*20 B200*5 [收货地址：…]　我的订单　修改订单 单号 A100*25 / 删除 B200　取消订单 单号\n"
        "> 特价申请 订单 单号 A100 单价 80000 理由：…　申请特价 A100 8折 客户 … 原因 …　我的特价\n"
        "> 签到：发送位置（或 签到 客户名）　签退　拜访小结 …　发照片　我的拜访\n"
        "> 计划 明天 拜访 客户A 客户B　我的计划\n"
        "> 审批人：点卡片 同意/驳回，或 同意 单号 / 驳回 单号 理由；转交 单号 审批人；委托 张伟 12月5日至12月12日；取消委托\n"
        "> 管理员：别名 简称 = 全称\n"
        "> 帮助",
        "**Qudao commands**\n"
        "> register <customer> <product> <amount> [close date] · my deals · query <customer>\n"
        "> 修改 <number> 金额 <amount> (amend) · 撤销 <number> (withdraw) · 延期 <number> (extend)\n"
        "> order A100*20 B200*5 · my orders · 修改订单 <number> A100*25 · 取消订单 <number>\n"
        "> special price: 特价申请 订单 <number> A100 单价 80000 理由 … · 我的特价\n"
        "> visits: send your location (or 签到 <customer>) · 签退 · 拜访小结 … · photos · my visits\n"
        "> plan tomorrow visit <customer>, <customer> · my plan\n"
        "> approvers: tap 同意/驳回, or 同意 <number> / 驳回 <number> <reason>; 转交 <number> <approver>; "
        "委托 <stand-in> <from> 至 <to>; 取消委托\n"
        "> admins: 别名 <short> = <full name>\n"
        "> help",
    ),
}

STATUS = {
    "pending": ("待审批", "pending"), "approved": ("已生效", "approved"), "rejected": ("未通过", "rejected"),
    "withdrawn": ("已撤销", "withdrawn"), "expired": ("已过期", "expired"),
}
RULE_NAME = {
    "registration.qualification": ("产品线授权", "qualification"), "registration.territory": ("区域保护", "territory"),
    "registration.quota": ("报备数量上限", "quota"), "registration.conflict": ("先到先得·撞单保护", "first come"),
    "registration.customer_match": ("客户判重", "customer match"), "registration.tiering": ("客户分级", "tiering"),
    "registration.approval": ("例行审批", "routine approval"),
    "order.qualification": ("产品线授权", "qualification"), "order.moq": ("最小起订量", "minimum order quantity"),
    "order.pack": ("整箱订购", "pack multiples"), "order.credit": ("信用额度", "credit limit"),
    "order.territory": ("区域保护·窜货", "territory"), "order.stock": ("库存", "stock"),
}
REASON_LABEL = {"TIER_EXCEEDED": ("金额达分级线", "tier amount"), "POSSIBLE_DUPLICATE": ("疑似同一客户", "possible duplicate"),
                "REGION_UNKNOWN": ("区域待确认", "region unknown"), "ROUTINE_APPROVAL": ("例行审批", "routine"),
                "CROSS_TERRITORY": ("窜货", "cross-territory"), "SHIP_TO_REGION_UNKNOWN": ("收货区域待确认", "ship-to unknown"),
                "SPECIAL_PRICE": ("特价", "special price"), "EXTENSION": ("延期", "extension")}
ROLE = {"director": ("销售总监", "the sales director"), "area_manager": ("区域经理", "the area manager")}
SCOPE = {"*": ("整个客户", "whole customer"), "line": ("产品线 {v}", "line {v}"), "dept": ("科室 {v}", "department {v}")}


def _merge_areas() -> None:
    """Each area keeps its sentences in its own module; ``t`` sees them all."""
    from handlers.approvals.texts import TEXTS as approvals
    from handlers.orders.texts import TEXTS as orders
    from handlers.visits.texts import TEXTS as visits
    for area in (approvals, orders, visits):
        clash = set(area) & set(TEXTS)
        if clash:
            raise KeyError(f"text keys defined twice: {sorted(clash)}")
        TEXTS.update(area)


def t(key: str, lang: str = "zh", **facts) -> str:
    zh, en = TEXTS[key]
    return (en if lang == "en" else zh).format(**facts)


def sentences(messages, lang: str = "zh") -> str:
    """Join whole sentences into one: "A。；B。" would read as a stutter."""
    parts = [m.strip().rstrip("。.") for m in messages if m and m.strip()]
    if not parts:
        return ""
    return ("；".join(parts) + "。") if lang != "en" else ("; ".join(parts) + ".")


def status_word(status: str, lang: str = "zh") -> str:
    zh, en = STATUS.get(status, (status, status))
    return en if lang == "en" else zh


def rule_name(rule_id: str, lang: str = "zh") -> str:
    zh, en = RULE_NAME.get(rule_id, (rule_id, rule_id))
    return en if lang == "en" else zh


def reason_label(code: str, lang: str = "zh") -> str:
    zh, en = REASON_LABEL.get(code, (code, code))
    return en if lang == "en" else zh


def role_word(role: str, lang: str = "zh") -> str:
    zh, en = ROLE.get(role, (role, role))
    return en if lang == "en" else zh


def scope_word(scope_key: str, lang: str = "zh") -> str:
    kind, _, value = scope_key.partition(":")
    zh, en = SCOPE.get(kind, SCOPE["*"])
    return (en if lang == "en" else zh).format(v=value)


def unit_yuan(amount) -> str:
    """A unit price, to the yuan ("¥83,300"; cents only when there are any)."""
    if amount is None:
        return "-"
    amount = float(amount)
    return f"¥{amount:,.2f}" if round(amount * 100) % 100 else f"¥{amount:,.0f}"


def yuan(amount: float | None) -> str:
    if amount is None:
        return "-"
    amount = float(amount)
    if amount >= 10_000 and amount % 100 == 0:
        digits = f"{amount / 10_000:,.2f}".rstrip("0").rstrip(".")
        return f"¥{digits}万"
    return f"¥{amount:,.0f}"


_merge_areas()

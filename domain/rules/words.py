"""The names the rules give things, as users read them: rule names, reason
codes, approver roles and conflict scopes (Chinese first, English too)."""
from __future__ import annotations

from domain.wording import pick

RULE_NAME = {
    "registration.qualification": ("产品线授权", "qualification"), "registration.territory": ("区域保护", "territory"),
    "registration.quota": ("报备数量上限", "quota"), "registration.conflict": ("先到先得·撞单保护", "first come"),
    "registration.customer_match": ("客户判重", "customer match"), "registration.tiering": ("客户分级", "tiering"),
    "registration.approval": ("例行审批", "routine approval"),
    "order.qualification": ("产品线授权", "qualification"), "order.moq": ("最小起订量", "minimum order quantity"),
    "order.pack": ("整箱订购", "pack multiples"), "order.credit": ("信用额度", "credit limit"),
    "order.territory": ("区域保护·窜货", "territory"), "order.stock": ("库存", "stock"),
    "special_price.ladder": ("特价审批阶梯", "special-price ladder"), "lifecycle.extension": ("延期", "extension"),
    "registration.cooldown": ("冷静期", "cool-down"), "registration.key_account": ("重点客户·合作销售", "key account"),
    "registration.joint": ("联合报备", "joint registration"), "pipeline.stage": ("商机阶段", "deal stage"),
    "pipeline.stale": ("无跟进收回", "stale recall"), "pipeline.lost_reason": ("输单原因", "lost reason"),
    "pipeline.order_won": ("订单赢单", "won by order"), "appeals.window": ("申诉期", "appeal window"),
}
REASON_LABEL = {"TIER_EXCEEDED": ("金额达分级线", "tier amount"), "POSSIBLE_DUPLICATE": ("疑似同一客户", "possible duplicate"),
                "REGION_UNKNOWN": ("区域待确认", "region unknown"), "ROUTINE_APPROVAL": ("例行审批", "routine"),
                "CROSS_TERRITORY": ("窜货", "cross-territory"), "SHIP_TO_REGION_UNKNOWN": ("收货区域待确认", "ship-to unknown"),
                "SPECIAL_PRICE": ("特价", "special price"), "EXTENSION": ("延期", "extension"),
                "KEY_ACCOUNT": ("重点客户·合作销售", "key account co-sell"),
                "JOINT_ACCEPTANCE": ("联合报备待确认", "joint, awaiting the partner")}
ROLE = {"director": ("销售总监", "the sales director"), "area_manager": ("区域经理", "the area manager"),
        "account_owner": ("重点客户负责人", "the key account's owner"), "partner": ("合作伙伴", "the partner")}
SCOPE = {"*": ("整个客户", "whole customer"), "line": ("产品线 {v}", "line {v}"), "dept": ("科室 {v}", "department {v}")}


def rule_name(rule_id: str, lang: str = "zh") -> str:
    return pick(RULE_NAME.get(rule_id, (rule_id, rule_id)), lang)


def reason_label(code: str, lang: str = "zh") -> str:
    return pick(REASON_LABEL.get(code, (code, code)), lang)


def role_word(role: str, lang: str = "zh") -> str:
    return pick(ROLE.get(role, (role, role)), lang)


def scope_word(scope_key: str, lang: str = "zh") -> str:
    kind, _, value = scope_key.partition(":")
    if kind == "line":
        value = line_words([value], lang)
    return pick(SCOPE.get(kind, SCOPE["*"]), lang).format(v=value)


# Product lines as English readers know them; a line not listed is shown as named.
LINE = {"超声": "ultrasound", "监护": "patient monitoring", "呼吸": "respiratory", "影像": "imaging",
        "检验": "laboratory", "内镜": "endoscopy", "麻醉": "anaesthesia", "心电": "ECG", "输注": "infusion"}


def line_words(lines, lang: str = "zh") -> str:
    """Product lines for a reply: 超声、监护 / ultrasound, patient monitoring."""
    if lang != "en":
        return "、".join(lines)
    return ", ".join(LINE.get(line, line) for line in lines)

"""Sentences of the customers capability (aliases, names), Chinese first."""
from __future__ import annotations

from chat.texts import GENERAL
from domain.wording import Wording

TEXTS: dict[str, tuple[str, str]] = {
    "customer_too_long": ("客户名称太长（最多 {limit} 个字），请只写客户全称，例如：北京协和医院。",
                          "The customer name is too long (at most {limit} characters); please send just its full name."),
    "alias_admin_only": ("只有管理员可以添加客户别名。", "Only administrators can add customer aliases."),
    "alias_usage": ("格式：别名 简称 = 全称，例如：别名 吉大一院 = 吉林大学白求恩第一医院",
                    "Usage: 别名 <short> = <full name>, e.g. 别名 吉大一院 = 吉林大学白求恩第一医院"),
    "alias_is_a_customer": ("“{short}”是另一个客户的名称，不能作为别名（否则它的报备会算到别的客户上）。",
                            "\"{short}\" is another customer's name; it can't be an alias (its registrations "
                            "would go to another customer)."),
    "alias_added": ("已添加别名：{short} → {full}，立即生效。", "Alias added: {short} → {full}; in effect now."),
    "alias_changed": ("已更新别名：{short} → {full}，立即生效。", "Alias updated: {short} → {full}; in effect now."),
}

t = Wording(TEXTS, GENERAL)

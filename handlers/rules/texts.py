"""Sentences of rule drafts and the what-if summary, Chinese first."""
from __future__ import annotations

from chat.texts import GENERAL
from domain.wording import Wording

TEXTS: dict[str, tuple[str, str]] = {
    "noun_registration": ("个报备", "registrations"),
    "noun_order": ("个订单", "orders"),
    "noun_special_price": ("个特价申请", "special-price requests"),
    "noun_extension": ("个延期申请", "extension requests"),
    "d_accepted": ("直接通过", "accepted"),
    "d_approval": ("交{roles}审批", "sent to {roles}"),
    "d_refused": ("因{rule}被拒", "refused by {rule}"),
    "summary_line": ("{n} {noun}将{after}，而非{before}", "{n} {noun} would have been {after} instead of {before}"),
    "summary_none": ("近 {days} 天的 {total} 个记录在新规则下结论不变。",
                     "None of the {total} cases of the last {days} days would have been decided otherwise."),
    "summary_head": ("近 {days} 天回放 {total} 个记录（{counts}），{changed} 个结论会改变：",
                     "Replayed {total} cases of the last {days} days ({counts}); {changed} would change:"),
    "count_part": ("{noun}{n}", "{n} {noun}"),
    "summary_uncounted": ("另有 {n} 个报备提交时未设数量上限，当时未统计有效报备数，无法按新上限回放，按原结论计。",
                          "{n} more registrations were made without a quota, so their open registrations were "
                          "not counted: the new quota can't be replayed on them, and they count as decided then."),
    "yaml_error": ("YAML 格式错误（第 {line} 行，第 {column} 列）：{problem}",
                   "The YAML can't be read (line {line}, column {column}): {problem}"),
    "rule_error": ("规则无法生效：{problem}", "These rules can't go live: {problem}"),
    "draft_missing": ("没有找到规则草稿 #{id}。", "No rule draft #{id}."),
    "draft_closed": ("规则草稿 #{id} 已{status}，不能再操作。", "Rule draft #{id} was already {status}."),
    "draft_stale": ("草稿 #{id} 基于规则版本 {base}，而当前生效的是版本 {active}：请基于当前版本重新编辑。",
                    "Draft #{id} was written against rule version {base}, but version {active} is active now: "
                    "edit the current version again."),
    "draft_same": ("草稿与当前生效规则相同，无需生效。", "The draft is the same as the active rules: nothing to activate."),
    "status_activated": ("生效", "activated"),
    "status_discarded": ("放弃", "discarded"),
}

t = Wording(TEXTS, GENERAL)

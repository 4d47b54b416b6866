"""What appeals answer: 申诉 RG… 理由 … (and the photos that follow), the
appeal card's 维持 / 移交 / 共享 (also typed: 维持 AP…, 移交 AP… 理由, 共享 AP…)
and the reason a transfer waits for, 证据 <客户> for managers, and the sweep
that keeps appeal photos and forwards them to the decider."""
from __future__ import annotations

from chat.registry import Registry
from domain.language.field_reader import FieldOptions, fields_reader
from domain.language.readers import read_ref
from handlers.appeals import decisions, filing, on_demand, photos


def install(registry: Registry) -> None:
    registry.command("appeal", run=filing.file_appeal, words=("申诉", "appeal"), reader=read_ref)
    registry.command("appeal", "evidence", run=on_demand.evidence_command, lookup=True,
                     words=("证据包", "证据", "evidence"),
                     reader=fields_reader(FieldOptions(free_customer=True)))
    registry.text_action(decisions.parse_decision, decisions.on_text_decision,
                         subject_ref=lambda decision: decision[1])
    registry.card_action(decisions.appeal_for_card, decisions.on_card_click,
                         subject_ref=lambda ctx, appeal: appeal.number)
    registry.continuation("appeal_evidence", photos.on_text, on_media=photos.on_media)
    registry.continuation("appeal_reason", decisions.on_reason, greedy=True, moved_on=decisions.reason_dropped)
    registry.sweep("appeal_photos", 30, photos.sweep)
    registry.help("> 申诉 报备号 理由 …（可接着发照片）　经理：证据 客户名\n"
                  "> 裁决：点卡片，或 维持/移交/共享 申诉号 [理由]",
                  "> 申诉 <number> 理由 … (appeal; photos may follow) · managers: 证据 <customer> · "
                  "decide: tap the card, or 维持/移交/共享 <appeal> [reason]")

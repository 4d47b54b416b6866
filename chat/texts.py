"""The chat core's own sentences, and the general ones every capability may
borrow (not understood, cancelled, a card that is gone), Chinese first."""
from __future__ import annotations

from domain.wording import Wording

GENERAL: dict[str, tuple[str, str]] = {
    "help_title": ("**渠道助手 · 可用命令**", "**Qudao commands**"),
    "help_last": ("> 帮助", "> help"),
    "greeting": ("您好，{name}！渠道助手 · 您的可用命令：", "Hello {name}! Your Qudao commands:"),
    "greeting_last": ("发送“帮助”随时查看。", "Send \"help\" any time to see this again."),
    "unknown_user": ("您好，您的账号还没有开通渠道助手，请联系管理员添加。",
                     "Hello, your account is not set up for Qudao yet. Please ask your administrator."),
    "not_understood": ("抱歉，没看懂这条消息。发送“帮助”查看可用的命令。",
                       "Sorry, I didn't understand that. Send \"help\" to see what I can do."),
    "unsupported_message": ("暂不支持这种消息类型，请发送文字。", "This kind of message is not supported yet; please send text."),
    "cancelled": ("好的，已取消。", "OK, cancelled."),
    "did_you_mean": ("您是不是想发：“{text}”？回复“是”按这条执行，或改正后重新发送。",
                     "Did you mean: \"{text}\"? Reply \"yes\" to send it like that, or send it again corrected."),
    "busy": ("抱歉，系统处理这条消息时出错，已记录，请稍后重试。",
             "Sorry, something went wrong with that message; it was logged. Please try again later."),
    "reason_too_long": ("理由太长了（最多 {limit} 个字），请精简后再发一次；发送“取消”放弃驳回。",
                        "The reason is too long (at most {limit} characters); please shorten it, or send \"cancel\"."),
    "card_gone": ("这张卡片已失效。", "This card is no longer valid."),
    "no_such_ref": ("没有找到 {ref}。", "Nothing found for {ref}."),
    "answered_privately": ("已私信回复您。", "I've answered you in a private chat."),
}

t = Wording(GENERAL)

"""Routes one neutral inbound message through the registry.

Order: who is it → card click → a conversation waiting for an answer →
messages recognised before parsing (typed decisions) → the parsed command.
Nothing here knows a capability: it reads what capabilities registered.
"""
from __future__ import annotations

import re

from chat import cards, groups
from chat.context import LANG_KEY, LANG_TTL_S, Context
from chat.messages import InboundKind, Markdown, Text
from chat.registry import Registry
from chat.texts import t
from domain.language import Parsed, parse_message
from domain.language.suggest import command_typo, is_yes

WELCOME_EVERY_S = 24 * 3600
CANCEL = {"取消", "算了", "不用了", "cancel", "quit", "stop"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")


def language_of(text: str | None) -> str:
    """Answer in English only to messages written in English (no Chinese at all)."""
    if text and not _CJK.search(text) and _LATIN.search(text):
        return "en"
    return "zh"


_TELLING_LATIN = re.compile(r"[A-Za-z]{3,}.*[A-Za-z]{2,}|[A-Za-z]{4,}", re.S)


def telling_language(text: str | None) -> str | None:
    """The language a message says its sender reads, None when it says nothing
    ("20", "A100*5", "ok"): a reply to those follows the conversation."""
    if not text:
        return None
    if len(_CJK.findall(text)) >= 2:
        return "zh"
    if not _CJK.search(text) and _TELLING_LATIN.search(text):
        return "en"
    return None



def help_lines(registry: Registry, lang: str, role: str | None = None) -> list[str]:
    """The lines of the capabilities' commands that ``role`` may use (None: all)."""
    return [s.en if lang == "en" else s.zh for s in registry.help_sections if s.for_role(role)]


def help_text(registry: Registry, lang: str, role: str | None = None) -> str:
    """The 帮助 menu: the lines for the sender's role, in the order capabilities were installed."""
    return "\n".join([t("help_title", lang), *help_lines(registry, lang, role), t("help_last", lang)])


def greeting_text(registry: Registry, lang: str, name: str, role: str | None) -> str:
    """你好 / 在吗: a short hello and what this person can do."""
    return "\n".join([t("greeting", lang, name=name), *help_lines(registry, lang, role), t("greeting_last", lang)])


HELP_WORDS = ("帮助", "菜单", "怎么用", "使用说明", "指令", "help", "menu", "?")
# A greeting alone is a request for the menu.
GREETINGS = ("你好", "您好", "hello", "hi", "hey", "在吗", "在么", "嗨", "哈喽")


class Router:
    def __init__(self, registry: Registry):
        self.registry = registry
        # The core's own commands: the menu of what the sender's role may do, and a greeting.
        registry.command("help", run=lambda ctx, parsed: ctx.reply(Markdown(help_text(registry, ctx.lang,
                                                                                       ctx.user.role))),
                         words=HELP_WORDS, lookup=True)
        registry.command("help", "greeting", lookup=True, run=lambda ctx, parsed: ctx.reply(
            Markdown(greeting_text(registry, ctx.lang, ctx.user.name, ctx.user.role))))
        registry.greeting("help", "greeting", GREETINGS)
        # "报被 …" (a homophone of 报备): "did you mean 报备 …?", and a yes runs it.
        registry.continuation("did_you_mean", self._did_you_mean)

    def dispatch(self, ctx: Context) -> None:
        ib = ctx.inbound
        if ib.in_group:
            groups.heard(ctx.s, ib.platform, ib.chat_id, ib.chat_title, ctx.now)
            if ib.kind == InboundKind.TEXT and not ib.mentioned:
                return      # group talk not addressed to the bot is none of its business
        self._answer(ctx)
        ctx.after_command()

    def _answer(self, ctx: Context) -> None:
        ib = ctx.inbound
        if ctx.user is not None and ctx.user.platform != ib.platform:
            # Each user is reached on the platform they last wrote from (users.platform).
            ctx.user.platform = ib.platform
        if ctx.user is None:
            if ib.kind == InboundKind.CARD_CLICK:
                # Someone in the corp but not set up in Qudao tapped a card: refused, and kept on record.
                ctx.audit("card.click_refused", "card", ib.card.task_id, after={"key": ib.card.key,
                                                                                "reason": "unknown_user"})
            ctx.reply(Text(t("unknown_user", ctx.lang)))
            return
        if ib.kind == InboundKind.CARD_CLICK:
            self._card(ctx)
        elif ib.kind == InboundKind.TEXT:
            self._text(ctx, ib.text or "")
        elif ib.kind == InboundKind.OPENED:
            # The user opened the bot's chat: greet once a day, not every time.
            key = f"welcomed:{ib.platform}:{ib.sender}"
            if not ctx.svc.kv.get(key, session=ctx.s):
                ctx.svc.kv.set(key, True, WELCOME_EVERY_S, session=ctx.s)
                ctx.reply(Markdown(greeting_text(self.registry, ctx.lang, ctx.user.name, ctx.user.role)))
        elif ib.kind in self.registry.message_handlers:
            # A position or a photo says nothing of its sender's language: answer in the one they last wrote in.
            ctx.lang = ctx.svc.kv.get(LANG_KEY.format(user=ctx.user.external_id), session=ctx.s) or ctx.lang
            if not self._to_conversation(ctx):
                self.registry.message_handlers[ib.kind](ctx)
        elif ib.kind == InboundKind.EVENT:
            pass   # other events (subscribe, view…) need no answer
        else:
            ctx.reply(Text(t("unsupported_message", ctx.lang)))

    # -- card clicks ----------------------------------------------------------------
    def _card(self, ctx: Context) -> None:
        ib = ctx.inbound
        task_id = ib.card.task_id
        if ib.card.ref:
            cards.clicked(ctx.s, task_id, ib.platform, ib.sender, ib.card.ref, ctx.now)
        for action in self.registry.card_actions:
            subject = action.find(ctx, task_id)
            if subject is not None:
                self._moved_on(ctx, action.subject_ref(ctx, subject))
                action.run(ctx, subject)
                return
        self._moved_on(ctx, "")
        ctx.reply(Text(t("card_gone", ctx.lang)))

    def _to_conversation(self, ctx: Context) -> bool:
        """A photo sent while a conversation waits for evidence (an appeal) is its."""
        state = ctx.get_state()
        conv = self.registry.continuations.get(state.get("flow")) if state else None
        return conv is not None and conv.on_media is not None and conv.on_media(ctx, state)

    def _moved_on(self, ctx: Context, ref: str) -> None:
        """The sender acted on something else: a conversation that waited for
        their free text (a reject reason) hears of it."""
        state = ctx.get_state()
        conv = self.registry.continuations.get(state.get("flow")) if state else None
        if conv is not None and conv.moved_on is not None:
            conv.moved_on(ctx, state, ref)

    # -- text -------------------------------------------------------------------------
    def parse(self, ctx: Context, text: str) -> Parsed:
        return parse_message(text, self.registry.vocabulary, today=ctx.clock.today(), catalog=ctx.catalog)

    def _remember_language(self, ctx: Context, text: str) -> None:
        """An English conversation stays English: what the sender last wrote in
        words decides replies to messages that say nothing (numbers, codes) and
        the pushes they get later (Context.lang_of)."""
        key = LANG_KEY.format(user=ctx.user.external_id)
        remembered = ctx.svc.kv.get(key, session=ctx.s)
        said = telling_language(text)
        if said is not None and said != remembered:
            ctx.svc.kv.set(key, said, LANG_TTL_S, session=ctx.s)
        ctx.lang = said or remembered or ctx.lang

    def _text(self, ctx: Context, text: str) -> None:
        ctx.read_state_ahead(LANG_KEY.format(user=ctx.user.external_id))     # one round trip for both
        self._remember_language(ctx, text)
        state = ctx.get_state()
        if state and state.get("lang") and not _CJK.search(text):
            ctx.lang = state["lang"]
        if state and text.strip().lower() in CANCEL:
            conv = self.registry.continuations.get(state.get("flow"))
            if conv is not None and conv.on_cancel is not None:
                conv.on_cancel(ctx, state)
                return
            ctx.clear_state()
            ctx.reply(Text(t("cancelled", ctx.lang)))
            return
        for action in self.registry.text_actions:
            found = action.match(text)
            if found is not None:
                self._moved_on(ctx, action.subject_ref(found))
                action.run(ctx, found)
                return
        parsed = self.parse(ctx, text)
        conv = self.registry.continuations.get(state.get("flow")) if state else None
        if conv is not None and conv.greedy:
            if self.registry.is_lookup(parsed):
                self.route(ctx, parsed)
                if conv.after_lookup is not None:
                    conv.after_lookup(ctx, state)
                return
            conv.run(ctx, state, text)      # anything else is the answer it waits for
            return
        unparsed = parsed.intent == "unknown" and parsed.action is None
        if conv is not None and unparsed and conv.run(ctx, state, text):
            return
        self.route(ctx, parsed)

    def route(self, ctx: Context, parsed: Parsed) -> None:
        cmd = self.registry.command_for(parsed)
        if cmd is None:
            self._not_understood(ctx)
            return
        cmd.run(ctx, parsed)

    def _not_understood(self, ctx: Context) -> None:
        typed = ctx.inbound.text if ctx.inbound is not None else None
        typo = command_typo(typed or "", self.registry.vocabulary)
        if typo is not None:
            fixed, _ = typo
            ctx.set_state({"flow": "did_you_mean", "text": fixed})
            ctx.reply(Text(t("did_you_mean", ctx.lang, text=fixed if len(fixed) <= 80 else fixed[:80] + "…")))
            return
        ctx.reply(Text(t("not_understood", ctx.lang)))

    def _did_you_mean(self, ctx: Context, state: dict, text: str) -> bool:
        """A yes runs the corrected message; anything else is a message of its own."""
        ctx.clear_state()
        if not is_yes(text):
            return False
        self._text(ctx, state["text"])
        return True

"""Wiring of the ops console: its sign-in providers (a platform's web login
where the platform is wired), the way into the inbox for decisions taken on
its pages, its session key, mounted at /console."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from adapters.console import ConsoleEnv, LoginProvider, mount_console
from adapters.console.secret import session_key
from bot.settings import Settings
from chat.messages import Inbound


def login_providers(settings: Settings, platforms: dict) -> dict[str, LoginProvider]:
    providers: dict[str, LoginProvider] = {}
    wecom = platforms.get("wecom")
    if wecom is not None and wecom.api is not None:
        from adapters.wecom.login import WeComLogin
        providers["wecom"] = WeComLogin(wecom.api, settings.wecom.login_base or "/sim/")
    return providers


def wire_console(app: Flask, settings: Settings, qudao, submit: Callable[[Inbound, str], int | None]) -> None:
    env = ConsoleEnv(svc=qudao.services, submit=submit, logins=login_providers(settings, qudao.platforms),
                     embedded=settings.simulator, background_imports=settings.processing != "inline")
    key = session_key(qudao.factory, qudao.clock, settings.secret_key)
    mount_console(app, env, key, secure_cookie=(settings.public_url or "").startswith("https://"))

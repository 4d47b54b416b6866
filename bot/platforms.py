"""Wiring of each chat platform: its settings group → its adapter (callback
endpoint, API client, transport, media fetch). A second platform is one more
function here and one more settings group; the core and the capabilities
don't change."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from adapters.dingtalk.api import DingTalkApi
from adapters.dingtalk.callback import create_callback_blueprint as dingtalk_callbacks
from adapters.dingtalk.crypto import DingTalkCrypto
from adapters.dingtalk.jsapi import JsapiSigner
from adapters.dingtalk.transport import MEDIA_KEPT_FOR as DINGTALK_MEDIA_KEPT_FOR
from adapters.dingtalk.transport import DingTalkTransport
from adapters.dingtalk.webhooks import SessionWebhooks
from adapters.wecom.api import WeComApi
from adapters.wecom.callback import CallbackReceiver, create_callback_blueprint
from adapters.wecom.crypto import WeComCrypto
from adapters.wecom.group_webhooks import GroupWebhooks
from adapters.wecom.transport import MEDIA_KEPT_FOR, WeComTransport
from adapters.wsgi_fast import fast_lane
from bot.settings import DingTalkSettings, Settings, WeComSettings
from chat.context import NO_TRAITS, MediaSource, PlatformTraits
from chat.kvstore import KvStore
from chat.media import BlobStore
from domain.clock import Clock

Accept = Callable[..., object]    # (message, dedup key[, replay key]) → the inbox row id or None
WirePlatforms = Callable[[Flask, Settings, KvStore, BlobStore, Clock, Accept], dict[str, "Platform"]]


@dataclass
class Platform:
    name: str
    transport: object          # chat.outbox.Transport
    media: MediaSource
    api: object                # the adapter's API client (tests and the simulator use it)
    traits: PlatformTraits = NO_TRAITS      # what the platform can do, as its adapter says
    # page URL → what the platform's client needs to run the check-in page (DingTalk's dd.config)
    page_config: Callable[[str], dict] | None = None


def wire_wecom(app: Flask, cfg: WeComSettings, settings: Settings, kv: KvStore, blobs: BlobStore, clock: Clock,
               accept: Accept) -> Platform:
    if not cfg.api_base:
        raise ValueError("WECOM_API_BASE is not set (the serve command sets it for the simulator)")
    api = WeComApi(cfg.api_base, cfg.corp_id, cfg.secret, cfg.agent_id, kv)
    group_webhooks = GroupWebhooks(kv, allowed_prefix=api.base + "webhook/send")
    transport = WeComTransport(api, blobs, group_webhooks)
    crypto = WeComCrypto(cfg.token, cfg.aes_key, cfg.corp_id)
    receiver = CallbackReceiver(crypto, accept, clock, settings.timestamp_window_s, settings.max_body_bytes,
                                group_webhooks)
    app.register_blueprint(create_callback_blueprint(crypto, receiver))
    fast_lane(app).add("POST", "/wecom/callback", receiver.receive, settings.max_body_bytes)
    return Platform("wecom", transport, MediaSource(transport.fetch_media, MEDIA_KEPT_FOR), api, transport.traits)


def wire_dingtalk(app: Flask, cfg: DingTalkSettings, settings: Settings, kv: KvStore, blobs: BlobStore,
                  clock: Clock, accept: Accept) -> Platform:
    if not cfg.api_base or not cfg.oapi_base:
        raise ValueError("DINGTALK_API_BASE / DINGTALK_OAPI_BASE are not set (the serve command sets them for the "
                         "simulator)")
    api = DingTalkApi(cfg.api_base, cfg.oapi_base, cfg.app_key, cfg.app_secret, cfg.robot_code, kv)
    webhooks = SessionWebhooks(kv, allowed_prefix=api.oapi_base + "robot/sendBySession")
    transport = DingTalkTransport(api, webhooks, cfg.card_template_id, cfg.card_route_key, blobs)
    crypto = DingTalkCrypto(cfg.event_token, cfg.event_aes_key, cfg.app_key)
    app.register_blueprint(dingtalk_callbacks(cfg.app_secret, cfg.robot_code, crypto, webhooks, accept, clock,
                                              settings.max_body_bytes))
    jsapi = JsapiSigner(api, kv, cfg.corp_id, cfg.agent_id, clock)
    return Platform("dingtalk", transport, MediaSource(transport.fetch_media, DINGTALK_MEDIA_KEPT_FOR), api,
                    transport.traits, page_config=jsapi.config)


def wire_platforms(app: Flask, settings: Settings, kv: KvStore, blobs: BlobStore, clock: Clock,
                   accept: Accept) -> dict[str, Platform]:
    """Each platform the settings configure (or the simulator plays)."""
    wired = {}
    if settings.wecom.enabled:
        wired["wecom"] = wire_wecom(app, settings.wecom, settings, kv, blobs, clock, accept)
    # DingTalk's base is always known once configured; with the simulator, `serve` fills it in.
    if settings.dingtalk is not None and settings.dingtalk.enabled and settings.dingtalk.api_base:
        wired["dingtalk"] = wire_dingtalk(app, settings.dingtalk, settings, kv, blobs, clock, accept)
    return wired

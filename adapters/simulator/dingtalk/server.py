"""A real HTTP server for the fake DingTalk APIs, for tests of the bot's
DingTalk client: 127.0.0.1 on an ephemeral port, the new API under /api/ and
the old one under /oapi/ (so sessionWebhooks are real URLs too)."""
from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from ..server import LoopbackServer
from .fake_api import FakeDingTalkConfig, create_fake_api, create_fake_oapi
from .state import DingTalkState


class FakeDingTalkServer(LoopbackServer):
    def __init__(self, app_key: str, app_secret: str, robot_code: str, known_users: list[str] | None = None,
                 known_groups: list[str] | None = None, *, clock: Callable[[], float] | None = None):
        self.state = DingTalkState(clock) if clock is not None else DingTalkState()
        self.known_users, self.known_groups = known_users, known_groups
        config = FakeDingTalkConfig(app_key, app_secret, robot_code, known_users=lambda: self.known_users,
                                    known_groups=lambda: self.known_groups)
        self.app = Flask(__name__)
        self.app.register_blueprint(create_fake_api(self.state, config), url_prefix="/api")
        self.app.register_blueprint(create_fake_oapi(self.state, config), url_prefix="/oapi")
        self._serve(self.app, "fake-dingtalk")
        self.api_base = f"http://127.0.0.1:{self.port}/api/"
        self.oapi_base = f"http://127.0.0.1:{self.port}/oapi/"

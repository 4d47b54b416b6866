"""A real HTTP server for the fake WeCom API, for tests of the bot's client.

The bot's WeCom client speaks HTTP with ``requests``; serving the fake API on
a real socket (127.0.0.1, an ephemeral port) exercises exactly that code,
timeouts and connection errors included, without any network beyond loopback.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .fake_api import ApiConfig, create_fake_api_blueprint
from .state import SimulatorState


class _QuietHandler(WSGIRequestHandler):
    """werkzeug logs every request at INFO; tests send hundreds. Errors still log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class LoopbackServer:
    """Serves a Flask app on 127.0.0.1 (an ephemeral port) in a thread, until closed."""

    def _serve(self, app: Flask, name: str) -> None:
        # Port 0: the OS picks a free port, so parallel test runs never collide.
        self._server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True,
                                                   request_handler=_QuietHandler)
        self.port = self._server.server_port
        # A short poll interval makes close() return in ~50 ms instead of 0.5 s.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"{name}-{self.port}", daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class FakeWeComServer(LoopbackServer):
    """Serves only the fake API; ``base_url`` ends with "/cgi-bin/"."""

    def __init__(self, corp_id: str = "ww_sim_corp", secret: str = "sim-secret",
                 agent_id: str | int = "1000002", known_users: list[str] | None = None,
                 *, state: SimulatorState | None = None, clock: Callable[[], float] | None = None):
        self.corp_id = corp_id
        self.secret = secret
        self.agent_id = agent_id
        self.known_users = known_users
        if state is None:
            state = SimulatorState(clock) if clock is not None else SimulatorState()
        self.state = state
        config = ApiConfig(corp_id, secret, agent_id, known_users=lambda: self.known_users)
        self.app = Flask(__name__)
        self.app.register_blueprint(create_fake_api_blueprint(state, config), url_prefix="/cgi-bin")
        self._serve(self.app, "fake-wecom")
        self.base_url = f"http://127.0.0.1:{self.port}/cgi-bin/"

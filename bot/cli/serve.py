"""`serve`: the web app (callbacks, simulator, ERP API) and, embedded, the scheduler."""
from __future__ import annotations

from bot.cli.base import settings as load
from bot.cli.base import whole_in


def add_commands(sub) -> None:
    p = sub.add_parser("serve", help="serve the bot (creates the schema on an empty database)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=whole_in(1, 65535), default=8000)
    p.set_defaults(func=cmd_serve)


def cmd_serve(args) -> int:
    from werkzeug.serving import make_server

    from bot.app import create_app
    settings = load()
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    settings = settings.with_simulator_at(args.port, shown)
    app = create_app(settings)
    server = make_server(args.host, args.port, app, threaded=True)
    print(f"Qudao is running on http://{shown}:{args.port}/  (WeCom callback: /wecom/callback; DingTalk: "
          f"/dingtalk/robot and /dingtalk/events)", flush=True)
    if settings.simulator:
        print(f"Open the chat simulator: http://{shown}:{args.port}/sim/", flush=True)
    print(f"Ops console: http://{shown}:{args.port}/console/  (sign in: .venv/bin/python -m bot console-login admin)",
          flush=True)
    if settings.scheduler == "embedded":
        print("Timed work (reminders, expiry, digests) runs in this process", flush=True)
    print(f"Database: {settings.database_url.split('@')[-1]}   Redis: {'on' if settings.redis_url else 'off'}",
          flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        q = app.extensions["qudao"]
        if q.scheduler is not None:
            q.scheduler.stop()
        q.runner.stop()
    return 0

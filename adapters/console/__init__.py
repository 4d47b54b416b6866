"""The ops console: a front-end like a chat platform, for channel ops and
managers on a PC. Server-rendered pages (Flask blueprint, Jinja, plain CSS and
a few lines of script), signed-in by a one-time link or a platform's web
login, CSRF-checked, area-filtered by role. It reads the models for its boards,
acts through the chat core (a decision is a card click into the inbox) and the
capabilities' named operations (merge, imports, rule drafts and what-if)."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, render_template, request

from adapters.console import audit_pages, auth, boards, customers, evidence, imports, rules_pages, views
from adapters.console.env import ConsoleEnv, LoginError, LoginProvider
from adapters.console.transport import PLATFORM, ConsoleTransport

__all__ = ["PLATFORM", "ConsoleEnv", "ConsoleTransport", "LoginError", "LoginProvider", "mount_console"]

SESSION_HOURS = 12
UPLOAD_MAX_BYTES = 50 * 1024 * 1024 + 64 * 1024


def create_console_blueprint(env: ConsoleEnv) -> Blueprint:
    bp = Blueprint("console", __name__, template_folder="templates", static_folder="static",
                   static_url_path="/static")
    auth.install(bp, env)
    views.install_filters(bp, env)
    for pages in (boards, evidence, customers, imports, audit_pages, rules_pages):
        pages.install(bp, env)

    @bp.before_request
    def _filters_of_sane_length():
        # Filters only: signing in carries where to go back to (next=, percent-encoded).
        if any(len(value) > views.LONGEST_FILTER for key, value in request.args.items(multi=True)
               if key not in views.NOT_FILTERS):
            return render_template("console/error.html", code=400, title="查询条件太长 · Filter too long",
                                   message=f"搜索或筛选的内容最多 {views.LONGEST_FILTER} 个字。"
                                           f"(A search or filter is at most {views.LONGEST_FILTER} characters.)"), 400

    @bp.errorhandler(403)
    def forbidden(_):
        return render_template("console/error.html", code=403, title="无权访问 · Not allowed",
                               message="您的角色不能使用这个页面。(Your role can't use this page.)"), 403

    @bp.errorhandler(404)
    def not_found(_):
        return render_template("console/error.html", code=404, title="没有找到 · Not found",
                               message="没有找到，或不在您负责的区域。(Not found, or not in your area.)"), 404

    @bp.errorhandler(400)
    def bad_request(_):
        return render_template("console/error.html", code=400, title="请求有误 · Bad request",
                               message="这个请求缺少内容，请从页面重新操作。(The request is incomplete.)"), 400

    return bp


def mount_console(app: Flask, env: ConsoleEnv, secret_key: str, secure_cookie: bool) -> None:
    """Register the console at /console with the app's session settings."""
    app.secret_key = secret_key
    app.config.update(SESSION_COOKIE_NAME="qudao_console", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure_cookie,
                      PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS))
    bp = create_console_blueprint(env)
    app.register_blueprint(bp, url_prefix="/console")

    # Uploads may be larger than the chat callbacks' cap, on the console's upload path only.
    @app.before_request
    def _larger_uploads():
        if request.path == "/console/imports":
            request.max_content_length = UPLOAD_MAX_BYTES

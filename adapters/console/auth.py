"""Signing in and staying signed in: Flask's signed session cookie (key from
QUDAO_SECRET_KEY or generated once, see secret.py), a CSRF token checked on
every POST, the viewer read from the database on each request (a role taken
away takes effect at once). Without a session, pages redirect to the sign-in
page and JSON answers 401."""
from __future__ import annotations

import hmac
import secrets
from functools import wraps

from flask import Blueprint, Response, abort, g, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy import select

from adapters.console import links
from adapters.console.access import Viewer, may_use_console
from adapters.console.env import ConsoleEnv, LoginError
from chat import audit
from models import User

PUBLIC = {"console.login", "console.login_link", "console.login_start", "console.login_callback", "console.static"}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


def wants_json() -> bool:
    return request.path.endswith(".json") or request.accept_mimetypes.best == "application/json"


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def _csrf_ok() -> bool:
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    expected = session.get("csrf") or ""
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def record(env: ConsoleEnv, action: str, entity_type: str, entity_id, actor: str | None = None, before=None,
           after=None) -> None:
    """A console action in the audit trail, naming who did it."""
    with env.svc.factory() as s, s.begin():
        audit.record(s, at=env.svc.clock.now(), actor=actor or g.viewer.external_id, action=action,
                     entity_type=entity_type, entity_id=entity_id, before=before, after=after)


def admin_only(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not g.viewer.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def all_areas_only(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not g.viewer.all_areas:
            abort(403)
        return view(*args, **kwargs)
    return wrapper


def _sign_in(env: ConsoleEnv, user: User, how: str) -> Response:
    target = session.get("next") or request.args.get("next") or ""
    session.clear()
    session.permanent = True
    session["uid"] = user.external_id
    csrf_token()
    record(env, "console.signed_in", "user", user.external_id, actor=user.external_id, after={"how": how})
    return redirect(target if target.startswith("/console/") else url_for("console.home"))


def install(bp: Blueprint, env: ConsoleEnv) -> None:
    @bp.before_request
    def guard():
        g.env = env
        g.viewer = None
        uid = session.get("uid")
        if uid:
            with env.svc.factory() as s:
                user = s.execute(select(User).where(User.external_id == uid)).scalar_one_or_none()
            if may_use_console(user):
                g.viewer = Viewer.of(user)
            else:
                session.pop("uid", None)     # removed, or no longer a role with a console
        if request.method not in ("GET", "HEAD", "OPTIONS") and not _csrf_ok():
            if wants_json():
                return jsonify(error="csrf", message="missing or wrong CSRF token"), 403
            return render_template("console/error.html", code=403, title="表单已过期 · Form expired",
                                   message="这个表单已过期或不是从控制台页面提交的，请刷新页面后重试。"
                                           "(CSRF check failed: reload the page and try again.)"), 403
        if request.endpoint in PUBLIC:
            return None
        if g.viewer is None:
            if wants_json():
                return jsonify(error="unauthorized", message="sign in to the console first"), 401
            return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
        return None

    @bp.app_template_global("csrf_token")
    def _csrf_token_global():
        return csrf_token()

    @bp.get("/login")
    def login():
        if g.viewer is not None:
            return redirect(url_for("console.home"))
        nxt = request.args.get("next", "")
        if nxt.startswith("/console/"):
            session["next"] = nxt
        return render_template("console/login.html", providers=list(env.logins.values()), embedded=env.embedded,
                               problem=request.args.get("problem"))

    @bp.get("/login/link/<token>")
    def login_link(token: str):
        with env.svc.factory() as s, s.begin():
            result = links.consume(s, env.svc.clock, token)
            user = result.user
            if result.problem:
                audit.record(s, at=env.svc.clock.now(), actor=user.external_id if user else "anonymous",
                             action="console.link_refused", entity_type="user",
                             entity_id=user.external_id if user else "-", after={"problem": result.problem})
        if result.problem:
            return render_template("console/login.html", providers=list(env.logins.values()),
                                   embedded=env.embedded, problem=f"link_{result.problem}"), 403
        if not may_use_console(user):
            return render_template("console/login.html", providers=list(env.logins.values()),
                                   embedded=env.embedded, problem="no_console"), 403
        return _sign_in(env, user, "link")

    @bp.get("/login/<provider>")
    def login_start(provider: str):
        p = env.logins.get(provider)
        if p is None:
            abort(404)
        state = secrets.token_urlsafe(24)
        session["oauth_state"] = state
        return redirect(p.authorize_url(url_for("console.login_callback", provider=provider, _external=True), state))

    @bp.get("/login/<provider>/callback")
    def login_callback(provider: str):
        p = env.logins.get(provider)
        if p is None:
            abort(404)
        expected = session.pop("oauth_state", None)
        state, code = request.args.get("state", ""), request.args.get("code", "")
        if not expected or not hmac.compare_digest(state.encode(), expected.encode()) or not code:
            return redirect(url_for("console.login", problem="oauth_state"))
        try:
            userid = p.userid_for(code)
        except LoginError:
            return redirect(url_for("console.login", problem="oauth_code"))
        with env.svc.factory() as s:
            user = s.execute(select(User).where(User.external_id == userid)).scalar_one_or_none()
        if not may_use_console(user):
            return redirect(url_for("console.login", problem="no_console"))
        return _sign_in(env, user, provider)

    @bp.post("/logout")
    def logout():
        record(env, "console.signed_out", "user", g.viewer.external_id)
        session.clear()
        return redirect(url_for("console.login"))

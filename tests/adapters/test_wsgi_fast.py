"""The fast lane in front of Flask: WeCom's POSTs with a length are served from
the WSGI environ (Flask's view never runs), everything else reaches Flask as
before, an oversized body is refused unread, and an error is a 500 (or raised
where the app propagates errors) — never a half answer."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from adapters.wsgi_fast import FastLane
from models import InboxMessage
from tests.support.reading import texts_to


def _count(app) -> int:
    with app.extensions["qudao"].factory() as s:
        return s.execute(select(func.count()).select_from(InboxMessage)).scalar()


@pytest.fixture
def flask_views(app):
    """How often Flask's own view for the callback POST ran."""
    calls = []
    view = app.view_functions["wecom.receive"]

    def counted(*a, **k):
        calls.append(1)
        return view(*a, **k)
    app.view_functions["wecom.receive"] = counted
    return calls


def _sealed(driver, text: str, msg_id: str):
    inner = driver.inner_xml(driver.fields("dealer_bj_li", "text", Content=text, MsgId=msg_id))
    sealed = driver.crypto.seal(inner, str(int(driver.clock.now().timestamp())))
    body = (f"<xml><ToUserName><![CDATA[{driver.corp_id}]]></ToUserName>"
            f"<Encrypt><![CDATA[{sealed['encrypt']}]]></Encrypt><AgentID>{driver.agent_id}</AgentID></xml>").encode()
    query = f"msg_signature={sealed['msg_signature']}&timestamp={sealed['timestamp']}&nonce={sealed['nonce']}"
    return query, body


def _environ(query: str, body: bytes, **extra) -> dict:
    env = {"REQUEST_METHOD": "POST", "PATH_INFO": "/wecom/callback", "QUERY_STRING": query, "SERVER_NAME": "t",
           "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_TYPE": "text/xml",
           "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
           "wsgi.errors": io.StringIO(), "wsgi.multithread": True, "wsgi.multiprocess": False,
           "wsgi.run_once": False, "wsgi.version": (1, 0), "HTTP_HOST": "t"}
    env.update(extra)
    return env


def _call(app, env) -> tuple[str, dict, bytes]:
    got = {}

    def start_response(status, headers, exc_info=None):
        got["status"], got["headers"] = status, dict(headers)
    body = b"".join(app(env, start_response))
    return got["status"], got["headers"], body


def test_a_callback_is_served_by_the_fast_lane_and_answered(app, driver, wecom, flask_views):
    r = driver.text("dealer_bj_li", "帮助")
    assert (r.status_code, r.data, r.headers["Content-Type"]) == (200, b"", "text/plain; charset=utf-8")
    assert flask_views == [] and _count(app) == 1
    assert texts_to(wecom, "dealer_bj_li")            # processed and answered as ever
    refused = driver.post_inner(driver.inner_xml(driver.fields("dealer_bj_li", "text", Content="x", MsgId="77")),
                                signature="0" * 40)
    assert (refused.status_code, refused.text) == (403, "signature check failed") and _count(app) == 1


def test_a_chunked_body_goes_to_flask_and_is_accepted_the_same(app, driver, flask_views):
    query, body = _sealed(driver, "帮助", "501")
    env = _environ(query, body, HTTP_TRANSFER_ENCODING="chunked")
    del env["CONTENT_LENGTH"]
    env["wsgi.input_terminated"] = True               # the server de-chunked it (as gunicorn does)
    status, _headers, _ = _call(app, env)
    assert status.startswith("200") and flask_views == [1] and _count(app) == 1


def test_the_first_of_repeated_query_arguments_counts_as_in_flask(app, driver, flask_views):
    query, body = _sealed(driver, "帮助", "502")
    status, _h, _b = _call(app, _environ(query + "&timestamp=1&nonce=zz", body))
    assert status.startswith("200") and flask_views == [] and _count(app) == 1


class _Unreadable(io.BytesIO):
    def read(self, *a):
        raise AssertionError("an oversized body must not be read")


def test_an_oversized_body_is_refused_unread(app, driver):
    cap = app.extensions["qudao"].settings.max_body_bytes
    env = _environ("msg_signature=a&timestamp=1&nonce=n", b"", CONTENT_LENGTH=str(cap + 1))
    env["wsgi.input"] = _Unreadable()
    status, _h, body = _call(app, env)
    assert (status, body) == ("413 Request Entity Too Large", b"body too large") and _count(app) == 0


def test_other_requests_reach_flask_untouched(app):
    client = app.test_client()
    assert client.get("/healthz").json == {"ok": True}
    assert client.get("/wecom/callback").status_code == 400          # the URL check, missing parameters
    assert client.put("/wecom/callback", data=b"x").status_code == 405


def test_the_query_is_read_as_flask_reads_it():
    seen = []

    def handler(args, body):
        seen.append(args)
        return 200, ""
    lane = FastLane(lambda e, s: None, lambda: False)
    lane.add("POST", "/wecom/callback", handler, 1000)
    raw = "nonce=%E4%B8%AD&x=" + "中".encode().decode("latin-1") + "&empty="
    _call(lane, _environ(raw, b"<xml/>"))
    assert seen == [{"nonce": "中", "x": "中", "empty": ""}]


class _Broken(io.BytesIO):
    def read(self, *a):
        raise OSError("connection reset")


def test_a_body_that_breaks_off_is_a_400():
    lane = FastLane(lambda e, s: None, lambda: True)
    lane.add("POST", "/wecom/callback", lambda args, body: (200, ""), 1000)
    env = _environ("a=1", b"<xml/>")
    env["wsgi.input"] = _Broken()
    assert _call(lane, env)[:3:2] == ("400 Bad Request", b"incomplete body")


def test_errors_propagate_by_flask_s_own_rule(app):
    from adapters.wsgi_fast import _propagates
    app.testing, app.debug = False, False
    app.config["PROPAGATE_EXCEPTIONS"] = None
    assert _propagates(app) is False
    app.debug = True
    assert _propagates(app) is True
    app.debug, app.testing = False, True
    assert _propagates(app) is True
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert _propagates(app) is False                  # set: it wins, as in Flask
    app.config["PROPAGATE_EXCEPTIONS"] = True
    app.testing = False
    assert _propagates(app) is True


def test_an_error_is_a_500_or_raised_where_errors_propagate():
    def boom(args, body):
        raise RuntimeError("database gone")

    def flask_app(environ, start_response):
        raise AssertionError("not for Flask")
    propagate = [False]
    lane = FastLane(flask_app, lambda: propagate[0])
    lane.add("POST", "/wecom/callback", boom, 1000)
    status, headers, body = _call(lane, _environ("a=1", b"<xml/>"))
    assert (status, body, headers["Content-Length"]) == ("500 Internal Server Error", b"internal error", "14")
    propagate[0] = True
    with pytest.raises(RuntimeError):
        _call(lane, _environ("a=1", b"<xml/>"))

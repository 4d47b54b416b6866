"""The ops console over HTTP (Flask's test client, the local mock of the WeCom
API): sign-in links good once, WeCom web login, no session → 302 or 401,
CSRF refusals, areas by role, an approval decided from the page stamps the
WeCom card, the audit trail verified and exported, imports checked then run,
rules edited with errors in place."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from domain.rules import RuleStore
from models import Approval, AuditBatch, AuditEvent, ConsoleLoginLink, Customer, ImportJob, Registration
from tests.support.console import csrf, link_for, nonce_and_action, signed_in
from tests.support.reading import cards_to, last_text


def q(app):
    return app.extensions["qudao"]


def number_of(app, customer: str) -> str:
    with q(app).factory() as s:
        return s.execute(select(Registration.number).where(Registration.customer_text == customer)).scalar_one()


# ---- signing in ---------------------------------------------------------------------

def test_a_sign_in_link_works_once(app):
    client = app.test_client()
    path = link_for(app, "admin")
    r = client.get(path)
    assert r.status_code == 302 and r.headers["Location"].endswith("/console/")
    assert client.get("/console/registrations").status_code == 200
    again = app.test_client().get(path)
    assert again.status_code == 403 and "已经用过" in again.get_data(as_text=True)
    with q(app).factory() as s:
        row = s.execute(select(ConsoleLoginLink)).scalar_one()
        assert row.used_at is not None and len(row.token_hash) == 64 and path.rsplit("/", 1)[1] not in row.token_hash
        actions = s.execute(select(AuditEvent.action, AuditEvent.actor).order_by(AuditEvent.seq)).all()
    assert ("console.signed_in", "admin") in actions and ("console.link_refused", "admin") in actions


def test_expired_and_unknown_links_sign_nobody_in(app, clock):
    path = link_for(app, "admin", ttl=timedelta(minutes=10))
    clock.advance(minutes=11)
    r = app.test_client().get(path)
    assert r.status_code == 403 and "已过期" in r.get_data(as_text=True)
    assert app.test_client().get("/console/login/link/made-up").status_code == 403


@pytest.mark.parametrize("userid", ["dealer_bj_li", "rep_zhang"])
def test_partner_users_and_reps_have_no_console(app, userid):
    r = app.test_client().get(link_for(app, userid))
    assert r.status_code == 403 and "没有控制台权限" in r.get_data(as_text=True)


@pytest.mark.parametrize("path, json", [("/console/registrations", False), ("/console/audit", False),
                                        ("/console/rules/drafts/1", False), ("/console/imports/1/progress.json", True)])
def test_without_a_session_pages_redirect_and_json_is_401(app, path, json):
    r = app.test_client().get(path)
    if json:
        assert r.status_code == 401 and r.get_json()["error"] == "unauthorized"
    else:
        assert r.status_code == 302 and "/console/login?next=" in r.headers["Location"]


def test_wecom_web_login_through_the_fake_api(app, wecom):
    client = app.test_client()
    start = client.get("/console/login/wecom")
    assert start.status_code == 302 and "wwlogin/sso/login" in start.headers["Location"]
    state = re.search(r"state=([^&]+)", start.headers["Location"]).group(1)
    code = wecom.state.issue_login_code("director")
    r = client.get("/console/login/wecom/callback", query_string={"code": code, "state": state})
    assert r.status_code == 302 and r.headers["Location"].endswith("/console/")
    assert "张伟" in client.get("/console/registrations").get_data(as_text=True)
    assert wecom.state.calls_to("auth/getuserinfo")
    # The code works once, and a state the browser was not given is refused.
    other = app.test_client()
    other.get("/console/login/wecom")
    r = other.get("/console/login/wecom/callback", query_string={"code": code, "state": "forged"})
    assert "problem=oauth_state" in r.headers["Location"]


def test_a_reused_wecom_code_signs_nobody_in(app, wecom):
    client = app.test_client()
    code = wecom.state.issue_login_code("director")
    wecom.state.take_login_code(code)
    start = client.get("/console/login/wecom")
    state = re.search(r"state=([^&]+)", start.headers["Location"]).group(1)
    r = client.get("/console/login/wecom/callback", query_string={"code": code, "state": state})
    assert "problem=oauth_code" in r.headers["Location"]
    assert client.get("/console/registrations").status_code == 302


# ---- CSRF ------------------------------------------------------------------------------

@pytest.mark.parametrize("path, data", [("/console/rules/edit", {"yaml": "registration: {}"}),
                                        ("/console/audit/verify", {}), ("/console/logout", {})])
def test_posts_without_the_csrf_token_are_refused(app, path, data):
    client = signed_in(app, "admin")
    assert client.post(path, data=data).status_code == 403
    assert client.post(path, data={**data, "csrf_token": "wrong"}).status_code == 403
    r = client.post(path, data=data, headers={"Accept": "application/json"})
    assert r.status_code == 403 and r.get_json()["error"] == "csrf"
    assert client.get("/console/registrations").status_code == 200          # still signed in


# ---- areas -------------------------------------------------------------------------------

def test_a_manager_sees_only_their_area(app, driver):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_sh_chen", "报备 上海市第六人民医院 彩超 80万")
    beijing, shanghai = number_of(app, "北京协和医院"), number_of(app, "上海市第六人民医院")
    east = signed_in(app, "mgr_east")
    page = east.get("/console/registrations").get_data(as_text=True)
    assert shanghai in page and beijing not in page
    assert east.get(f"/console/registrations/{beijing}").status_code == 404
    assert east.get(f"/console/registrations/{shanghai}").status_code == 200
    assert "北京康健" not in east.get("/console/partners").get_data(as_text=True)
    assert east.get("/console/audit").status_code == 403
    assert east.get("/console/imports").status_code == 403
    admin = signed_in(app, "admin").get("/console/registrations").get_data(as_text=True)
    assert beijing in admin and shanghai in admin


def test_the_partners_page_shows_open_registrations_against_the_quota_or_none(app, driver):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    admin = signed_in(app, "admin")
    row = re.search(r'<tr data-testid="partner-row"><td>北京康健[^<]*</td>.*?data-testid="quota">([^<]*)<',
                    admin.get("/console/partners").get_data(as_text=True), re.S)
    assert row and row.group(1) == "1 / 100"
    with q(app).factory() as s, s.begin():
        RuleStore(q(app).clock).load_content(s, {"registration": {"open_quota": None}}, source="test")
    row = re.search(r'<tr data-testid="partner-row"><td>北京康健[^<]*</td>.*?data-testid="quota">([^<]*)<',
                    admin.get("/console/partners").get_data(as_text=True), re.S)
    assert row and row.group(1) == "1 / 不限"


# ---- deciding from the page -----------------------------------------------------------------

def test_an_approval_decided_on_the_page_stamps_the_chat_card(app, driver, wecom):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 120万")
    number = number_of(app, "北京协和医院")
    [card] = cards_to(wecom, "director")
    client = signed_in(app, "director")
    page = client.get("/console/approvals").get_data(as_text=True)
    action, nonce = nonce_and_action(page, number)
    r = client.post(action, data={"csrf_token": csrf(client), "nonce": nonce, "action": "approve"},
                    follow_redirects=True)
    assert f"已同意报备 {number}" in r.get_data(as_text=True)
    [card] = cards_to(wecom, "director")
    assert card.stamp.startswith("已同意 · 张伟")
    assert "已由张伟审批通过" in last_text(wecom, "dealer_bj_li")
    again = client.post(action, data={"csrf_token": csrf(client), "nonce": nonce, "action": "approve"},
                        follow_redirects=True)
    assert "已经提交过" in again.get_data(as_text=True)
    with q(app).factory() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "approval.approved")).scalar_one()
    assert ev.actor == "director"


def test_a_reject_from_the_page_carries_its_reason(app, driver, wecom):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 120万")
    number = number_of(app, "北京协和医院")
    client = signed_in(app, "director")
    action, nonce = nonce_and_action(client.get("/console/approvals").get_data(as_text=True), number)
    empty = client.post(action, data={"csrf_token": csrf(client), "nonce": nonce, "action": "reject"},
                        follow_redirects=True)
    assert "驳回需要填写理由" in empty.get_data(as_text=True)
    client.post(action, data={"csrf_token": csrf(client), "nonce": nonce, "action": "reject",
                              "reason": "客户预算未批"})
    with q(app).factory() as s:
        appr = s.execute(select(Approval)).scalar_one()
        assert (appr.status, appr.decision_reason) == ("rejected", "客户预算未批")
    [card] = cards_to(wecom, "director")
    assert card.stamp.startswith("已驳回 · 张伟")


def test_someone_else_s_approval_is_not_decided_from_the_page(app, driver, wecom):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 120万")
    number = number_of(app, "北京协和医院")
    admin = signed_in(app, "admin")
    page = admin.get("/console/approvals").get_data(as_text=True)
    assert number in page and "由 张伟 决定" in page
    with q(app).factory() as s:
        task_id = s.execute(select(Approval.task_id)).scalar_one()
    r = admin.post(f"/console/approvals/{task_id}/decide", data={"csrf_token": csrf(admin), "nonce": "n1",
                                                                  "action": "approve"}, follow_redirects=True)
    assert "您不是报备" in r.get_data(as_text=True) and "操作未执行" in r.get_data(as_text=True)
    [card] = cards_to(wecom, "director")
    assert card.stamp is None


# ---- audit ---------------------------------------------------------------------------------------

def test_the_audit_chain_is_verified_from_the_page_and_the_first_bad_event_named(app, driver):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_bj_li", "报备 北京大学第一医院 彩超 80万")
    client = signed_in(app, "admin")
    ok = client.post("/console/audit/verify", data={"csrf_token": csrf(client)}).get_data(as_text=True)
    assert 'data-testid="chain-ok"' in ok
    with q(app).factory() as s, s.begin():
        victim = s.execute(select(AuditEvent).where(AuditEvent.action == "registration.submitted")
                           .order_by(AuditEvent.seq)).scalars().first()
        s.execute(update(AuditEvent).where(AuditEvent.id == victim.id).values(actor="someone_else"))
        seq = victim.seq
    bad = client.post("/console/audit/verify", data={"csrf_token": csrf(client)}).get_data(as_text=True)
    assert 'data-testid="chain-bad"' in bad and f"#{seq}" in bad


def test_a_deleted_event_is_named_on_the_page_with_its_neighbours(app, driver):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    driver.text("dealer_bj_li", "报备 北京大学第一医院 彩超 80万")
    client = signed_in(app, "admin")
    page = client.get("/console/audit").get_data(as_text=True)      # sealed first: every event has its place
    assert 'data-testid="seal-state"' in page and "未封存 unsealed" not in page
    with q(app).factory() as s, s.begin():
        victim = s.execute(select(AuditEvent).where(AuditEvent.action == "registration.submitted")
                           .order_by(AuditEvent.seq.desc())).scalars().first()
        seq, victim_id = victim.seq, victim.id
        s.delete(victim)
    bad = client.post("/console/audit/verify", data={"csrf_token": csrf(client)}).get_data(as_text=True)
    assert 'data-testid="chain-bad"' in bad and f"#{seq}" in bad and "缺失" in bad and f"event {victim_id}" in bad
    shown = re.findall(r'<tr><td class="num">(\d+)</td>', bad)
    assert str(seq - 1) in shown and str(seq) not in shown          # the neighbours of the missing event
    with q(app).factory() as s:
        verified = s.execute(select(AuditEvent).where(AuditEvent.action == "audit.verified")
                             .order_by(AuditEvent.id.desc())).scalars().first()
    assert verified.after["first_problem"] == "missing" and verified.after["first_bad_event"] == victim_id


def test_an_audit_range_is_exported_as_csv_with_its_hashes(app, driver):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    client = signed_in(app, "admin")
    r = client.post("/console/audit/export.csv", data={"csrf_token": csrf(client), "action": "registration."})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["action"] for row in rows] == ["registration.submitted"]
    with q(app).factory() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "registration.submitted")).scalar_one()
        exported = s.execute(select(AuditEvent).where(AuditEvent.action == "audit.exported")).scalar_one()
        batch = s.get(AuditBatch, ev.batch)
    # Exporting sealed first: the event has its place, its hash and its batch's root and hash.
    assert rows[0]["seq"] == str(ev.seq) and rows[0]["event_id"] == str(ev.id) and rows[0]["hash"] == ev.hash
    assert rows[0]["batch"] == str(batch.number) and rows[0]["batch_root"] == batch.root
    assert rows[0]["batch_hash"] == batch.hash and len(ev.hash) == 64
    assert exported.actor == "admin" and exported.after["events"] == 1


# ---- imports -------------------------------------------------------------------------------------

CUSTOMERS_CSV = ("客户名称,地址\n北京天坛医院,北京市丰台区南四环西路119号\n,北京市东城区\n"
                 "北京积水潭医院,北京市西城区新街口东街31号\n")


def test_an_import_is_checked_first_then_run(app):
    client = signed_in(app, "admin")
    r = client.post("/console/imports", data={"csrf_token": csrf(client), "kind": "customers",
                                              "file": (io.BytesIO(CUSTOMERS_CSV.encode()), "客户.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="bad-row"' in page and ">3</td>" in page          # the spreadsheet's row 3
    with q(app).factory() as s:
        job = s.execute(select(ImportJob)).scalar_one()
        assert (job.dry_run, job.status, job.report["imported"], job.report["bad_rows"]) == (True, "done", 2, 1)
        assert s.execute(select(Customer).where(Customer.name == "北京天坛医院")).scalar_one_or_none() is None
    progress = client.get(f"/console/imports/{job.id}/progress.json").get_json()
    assert progress["finished"] and progress["percent"] == 100
    r = client.post(f"/console/imports/{job.id}/confirm", data={"csrf_token": csrf(client)})
    assert r.status_code == 302
    with q(app).factory() as s:
        assert s.execute(select(Customer).where(Customer.name == "北京天坛医院")).scalar_one_or_none() is not None
        actors = s.execute(select(AuditEvent.actor).where(AuditEvent.action.like("import.%"))).scalars().all()
    assert actors == ["admin", "admin"]           # the check and the import, by who did them


def test_import_progress_never_steps_back_not_even_as_the_run_ends(app, monkeypatch):
    """A poll answered while the run writes its end (between forgetting the live
    figure and the row saying done) once showed 0 % after 50 %: a SQLite check
    writes no figure to the row. Polls are taken at every figure the run reports
    and inside the transaction that records its end."""
    from sqlalchemy import event

    from handlers.imports import jobs
    svc = q(app)
    monkeypatch.setattr(jobs, "BATCH", 50)                     # several figures along the way
    polled: list[int] = []
    running: list[int] = []                                    # the job's id, once it reports

    def poll() -> None:
        if running:
            polled.append(jobs.progress(svc, "admin", running[0])["percent"])

    reported = jobs._Progress.__call__

    def report_then_poll(self, phase, rows):
        reported(self, phase, rows)
        running[:] = [self.job_id]
        poll()

    monkeypatch.setattr(jobs._Progress, "__call__", report_then_poll)
    ending = []

    def listener(session):
        ending.append(1)
        poll()

    event.listen(svc.factory, "before_commit", listener)
    try:
        rows = "".join(f"测试客户{i:04d}医院,北京市海淀区{i}号\n" for i in range(400))
        job_id = jobs.start(svc, "admin", "customers", "客户.csv", ("客户名称,地址\n" + rows).encode(),
                            background=False)
    finally:
        event.remove(svc.factory, "before_commit", listener)
    assert ending and len(polled) > 8
    assert max(polled) > 50 and polled == sorted(polled), polled
    assert jobs.progress(svc, "admin", job_id)["percent"] == 100 and job_id not in jobs._LIVE


def test_a_file_that_is_no_spreadsheet_is_refused_politely(app):
    client = signed_in(app, "admin")
    r = client.post("/console/imports", data={"csrf_token": csrf(client), "kind": "customers",
                                              "file": (io.BytesIO(b"MZ\x00\x01"), "tool.exe")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "只能导入" in r.get_data(as_text=True)


# ---- rules ---------------------------------------------------------------------------------------

def test_rule_errors_are_shown_in_place_and_a_good_draft_gets_a_diff(app):
    client = signed_in(app, "admin")
    text = re.search(r"<textarea[^>]*>(.*?)</textarea>", client.get("/console/rules/edit").get_data(as_text=True),
                     re.S).group(1)
    import html
    text = html.unescape(text)
    bad = client.post("/console/rules/edit", data={"csrf_token": csrf(client),
                                                   "yaml": text.replace("open_quota: 100", "open_quota: [1")})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "YAML 格式错误" in body and 'data-testid="problem-line"' in body
    r = client.post("/console/rules/edit", data={"csrf_token": csrf(client),
                                                 "yaml": text.replace("open_quota: 100", "open_quota: 1")})
    assert r.status_code == 302
    draft = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "-  open_quota: 100" in draft and "+  open_quota: 1" in draft
    manager = signed_in(app, "mgr_north")
    assert manager.get("/console/rules").status_code == 200
    assert manager.get("/console/rules/edit").status_code == 403

"""The console given what no page sends (found by probing every route): path ids
past a 64-bit integer, a page past any offset, a filter of 50,000 characters,
days outside what a date holds, a redirect to elsewhere, rule files no one should
write, an upload named with a NUL. Each gets a page (or a 404, or a polite 400 or
422), never a 500, and changes nothing; and an area manager's approvals board works."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import Approval, AuditEvent, Registration, RuleDraft
from tests.support.console import csrf, nonce_and_action, signed_in

pytestmark = pytest.mark.fault

HUGE = "99999999999999999999"


def q(app):
    return app.extensions["qudao"]


def test_an_area_manager_sees_the_approvals_in_the_area_and_decides_theirs(app, driver):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 120万")
    with q(app).factory() as s:
        number = s.execute(select(Registration.number)).scalar_one()
    manager = signed_in(app, "mgr_north")
    r = manager.get("/console/approvals")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert number in page                      # in the manager's area, decided by the director
    elsewhere = signed_in(app, "mgr_east").get("/console/approvals")
    assert elsewhere.status_code == 200 and number not in elsewhere.get_data(as_text=True)


def test_a_decision_never_redirects_off_the_console(app, driver):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 120万")
    with q(app).factory() as s:
        number = s.execute(select(Registration.number)).scalar_one()
    director = signed_in(app, "director")
    action, nonce = nonce_and_action(director.get("/console/approvals").get_data(as_text=True), number)
    r = director.post(action, data={"csrf_token": csrf(director), "nonce": nonce, "action": "approve",
                                    "back": "https://evil.example/"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/console/approvals")
    with q(app).factory() as s:
        assert s.execute(select(Approval.status)).scalar_one() == "approved"


@pytest.mark.parametrize("path", [f"/console/customers/{HUGE}", f"/console/imports/{HUGE}",
                                  f"/console/imports/{HUGE}/progress.json", f"/console/rules/v/{HUGE}",
                                  f"/console/rules/drafts/{HUGE}", "/console/imports/9223372036854775808"])
def test_an_id_past_any_row_is_not_found(app, path):
    r = signed_in(app, "admin").get(path)
    assert r.status_code == 404


@pytest.mark.parametrize("path", [f"/console/customers/{HUGE}/merge", f"/console/customers/{HUGE}/names",
                                  f"/console/imports/{HUGE}/confirm", f"/console/rules/drafts/{HUGE}/activate",
                                  f"/console/rules/drafts/{HUGE}/discard", f"/console/rules/drafts/{HUGE}/whatif"])
def test_an_action_on_an_id_past_any_row_is_not_found_and_changes_nothing(app, path):
    admin = signed_in(app, "admin")
    with q(app).factory() as s:
        before = s.execute(select(func.count()).select_from(AuditEvent)).scalar()
    assert admin.post(path, data={"csrf_token": csrf(admin), "into": "1"}).status_code == 404
    with q(app).factory() as s:
        assert s.execute(select(func.count()).select_from(AuditEvent)).scalar() == before


@pytest.mark.parametrize("board", ["registrations", "orders", "visits", "audit"])
def test_a_page_past_any_offset_is_an_empty_page(app, board):
    r = signed_in(app, "admin").get(f"/console/{board}?page={HUGE}")
    assert r.status_code == 200


@pytest.mark.parametrize("path", ["/console/customers?q=", "/console/registrations?q=",
                                  "/console/registrations?line=", "/console/audit?action="])
def test_a_filter_of_fifty_thousand_characters_is_refused_politely(app, driver, path):
    driver.text("dealer_bj_li", "报备 北京协和医院 彩超 80万")
    r = signed_in(app, "admin").get(path + "协" * 50_001)
    assert r.status_code == 400 and "查询条件太长" in r.get_data(as_text=True)
    assert signed_in(app, "admin").get(path + "协" * 500).status_code == 200


@pytest.mark.parametrize("days", [{"from": "0001-01-01"}, {"to": "9999-12-31"},
                                  {"from": "0001-01-01", "to": "9999-12-31"}])
def test_audit_filters_by_days_outside_a_date_s_range_filter_nothing(app, days):
    admin = signed_in(app, "admin")
    assert admin.get("/console/audit", query_string=days).status_code == 200
    exported = admin.post("/console/audit/export.csv", data={"csrf_token": csrf(admin), **days})
    assert exported.status_code == 200
    verified = admin.post("/console/audit/verify", data={"csrf_token": csrf(admin), **days})
    assert verified.status_code in (200, 302)


def test_a_posted_audit_action_filter_of_fifty_thousand_characters_exports_nothing(app):
    admin = signed_in(app, "admin")
    r = admin.post("/console/audit/export.csv", data={"csrf_token": csrf(admin), "action": "a" * 50_001})
    assert r.status_code == 200 and len(r.get_data(as_text=True).strip().splitlines()) == 1     # the header


@pytest.mark.parametrize("text, said", [
    ("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10)), "100,000 values"),
    ("{a: " * 5000, "nested too deeply"),
    ("approvals:\n  ~: x\n", "must be a word"),
    ("approvals:\n  working_hours:\n    holidays: [2026-02-30]\n", "no real date"),
    ("approvals:\n  remind_after: {working_hours: 500000}\n  escalate_after: {working_hours: 1000000}\n",
     "100 years"),
    ("   \n", "规则文本是空的"),
    ("# 全部默认\n", "规则文本是空的"),
])
def test_a_rule_file_no_one_should_write_is_refused_in_place_and_no_draft_is_kept(app, text, said):
    admin = signed_in(app, "admin")
    r = admin.post("/console/rules/edit", data={"csrf_token": csrf(admin), "yaml": text})
    assert r.status_code == 422 and said in r.get_data(as_text=True)
    with q(app).factory() as s:
        assert s.execute(select(func.count()).select_from(RuleDraft)).scalar() == 0


def test_an_upload_whose_name_holds_a_nul_is_checked_under_a_printable_name(app):
    import io

    from models import ImportJob
    admin = signed_in(app, "admin")
    r = admin.post("/console/imports", data={"csrf_token": csrf(admin), "kind": "customers",
                                             "file": (io.BytesIO("客户名称,地址\n北京天坛医院,北京市丰台区\n".encode()),
                                                      "客\x00户.csv")},
                   content_type="multipart/form-data")
    assert r.status_code == 302
    with q(app).factory() as s:
        job = s.execute(select(ImportJob)).scalar_one()
        assert (job.filename, job.status, job.report["imported"]) == ("客户.csv", "done", 1)


def test_a_long_filtered_link_still_leads_a_signed_out_user_to_sign_in(app):
    """Signed out, /console/registrations?q=… sends them to /console/login?next=<that
    link, percent-encoded: nine characters a Chinese one>: the sign-in page, not a 400."""
    client = app.test_client()
    r = client.get("/console/registrations", query_string={"q": "北京协和医院彩超" * 10})
    assert r.status_code == 302 and "/console/login" in r.headers["Location"]
    assert client.get(r.headers["Location"]).status_code == 200


def test_an_upload_with_a_long_name_keeps_its_type_and_is_checked(app):
    import io

    from models import ImportJob
    admin = signed_in(app, "admin")
    name = "二〇二六年十二月全国经销商客户主数据" * 12 + ".CSV"          # 217 characters, 650 bytes
    r = admin.post("/console/imports", data={"csrf_token": csrf(admin), "kind": "customers",
                                             "file": (io.BytesIO("客户名称,地址\n北京天坛医院,北京市丰台区\n".encode()),
                                                      name)},
                   content_type="multipart/form-data")
    assert r.status_code == 302
    with q(app).factory() as s:
        job = s.execute(select(ImportJob)).scalar_one()
        assert (job.status, job.report["imported"], len(job.filename)) == ("done", 1, 200), job.error
        assert job.filename.endswith(".CSV")


def test_the_audit_csv_marks_typed_text_that_looks_like_a_formula(app, driver):
    import csv as csvlib
    import io
    driver.text("admin", "别名 @协和 = 北京协和医院")
    admin = signed_in(app, "admin")
    r = admin.post("/console/audit/export.csv", data={"csrf_token": csrf(admin), "action": "alias."})
    rows = list(csvlib.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 2 and "'@协和" in rows[1] and "@协和" not in rows[1]

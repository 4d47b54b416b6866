"""The ERP's HTTP API: token per integration (clear 401 without), order export,
shipment statuses pushed to the dealer once, receivables feeding credit."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from models import AuditEvent, Order, Partner
from tests.support.apps import add_integration
from tests.support.reading import cards_to, last_text, texts_to


def q(app):
    return app.extensions["qudao"]


def confirmed_order(app, driver, chat, text="订货 A100*2 B200*5"):
    driver.text("dealer_bj_li", text)
    card = [c for c in cards_to(chat, "dealer_bj_li") if c.task_id.startswith("so-")][-1]
    driver.click("dealer_bj_li", card.task_id, "confirm")
    with q(app).factory() as s:
        return s.execute(select(Order).order_by(Order.id.desc())).scalars().first()


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer "}])
def test_without_a_valid_token_the_answer_is_401_and_nothing_changes(app, headers):
    add_integration(app)
    client = app.test_client()
    for method, path in (("get", "/erp/v1/orders"), ("post", "/erp/v1/shipments"), ("post", "/erp/v1/receivables")):
        resp = getattr(client, method)(path, headers=headers, json={"partner": "P-BJ-KJ", "unpaid_yuan": 1})
        assert resp.status_code == 401
        assert resp.json["error"] == "unauthorized" and "Bearer" in resp.headers["WWW-Authenticate"]
    with q(app).factory() as s:
        assert float(s.execute(select(Partner.receivables_yuan).where(Partner.code == "P-BJ-KJ")).scalar()) == 500000


def test_a_revoked_token_no_longer_works(app):
    token = add_integration(app)
    from models import Integration
    with q(app).factory() as s, s.begin():
        s.execute(select(Integration)).scalar_one().revoked_at = q(app).clock.now()
    resp = app.test_client().get("/erp/v1/orders", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401


def test_confirmed_orders_export_as_json_csv_and_xlsx(app, driver, chat):
    token = add_integration(app)
    order = confirmed_order(app, driver, chat)
    driver.text("dealer_bj_li", "订货 A100*1")          # a draft: not exported
    client, auth = app.test_client(), {"Authorization": f"Bearer {token}"}
    rows = client.get("/erp/v1/orders", headers=auth).json["rows"]
    assert [(r["order_number"], r["sku"], r["qty"], r["unit_price"]) for r in rows] == [
        (order.number, "A100", 2, "83300.00"), (order.number, "B200", 5, "10200.00")]
    assert rows[0]["partner_code"] == "P-BJ-KJ" and rows[0]["order_total"] == "217600.00"
    text = client.get("/erp/v1/orders?format=csv", headers=auth).data.decode("utf-8-sig")
    assert [r["sku"] for r in csv.DictReader(io.StringIO(text))] == ["A100", "B200"]
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(client.get("/erp/v1/orders?format=xlsx", headers=auth).data))
    sheet = list(wb.active.iter_rows(values_only=True))
    assert sheet[0][0] == "order_number" and sheet[1][0] == order.number and len(sheet) == 3
    assert client.get("/erp/v1/orders?status=draft", headers=auth).status_code == 400


def test_shipment_statuses_reach_the_dealer_once(app, driver, chat):
    token = add_integration(app)
    order = confirmed_order(app, driver, chat)
    client, auth = app.test_client(), {"Authorization": f"Bearer {token}"}
    body = {"order": order.number, "status": "shipped", "tracking": "SF1234567890"}
    for _ in range(2):   # the ERP retries: the second post changes nothing
        resp = client.post("/erp/v1/shipments", headers=auth, json=body)
        assert resp.status_code == 200
    assert resp.json["results"] == [{"ref": order.number, "result": "unchanged", "status": "shipped"}]
    shipped = [m for m in texts_to(chat, "dealer_bj_li") if "已发货" in m]
    assert len(shipped) == 1 and "SF1234567890" in shipped[0]
    resp = client.post("/erp/v1/shipments", headers=auth, json={"updates": [
        {"order": order.number, "status": "delivered"}, {"order": "SO20990101-9999", "status": "shipped"}]})
    assert resp.status_code == 207
    assert resp.json["results"][0]["result"] == "updated" and resp.json["results"][1]["error"] == "unknown_order"
    assert "已签收" in last_text(chat, "dealer_bj_li")
    # a delivered order can't go back to shipped
    resp = client.post("/erp/v1/shipments", headers=auth, json={"order": order.number, "status": "cancelled"})
    assert resp.status_code == 422 and resp.json["results"][0]["error"] == "bad_transition"
    resp = client.post("/erp/v1/shipments", headers=auth, json={"order": order.number, "status": True})
    assert resp.json["results"][0]["error"] == "bad_field"           # not the status "True"
    with q(app).factory() as s:
        assert s.execute(select(Order.status)).scalar() == "delivered"
        actors = s.execute(select(AuditEvent.actor).where(AuditEvent.action == "order.shipped")).scalars().all()
        assert actors == ["erp:erp"]


def test_receivables_keep_credit_exposure_true(app, driver, chat, clock):
    token = add_integration(app)
    client, auth = app.test_client(), {"Authorization": f"Bearer {token}"}
    driver.text("dealer_bj_li", "订货 A100*30")           # 2,499,000 + 500,000 receivables: within 3,000,000
    assert "待确认" in last_text(chat, "dealer_bj_li")
    as_of = (clock.now() - timedelta(hours=1)).isoformat()
    resp = client.post("/erp/v1/receivables", headers=auth,
                       json={"partner": "P-BJ-KJ", "unpaid_yuan": 1200000, "as_of": as_of})
    assert resp.status_code == 200 and resp.json["results"][0]["result"] == "updated"
    older = (clock.now() - timedelta(days=2)).isoformat()
    resp = client.post("/erp/v1/receivables", headers=auth,
                       json={"partner": "P-BJ-KJ", "unpaid_yuan": 10, "as_of": older})
    assert resp.json["results"][0]["result"] == "ignored"     # arrived late: an older balance
    driver.text("dealer_bj_li", "订货 A100*30")
    assert "信用额度不足" in last_text(chat, "dealer_bj_li") and "¥120万" in last_text(chat, "dealer_bj_li")
    for bad in ({"partner": "P-BJ-KJ", "unpaid_yuan": -5}, {"partner": "nobody", "unpaid_yuan": 5},
                {"partner": "P-BJ-KJ", "unpaid_yuan": "lots"}, {"unpaid_yuan": 5},
                {"partner": "P-BJ-KJ", "unpaid_yuan": 5, "as_of": "yesterday"}):
        assert client.post("/erp/v1/receivables", headers=auth, json=bad).status_code == 422
    assert client.post("/erp/v1/receivables", headers=auth, data="not json").status_code == 400
    with q(app).factory() as s:
        assert float(s.execute(select(Partner.receivables_yuan).where(Partner.code == "P-BJ-KJ")).scalar()) == 1200000


def test_a_name_that_looks_like_a_formula_is_exported_as_text(app, driver, chat):
    """An imported partner name or a customer said in chat can be =HYPERLINK(…): in the
    workbook it stays text, exact; the ERP's CSV feed is exact, and a CSV file for people
    marks it with an apostrophe (never a formula)."""
    token = add_integration(app)
    order = confirmed_order(app, driver, chat)
    evil = '=HYPERLINK("http://evil.example","点我")'
    with app.extensions["qudao"].factory() as s, s.begin():
        s.execute(update(Partner).where(Partner.code == "P-BJ-KJ").values(name=evil))
        s.execute(update(Order).where(Order.id == order.id).values(customer_text="+1+2"))
    client, auth = app.test_client(), {"Authorization": f"Bearer {token}"}
    text = client.get("/erp/v1/orders?format=csv", headers=auth).data.decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    assert (row["partner_name"], row["customer"]) == (evil, "+1+2")
    from handlers.orders.export import to_csv
    for_people = next(csv.DictReader(io.StringIO(to_csv([row], for_people=True).lstrip("\ufeff"))))
    assert (for_people["partner_name"], for_people["customer"]) == ("'" + evil, "'+1+2")
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(client.get("/erp/v1/orders?format=xlsx", headers=auth).data))
    header = [c.value for c in wb.active[1]]
    cell = wb.active.cell(row=2, column=header.index("partner_name") + 1)
    assert cell.data_type == "s" and cell.value == evil
    assert client.get("/erp/v1/orders", headers=auth).json["rows"][0]["partner_name"] == evil   # JSON: as stored

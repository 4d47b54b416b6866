"""The ERP's endpoints: export confirmed orders, post shipment statuses and
receivables (registered by routes.py under /erp/v1; the HTTP adapter checks
the token, this module only sees neutral requests)."""
from __future__ import annotations

from chat.api import ApiRequest, ApiResponse, apply_each, error, items_of
from chat.context import Services
from handlers.orders.erp_sync import (
    ErpError,
    apply_receivable,
    apply_shipment,
    check_receivable,
    check_shipment,
    parse_time,
)
from handlers.orders.export import EXPORTABLE, export_orders, to_csv, to_xlsx
from models import OrderStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ref(item) -> str | None:
    return item.get("order") or item.get("partner") if isinstance(item, dict) else None


def shipments(svc: Services, req: ApiRequest) -> ApiResponse:
    items = items_of(req, "updates")
    if isinstance(items, ApiResponse):
        return items
    return apply_each(svc, req, items, apply_shipment, _ref, check_shipment)


def receivables(svc: Services, req: ApiRequest) -> ApiResponse:
    items = items_of(req, "balances")
    if isinstance(items, ApiResponse):
        return items
    return apply_each(svc, req, items, apply_receivable, _ref, check_receivable)


def orders(svc: Services, req: ApiRequest) -> ApiResponse:
    statuses = [x for x in (req.args.get("status") or OrderStatus.CONFIRMED).split(",") if x]
    if any(x not in EXPORTABLE for x in statuses):
        return error(400, "bad_status", f"status must be among {', '.join(EXPORTABLE)}")
    since = None
    if req.args.get("since"):
        try:
            since = parse_time(req.args["since"], "since", default_tz=svc.clock.tz)
        except ErpError as exc:
            return error(400, exc.code, str(exc))
    fmt = req.args.get("format", "json")
    if fmt not in ("json", "csv", "xlsx"):
        return error(400, "bad_format", "format is json, csv or xlsx")
    # Exporting stamps the orders as taken by the ERP; the body is rendered
    # before the stamps are committed, so a failed rendering stamps nothing.
    with svc.factory() as s, s.begin():
        rows = export_orders(s, svc.clock, statuses, since)
        if fmt == "csv":
            return ApiResponse(200, body=to_csv(rows), content_type="text/csv", filename="orders.csv")
        if fmt == "xlsx":
            return ApiResponse(200, body=to_xlsx(rows), content_type=XLSX, filename="orders.xlsx")
        return ApiResponse(200, {"rows": rows, "count": len(rows)})

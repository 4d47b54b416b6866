"""The ERP's HTTP API: export confirmed orders, post shipment statuses and receivables.

Every call needs ``Authorization: Bearer <token>``; each integration (the
ERP, a warehouse system) has its own token (``python -m bot integration
add NAME``), stored only as a hash and revocable. Without a valid token
the answer is a fixed 401 — nothing is read or written.

Bodies are JSON: one update, or a list under "updates" / "balances"; each
item is applied in its own transaction and reported on its own.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timezone
from typing import Callable

from flask import Blueprint, Response, g, jsonify, request
from sqlalchemy import select, update

from chat.context import Context, Services
from handlers.orders.erp_sync import ErpError, apply_receivable, apply_shipment
from handlers.orders.export import EXPORTABLE, export_orders, to_csv, to_xlsx
from models import Integration

MAX_BODY = 1024 * 1024        # a day's shipments in one post
MAX_ITEMS = 1000


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return "qd_" + secrets.token_urlsafe(32)


def _unauthorized() -> tuple[Response, int]:
    resp = jsonify(error="unauthorized", message="a valid integration token is required: Authorization: Bearer <token>")
    resp.headers["WWW-Authenticate"] = 'Bearer realm="qudao-erp"'
    return resp, 401


def create_erp_blueprint(svc: Services, after_write: Callable[[], None]) -> Blueprint:
    bp = Blueprint("erp", __name__)

    @bp.before_request
    def authenticate():
        request.max_content_length = MAX_BODY      # the app's 64 KB cap is for WeCom callbacks
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _unauthorized()
        digest = token_hash(token.strip())
        with svc.factory() as s, s.begin():
            row = s.execute(select(Integration).where(Integration.token_hash == digest)).scalar_one_or_none()
            # compare_digest on the hashes: the lookup already matched, this keeps
            # the check's timing independent of where a near-miss differs.
            if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
                return _unauthorized()
            s.execute(update(Integration).where(Integration.id == row.id)
                      .values(last_used_at=datetime.now(timezone.utc)))
            g.integration = row.name
        return None

    def _items(key: str) -> list | tuple[Response, int]:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and isinstance(body.get(key), list):
            items = body[key]
        elif isinstance(body, dict):
            items = [body]
        else:
            return jsonify(error="bad_body", message="send a JSON object (one update) or {\"%s\": [...]}" % key), 400
        if not items or len(items) > MAX_ITEMS:
            return jsonify(error="bad_body", message=f"1..{MAX_ITEMS} items per request"), 400
        return items

    def _apply_each(items: list, fn) -> tuple[Response, int]:
        results, failed = [], 0
        for item in items:
            try:
                with svc.factory() as s, s.begin():
                    ctx = Context.for_system(s, svc, actor=f"erp:{g.integration}")
                    results.append(fn(ctx, item).to_dict())
            except ErpError as exc:
                failed += 1
                results.append({"error": exc.code, "message": str(exc),
                                "ref": item.get("order") or item.get("partner") if isinstance(item, dict) else None})
        after_write()
        status = 200 if not failed else (422 if failed == len(items) else 207)
        return jsonify(results=results, failed=failed), status

    @bp.post("/shipments")
    def shipments():
        items = _items("updates")
        return items if isinstance(items, tuple) else _apply_each(items, apply_shipment)

    @bp.post("/receivables")
    def receivables():
        items = _items("balances")
        return items if isinstance(items, tuple) else _apply_each(items, apply_receivable)

    @bp.get("/orders")
    def orders():
        statuses = [x for x in (request.args.get("status") or "confirmed").split(",") if x]
        if any(x not in EXPORTABLE for x in statuses):
            return jsonify(error="bad_status", message=f"status must be among {', '.join(EXPORTABLE)}"), 400
        since = None
        if request.args.get("since"):
            try:
                since = datetime.fromisoformat(request.args["since"])
            except ValueError:
                return jsonify(error="bad_time", message="since must be ISO 8601"), 400
            since = since.replace(tzinfo=since.tzinfo or svc.clock.tz).astimezone(timezone.utc)
        fmt = request.args.get("format", "json")
        if fmt not in ("json", "csv", "xlsx"):
            return jsonify(error="bad_format", message="format is json, csv or xlsx"), 400
        # Exporting stamps the orders as taken by the ERP; the body is rendered
        # before the stamps are committed, so a failed rendering stamps nothing.
        with svc.factory() as s, s.begin():
            rows = export_orders(s, svc.clock, statuses, since)
            if fmt == "csv":
                return Response(to_csv(rows), mimetype="text/csv", headers={
                    "Content-Disposition": "attachment; filename=orders.csv"})
            if fmt == "xlsx":
                return Response(to_xlsx(rows), headers={"Content-Disposition": "attachment; filename=orders.xlsx"},
                                mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            return jsonify(rows=rows, count=len(rows))

    return bp

"""Orders for the ERP: one row per order line, as CSV, XLSX or JSON.

Columns are stable (the ERP's import maps them by header); amounts are in
yuan with two decimals; times are ISO 8601 in the company's time zone.

An export hands the orders over: each exported confirmed order is stamped
``exported_at`` (the first time), and from then on the dealer can no longer
change or cancel it in the chat (order_access). The stamp is written under
the order's row lock, so a change racing the export either lands before it
(and the export sees the draft, not the confirmed order) or is refused after.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from domain.clock import Clock
from domain.money import money
from domain.spreadsheet import csv_text, xlsx_text
from models import Order, OrderStatus, Partner, User

COLUMNS = ("order_number", "status", "revision", "partner_code", "partner_name", "submitter", "customer",
           "ship_to", "ship_to_region", "line", "sku", "name", "qty", "list_price", "unit_price", "price_source",
           "amount", "order_total", "confirmed_at", "shipped_at", "erp_ref")
EXPORTABLE = (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED)
MAX_ROWS = 100_000


def _iso(clock: Clock, when: datetime | None) -> str:
    return clock.local(when).isoformat(timespec="seconds") if when else ""


def export_orders(s: Session, clock: Clock, statuses: Iterable[str] = (OrderStatus.CONFIRMED,),
                  since: datetime | None = None) -> list[dict]:
    """The rows of the orders exported, each confirmed order stamped as taken by
    the ERP the first time. Run it in a transaction: the stamps are written with
    it. Only the orders being stamped are locked (by the stamping UPDATE itself);
    the ERP polls often, and re-reading shipped or already stamped orders must
    not hold up dealers and status posts on them."""
    chosen = select(Order.id).where(Order.status.in_(list(statuses)))
    if since is not None:
        chosen = chosen.where(Order.updated_at >= since)
    chosen = chosen.order_by(Order.id).limit(MAX_ROWS)
    now = clock.now()
    s.execute(update(Order).where(Order.id.in_(chosen.scalar_subquery()), Order.status == OrderStatus.CONFIRMED,
                                  Order.exported_at.is_(None))
              .values(exported_at=now).execution_options(synchronize_session=False))
    q = (select(Order, Partner, User).join(Partner, Partner.id == Order.partner_id)
         .join(User, User.id == Order.submitter_id).where(Order.id.in_(chosen.scalar_subquery()))
         .options(selectinload(Order.lines)).order_by(Order.id).execution_options(populate_existing=True))
    rows: list[dict] = []
    for order, partner, submitter in s.execute(q).all():
        rows += _lines(clock, order, partner, submitter)
    return rows


def _lines(clock: Clock, order: Order, partner: Partner, submitter: User) -> Iterator[dict]:
    for ln in order.lines:
        yield {"order_number": order.number, "status": order.status, "revision": order.revision,
               "partner_code": partner.code or "", "partner_name": partner.name, "submitter": submitter.external_id,
               "customer": order.customer_text or "", "ship_to": order.ship_to or partner.address or "",
               "ship_to_region": order.ship_to_region or "", "line": ln.position + 1, "sku": ln.sku,
               "name": ln.name, "qty": ln.qty, "list_price": f"{ln.list_price:.2f}",
               "unit_price": f"{ln.unit_price:.2f}", "price_source": ln.price_source,
               "amount": f"{ln.amount_yuan:.2f}", "order_total": f"{order.total_yuan:.2f}",
               "confirmed_at": _iso(clock, order.confirmed_at), "shipped_at": _iso(clock, order.shipped_at),
               "erp_ref": order.erp_ref or ""}


def to_csv(rows: Iterable[dict], for_people: bool = False) -> str:
    """UTF-8 with a BOM, so Excel opens the Chinese columns correctly. For people (a
    file ops open in Excel), text that starts like a formula is marked as text; the
    ERP's feed is exact."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(({c: csv_text(v) for c, v in row.items()} for row in rows) if for_people else rows)
    return buf.getvalue()


def to_xlsx(rows: Iterable[dict]) -> bytes:
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("orders")
    ws.append(list(COLUMNS))
    numeric = {"qty", "list_price", "unit_price", "amount", "order_total", "line", "revision"}
    for row in rows:
        # Money goes in as Decimal: openpyxl writes its digits, a spreadsheet number.
        ws.append([money(row[c]) if c in numeric and c not in ("qty", "line", "revision") else xlsx_text(ws, row[c])
                   for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
